// POST /auth/token, grant_type=client_credentials (issue #11 part 3, RFC 6749 4.4): a bot's
// short-lived token without refresh token, RFC 6749 error bodies without detail, failures
// limited per client (O6), and a revoked secret or disabled bot refused on the next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAccessToken } from '../../proxy/core/tokens.ts';
import { closeOwner, owner, rawPost, uniqueIp } from './helpers.ts';
import { useServer } from './server.ts';

const srv = useServer({ TRUST_PROXY_HOPS: '1' });
let account: { client_id: string; client_secret: string; user_id: string };

function token(body: Record<string, string>, headers: Record<string, string> = {}, ip = uniqueIp()) {
  return fetch(`${srv.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, ...headers },
    body: new URLSearchParams(body).toString(),
  });
}
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const ME = '{ currentUser { rowId } }';

beforeAll(async () => {
  const rows = await owner<typeof account>("select * from app_private.create_service_account('ci bot', null)");
  account = rows[0]!;
});
afterAll(async () => {
  await closeOwner();
});

describe('client credentials', () => {
  it('issues a short-lived bot token with a session id and no refresh token (Basic and body)', async () => {
    const r = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(account.client_id, account.client_secret) },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const body = (await r.json()) as Record<string, unknown>;
    expect(body.token_type).toBe('Bearer');
    expect(body.refresh_token).toBeUndefined();
    const claims = await verifyAccessToken(
      srv.keys,
      { issuer: srv.cfg.publicOrigin, audience: srv.cfg.audience, ttlSeconds: 300 },
      body.access_token as string,
    );
    expect(claims?.role).toBe('bot');
    expect(claims?.sub).toBe(account.user_id);
    expect(claims?.sid).toBeTruthy();
    const me = await rawPost(srv, { query: ME }, { authorization: `Bearer ${body.access_token}` });
    expect(me.status).toBe(200);
    const byBody = await token({
      grant_type: 'client_credentials',
      client_id: account.client_id,
      client_secret: account.client_secret,
    });
    expect(byBody.status).toBe(200);
  });

  it('O6: RFC 6749 errors without detail', async () => {
    const wrong = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(account.client_id, 'svs_nope') },
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid_client' });
    const unknown = await token({
      grant_type: 'client_credentials',
      client_id: 'svc_0000000000000000',
      client_secret: 'x',
    });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: 'invalid_client' });
    const grant = await token({ grant_type: 'password', username: 'a', password: 'b' });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toEqual({ error: 'unsupported_grant_type' });
    const both = await token(
      { grant_type: 'client_credentials', client_id: account.client_id },
      { authorization: basic(account.client_id, account.client_secret) },
    );
    expect(await both.json()).toEqual({ error: 'invalid_request' });
  });

  it('O6: failures are limited per client, even from many addresses', async () => {
    const [other] = await owner<typeof account>(
      "select * from app_private.create_service_account('limited bot', null)",
    );
    for (let i = 0; i < 10; i++) {
      await token({ grant_type: 'client_credentials', client_id: other!.client_id, client_secret: 'svs_bad' });
    }
    const r = await token({
      grant_type: 'client_credentials',
      client_id: other!.client_id,
      client_secret: other!.client_secret,
    });
    expect(r.status).toBe(429);
    expect(await r.json()).toEqual({ error: 'invalid_client' });
  });

  it('O2: revoking the service account ends its token on the next request', async () => {
    const [bot] = await owner<typeof account>("select * from app_private.create_service_account('revoked bot', null)");
    const r = await token({
      grant_type: 'client_credentials',
      client_id: bot!.client_id,
      client_secret: bot!.client_secret,
    });
    const { access_token } = (await r.json()) as { access_token: string };
    const before = await rawPost(srv, { query: ME }, { authorization: `Bearer ${access_token}` });
    expect(before.json?.data?.currentUser?.rowId).toBe(bot!.user_id);
    await owner('select app_private.revoke_service_account($1)', [bot!.client_id]);
    const after = await rawPost(srv, { query: ME }, { authorization: `Bearer ${access_token}` });
    expect(after.json?.data?.currentUser ?? null).toBeNull();
    const again = await token({
      grant_type: 'client_credentials',
      client_id: bot!.client_id,
      client_secret: bot!.client_secret,
    });
    expect(again.status).toBe(401);
  });
});
