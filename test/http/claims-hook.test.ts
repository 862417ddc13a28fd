// Claims hook at the edge (issue #11 part 4): the shipped Hasura hook's claims in a real
// access token, read the way Hasura's JWT mode reads them; reserved claims refused at signing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from '../../proxy/core/tokens.ts';
import { decodeJwt } from 'jose';
import { closeOwner, owner } from './helpers.ts';
import { LOGIN, PASSWORD, useServer, Client } from './server.ts';
import { nativeUser } from './helpers.ts';

const srv = useServer();

beforeAll(async () => {
  // Harmless for concurrent files: it only adds the Hasura namespace to tokens.
  await owner("update app_private.auth_config set claims_hook = 'app_private.hasura_claims(uuid, uuid, jsonb)'");
});
afterAll(async () => {
  await owner('update app_private.auth_config set claims_hook = null');
  await closeOwner();
});

describe('claims hook', () => {
  it('Hasura: the token carries https://hasura.io/jwt/claims with the roles and user id', async () => {
    const u = await nativeUser(srv, 'hasura');
    const r = await new Client(srv.url, { origin: null }).gql<{ login: { accessToken: string } }>(
      LOGIN,
      { email: u.email, password: PASSWORD },
      { headers: { 'x-token-delivery': 'body' } },
    );
    const token = r.data?.login.accessToken as string;
    expect(
      await verifyAccessToken(
        srv.keys,
        { issuer: srv.cfg.publicOrigin, audience: srv.cfg.audience, ttlSeconds: 300 },
        token,
      ),
    ).toBeTruthy();
    // Hasura (claims_namespace default) reads exactly these keys.
    const ns = decodeJwt(token)['https://hasura.io/jwt/claims'] as Record<string, unknown>;
    expect(ns['x-hasura-user-id']).toBe(u.userId);
    expect(ns['x-hasura-default-role']).toBe('app_user');
    expect(ns['x-hasura-allowed-roles']).toContain(ns['x-hasura-default-role']);
    expect(decodeJwt(token).role).toBe('app_user');
  });

  it('O3: the edge refuses a reserved claim from a hook (no token)', async () => {
    const s = { issuer: 'https://x.example', audience: 'pgauth', ttlSeconds: 60 };
    await expect(
      signAccessToken(srv.keys, s, { sub: 'u', sid: 's', role: 'app_user', extra: { role: 'admin' } }),
    ).rejects.toThrow(/reserved/);
    await expect(
      signAccessToken(srv.keys, s, { sub: 'u', sid: 's', role: 'app_user', extra: { sub: 'other' } }),
    ).rejects.toThrow(/reserved/);
  });
});
