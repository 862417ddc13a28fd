/**
 * The `client_credentials` grant of `POST /auth/token` (RFC 6749 section 4.4) for service
 * accounts (issue #11 part 3). Client authentication by HTTP Basic or by `client_id` /
 * `client_secret` in the form body (not both). SQL (app_hidden.client_credentials_token, edge
 * role only) checks the secret, counts failures per client and per address and opens a
 * short session for the bot; the edge signs an access token with role `bot` and that `sid`,
 * and no refresh token. Errors are RFC 6749 bodies without detail (O6).
 */
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import type { KeyRing } from '../../core/keys.ts';
import { type ClaimsSource, signAccessToken, type TokenClaims, type TokenSettings } from '../../core/tokens.ts';
import { clientIp } from '../../middleware/credentials/index.ts';
import type { GrantHandler } from '../token-endpoint/index.ts';

export interface TokenRouteDeps {
  pool: pg.Pool;
  keys: KeyRing;
  tokens: TokenSettings;
  trustProxyHops: number;
  /** The claims hook (O3): its failure means no token. */
  claims?: ClaimsSource;
}

/** The client id and secret from `Authorization: Basic` (RFC 6749 2.3.1: form-encoded parts). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null | 'bad' {
  if (header === undefined) return null;
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!m) return 'bad';
  const raw = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = raw.indexOf(':');
  if (i < 0) return 'bad';
  try {
    return { id: decodeURIComponent(raw.slice(0, i)), secret: decodeURIComponent(raw.slice(i + 1)) };
  } catch {
    return 'bad';
  }
}

export function clientCredentialsGrant(d: TokenRouteDeps): GrantHandler {
  return async ({ c, form, fail }) => {
    const basic = basicCredentials(c.req.header('authorization'));
    if (basic === 'bad') return fail('invalid_client', 401);
    const bodyId = form.get('client_id');
    const bodySecret = form.get('client_secret');
    if (basic && (bodyId !== null || bodySecret !== null)) return fail('invalid_request');
    const id = basic?.id ?? bodyId;
    const secret = basic?.secret ?? bodySecret;
    if (!id || !secret || id.length > 100 || secret.length > 200) return fail('invalid_client', 401);
    const rows = await asEdge<{ user_id: string | null; session_id: string | null; error: string | null }>(
      d.pool,
      null,
      'select user_id, session_id, error from app_hidden.client_credentials_token($1, $2, $3, $4)',
      [id, secret, clientIp(c, d.trustProxyHops), d.tokens.ttlSeconds],
    );
    const r = rows[0];
    if (!r || r.error === 'limited') {
      c.header('Retry-After', '900');
      return fail('invalid_client', 429);
    }
    if (r.error || !r.user_id || !r.session_id) return fail('invalid_client', 401);
    const base = { sub: r.user_id, sid: r.session_id, role: 'bot' as const };
    let claims: TokenClaims | undefined;
    try {
      claims = d.claims ? await d.claims(base) : undefined;
    } catch {
      return c.json({ error: 'server_error' }, 500);
    }
    const accessToken = await signAccessToken(d.keys, d.tokens, { ...base, ...claims });
    return c.json({ access_token: accessToken, token_type: 'Bearer', expires_in: d.tokens.ttlSeconds });
  };
}
