// B2/B4: identity and database settings come only from the verified token; nothing in the
// headers or the body can add or override them, and no identity leaks between requests.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from './server.ts';
import { nativeUser, rawPost, type NativeUser } from './helpers.ts';

const srv = useServer();
let user: NativeUser;
const ME = '{ currentUser { email } }';

beforeAll(async () => {
  user = await nativeUser(srv, 'ident');
});

const asBearer = (token: string, query = ME) => rawPost(srv, { query }, { authorization: `Bearer ${token}` });

describe('B2/B4: identity only from the verified token', () => {
  const spoof = {
    'x-role': 'admin',
    'x-jwt-claims-user-id': '',
    'x-user-id': '',
    'x-pg-settings': '{"role":"admin"}',
    'x-forwarded-user': '',
    'x-postgraphile-role': 'admin',
  };

  it('B2: headers and body fields (pgSettings, extensions) cannot give an anonymous caller an identity', async () => {
    const h = Object.fromEntries(Object.entries(spoof).map(([k, v]) => [k, v || user.userId]));
    const settings = { role: 'admin', 'jwt.claims.user_id': user.userId, 'jwt.claims.session_id': user.sessionId };
    const r = await rawPost(
      srv,
      {
        query: '{ currentUser { email } allUsers { nodes { email } } }',
        pgSettings: settings,
        jwtClaims: settings,
        context: { pgSettings: settings },
        extensions: { pgSettings: settings, jwt: settings },
      },
      h,
    );
    expect(r.json?.data?.currentUser, r.raw).toBeNull();
    expect(r.raw).not.toContain(user.email);
  });

  it('B2: a signed-in caller cannot switch to another user or role with headers or body fields', async () => {
    const other = await nativeUser(srv, 'victim');
    const settings = { role: 'admin', 'jwt.claims.user_id': other.userId, 'jwt.claims.session_id': other.sessionId };
    const r = await rawPost(
      srv,
      {
        query: '{ currentUser { email } allUsers { nodes { email } } }',
        pgSettings: settings,
        extensions: { pgSettings: settings },
      },
      { authorization: `Bearer ${user.accessToken}`, 'x-role': 'admin', 'x-user-id': other.userId },
    );
    expect(r.json?.data?.currentUser?.email).toBe(user.email);
    expect(r.raw).not.toContain(other.email);
  });

  it('B1/B4: no token after a signed-in request on the same pool is anonymous, never the previous user', async () => {
    for (let i = 0; i < 10; i++) {
      const a = await asBearer(user.accessToken);
      expect(a.json?.data?.currentUser?.email).toBe(user.email);
      const b = await rawPost(srv, { query: ME });
      expect(b.json?.data?.currentUser, b.raw).toBeNull();
    }
  });
});

describe('B2/B4: other channels', () => {
  it('B2: query-string parameters on the POST URL are ignored', async () => {
    const qs = new URLSearchParams({
      'pgSettings[role]': 'admin',
      role: 'admin',
      'jwt.claims.user_id': user.userId,
      sid: user.sessionId,
    });
    const res = await fetch(`${srv.url}/graphql?${qs}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ME }),
    });
    const body = (await res.json()) as { data?: { currentUser: unknown } };
    expect(body.data?.currentUser).toBeNull();
  });

  it('B4: a garbage access cookie means anonymous, not an error and not a previous user', async () => {
    await asBearer(user.accessToken);
    const csrf = await fetch(`${srv.url}/auth/csrf`).then((r) => r.json() as Promise<{ csrfToken: string }>);
    const r = await rawPost(
      srv,
      { query: ME },
      {
        cookie: `pgauth-at=${user.refreshToken}; pgauth-csrf=${csrf.csrfToken}`,
        'x-csrf-token': csrf.csrfToken,
        origin: srv.url,
      },
    );
    expect(r.status, r.raw).toBe(200);
    expect(r.json?.data?.currentUser).toBeNull();
  });
});
