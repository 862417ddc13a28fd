// The provider-token refresh job against the real OpenID Provider: renews tokens before they
// expire, stores them encrypted, leases rows so concurrent runs never share one, and stops
// after three failed attempts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Client, freePort, startServer, type TestServer } from '../http/server.ts';
import { refreshProviderTokens } from '../../proxy/features/oauth/refresh-job.ts';
import { decryptToken, identityRowId } from '../../proxy/features/oauth/token-crypto.ts';
import { authorizeOverHttp, CLIENT_ID, CLIENT_SECRET, startIdp, type Idp } from './idp.ts';

let idp: Idp;
let srv: TestServer;
let owner: pg.Client;

beforeAll(async () => {
  const port = await freePort();
  idp = await startIdp([`http://127.0.0.1:${port}/auth/tokidp/callback`]);
  srv = await startServer({
    PORT: String(port),
    OIDC_TOKIDP_ISSUER: idp.issuer,
    OIDC_TOKIDP_CLIENT_ID: CLIENT_ID,
    OIDC_TOKIDP_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_TOKIDP_SCOPES: 'openid email offline_access',
  });
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await srv?.close();
  await idp?.close();
});

const RUN = Date.now().toString(36);

async function signIn(name: string): Promise<string> {
  const login = `${name}-${RUN}`; // unique per run: IdP emails must not collide with earlier runs
  const c = new Client(srv.url);
  const start = await c.fetch('/auth/tokidp/start');
  const back = await authorizeOverHttp(start.headers.get('location')!, login);
  expect((await c.fetch(back.pathname + back.search)).status).toBe(303);
  const { rows } = await owner.query(
    `select id from app_public.user_identities where provider = 'tokidp' and subject = $1`,
    [login],
  );
  return rows[0].id;
}

const tokenRow = async (id: string) =>
  (
    await owner.query(
      `select t.*, i.issuer, i.subject from app_private.user_identity_tokens t
    join app_public.user_identities i on i.id = t.identity_id where t.identity_id = $1`,
      [id],
    )
  ).rows[0];

describe('provider token refresh job', () => {
  it('renews a token that is about to expire and keeps it encrypted', async () => {
    const id = await signIn('hank');
    const before = await tokenRow(id);
    const oldAccess = decryptToken(
      srv.cfg.oauth.tokenKeys!,
      before.key_id,
      identityRowId(before.issuer, before.subject),
      'access_token',
      before.access_token_enc,
    );
    await owner.query(
      `update app_private.user_identity_tokens set access_token_expires_at = now() + interval '1 minute' where identity_id = $1`,
      [id],
    );
    const summary = await refreshProviderTokens(srv.edge.pool, srv.edge.oauthClients, srv.cfg.oauth.tokenKeys!);
    expect(summary.renewed).toBeGreaterThanOrEqual(1);
    const after = await tokenRow(id);
    const newAccess = decryptToken(
      srv.cfg.oauth.tokenKeys!,
      after.key_id,
      identityRowId(after.issuer, after.subject),
      'access_token',
      after.access_token_enc,
    );
    expect(newAccess).not.toBe(oldAccess);
    expect(after.access_token_expires_at.getTime()).toBeGreaterThan(Date.now() + 30 * 60 * 1000);
    expect(after.refreshed_at).not.toBeNull();
    expect(after.access_token_enc.toString()).not.toContain(newAccess);
  });

  it('leases rows: a second concurrent run does not pick up a token already being refreshed', async () => {
    const id = await signIn('ivy');
    await owner.query(
      `update app_private.user_identity_tokens set access_token_expires_at = now() where identity_id = $1`,
      [id],
    );
    await owner.query(
      `update app_private.user_identity_tokens set refresh_lease_until = now() + interval '1 minute' where identity_id = $1`,
      [id],
    );
    await refreshProviderTokens(srv.edge.pool, srv.edge.oauthClients, srv.cfg.oauth.tokenKeys!);
    const row = await tokenRow(id);
    expect(row.refreshed_at).toBeNull(); // leased by "another instance": untouched
  });

  it('records failures and stops after three attempts', async () => {
    const id = await signIn('jack');
    // A refresh token the provider does not know (still validly encrypted for this row).
    const row = await tokenRow(id);
    const { encryptToken } = await import('../../proxy/features/oauth/token-crypto.ts');
    await owner.query(
      `update app_private.user_identity_tokens set access_token_expires_at = now(), refresh_token_enc = $2 where identity_id = $1`,
      [
        id,
        encryptToken(
          srv.cfg.oauth.tokenKeys!,
          identityRowId(row.issuer, row.subject),
          'refresh_token',
          'not-a-real-token',
        ),
      ],
    );
    for (let i = 0; i < 4; i++)
      await refreshProviderTokens(srv.edge.pool, srv.edge.oauthClients, srv.cfg.oauth.tokenKeys!);
    const after = await tokenRow(id);
    expect(after.refresh_attempts).toBe(3);
    expect(after.last_refresh_error).toBeTruthy();
    const { rows } = await owner.query(
      `select count(*)::int n from app_public.audit_log where event = 'provider_token_refresh_failed' and target_id = $1`,
      [id],
    );
    expect(rows[0].n).toBe(3);
  });
});
