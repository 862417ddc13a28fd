/**
 * Keeps provider access tokens fresh: leases tokens expiring within 5 minutes (SKIP LOCKED,
 * so one instance per token), renews each with its refresh token, stores the new tokens
 * encrypted, and records failures (3 attempts at most, then it waits for a new sign-in).
 * Runs through the edge role (app_hidden's lease/finish functions are edge-only). Started by the server every minute; `npm run oauth:refresh` runs
 * it once.
 */
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import type { ProviderClient } from './flow.ts';
import { decryptToken, encryptToken, identityRowId, type TokenKeys } from './token-crypto.ts';

interface Due {
  identity_id: string;
  provider: string;
  issuer: string;
  subject: string;
  key_id: string;
  refresh_token_enc: Buffer;
  refresh_attempts: number;
}

const asJob = <T extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: unknown[]) =>
  asEdge<T>(pool, null, text, values);

export interface RefreshSummary {
  renewed: number;
  failed: number;
}

/** Since the process started, across runs (operators graph these from the summary lines). */
export const providerTokenTotals = { runs: 0, renewed: 0, failed: 0 };

export async function refreshProviderTokens(
  pool: pg.Pool,
  clients: Map<string, ProviderClient>,
  keys: TokenKeys,
  opts: { ahead?: string; limit?: number } = {},
): Promise<RefreshSummary> {
  const due = await asJob<Due>(pool, 'select * from app_hidden.lease_provider_tokens($1, $2::interval)', [
    opts.limit ?? 50,
    opts.ahead ?? '5 minutes',
  ]);
  const summary = { renewed: 0, failed: 0 };
  for (const t of due) {
    const rowId = identityRowId(t.issuer, t.subject);
    try {
      const client = clients.get(t.provider);
      if (!client) throw new Error(`provider ${t.provider} is no longer configured`);
      const refreshToken = decryptToken(keys, t.key_id, rowId, 'refresh_token', t.refresh_token_enc);
      const fresh = await client.refresh(refreshToken);
      await asJob(pool, 'select app_hidden.finish_provider_token_refresh($1, null, $2, $3, $4, $5)', [
        t.identity_id,
        keys.current,
        encryptToken(keys, rowId, 'access_token', fresh.accessToken),
        fresh.refreshToken ? encryptToken(keys, rowId, 'refresh_token', fresh.refreshToken) : null,
        fresh.expiresAt,
      ]);
      summary.renewed++;
    } catch (e) {
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      await asJob(pool, 'select app_hidden.finish_provider_token_refresh($1, $2, null, null, null, null)', [
        t.identity_id,
        msg,
      ]);
      summary.failed++;
      providerTokenTotals.failed++;
      // One line per failure: which identity, which attempt, what kind of failure (the
      // provider's message is stored on the row; never a token, never the refresh token).
      console.error(
        JSON.stringify({
          level: 'warn',
          job: 'provider-tokens',
          event: 'refresh-failed',
          provider: t.provider,
          identityId: t.identity_id,
          attempt: t.refresh_attempts + 1,
          error: e instanceof Error ? e.name : typeof e,
          totalFailed: providerTokenTotals.failed,
        }),
      );
    }
  }
  providerTokenTotals.runs++;
  providerTokenTotals.renewed += summary.renewed;
  return summary;
}
