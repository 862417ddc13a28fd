// Cookies (D1), CSRF (D2), content types (D3), Origin/CORS (D4) and auth-response hygiene
// (D8): what a browser, or a page on another site, can and cannot make the edge do.
import { describe, expect, it } from 'vitest';
import {
  Client,
  email,
  LOGIN,
  LOGOUT,
  PASSWORD,
  REFRESH,
  REGISTER,
  signedIn,
  startServer,
  useServer,
} from './server.ts';
import { rawPost } from './helpers.ts';

const srv = useServer();

const ME = '{ currentUser { email } }';
const OTHERS = 'mutation { logoutOtherSessions { count } }';

/** The attributes of one Set-Cookie header, lower-cased, by name. */
function parseSetCookie(h: string) {
  const [pair, ...attrs] = h.split(';').map((s) => s.trim());
  const [name, ...v] = pair!.split('=');
  const a = new Map(
    attrs.map((x) => {
      const [k, ...rest] = x.split('=');
      return [k!.toLowerCase(), rest.join('=')] as const;
    }),
  );
  return { name: name!, value: v.join('='), a };
}

describe('D1: cookie attributes in secure mode', () => {
  it('D1 (!): access and refresh cookies are __Host-, Secure, HttpOnly, SameSite, Path=/, no Domain; csrf is readable', async () => {
    const secure = await startServer({ COOKIE_SECURE: 'true' });
    try {
      const res = await fetch(`${secure.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: secure.url },
        body: JSON.stringify({ query: REGISTER, variables: { email: email('d1'), password: PASSWORD } }),
      });
      expect(res.status).toBe(200);
      const cookies = new Map(res.headers.getSetCookie().map((h) => [parseSetCookie(h).name, parseSetCookie(h)]));
      expect([...cookies.keys()].sort()).toEqual(['__Host-pgauth-at', '__Host-pgauth-csrf', '__Host-pgauth-rt']);
      for (const [name, c] of cookies) {
        expect(c.a.has('secure'), name).toBe(true);
        expect(c.a.get('path'), name).toBe('/');
        expect(c.a.has('domain'), name).toBe(false);
        expect(['strict', 'lax'], name).toContain(c.a.get('samesite')?.toLowerCase());
      }
      expect(cookies.get('__Host-pgauth-at')!.a.has('httponly')).toBe(true);
      expect(cookies.get('__Host-pgauth-rt')!.a.has('httponly')).toBe(true);
      expect(cookies.get('__Host-pgauth-rt')!.a.get('samesite')).toBe('Strict');
      expect(cookies.get('__Host-pgauth-csrf')!.a.has('httponly')).toBe(false);

      const csrf = await fetch(`${secure.url}/auth/csrf`);
      const c = parseSetCookie(csrf.headers.getSetCookie()[0]!);
      expect(c.name).toBe('__Host-pgauth-csrf');
      expect(c.a.has('secure')).toBe(true);
    } finally {
      await secure.close();
    }
  });
});

describe('D2: CSRF on requests that ride on cookies', () => {
  it('D2 (!): a mutation with cookies but no X-CSRF-Token is refused with 403 CSRF', async () => {
    const { client } = await signedIn(srv, 'csrf1');
    const r = await client.gql(OTHERS, {}, { csrf: false });
    expect(r.status).toBe(403);
    expect(r.errors?.[0]?.extensions?.code).toBe('CSRF');
    const logout = await client.gql(LOGOUT, {}, { csrf: false });
    expect(logout.status).toBe(403);
    expect((await client.gql<{ currentUser: { email: string } }>(ME)).data?.currentUser).not.toBeNull();
  });

  it('D2 (!): a CSRF token of another session, a tampered mac, or a header differing from the cookie is refused', async () => {
    const a = await signedIn(srv, 'csrfA');
    const b = await signedIn(srv, 'csrfB');
    const at = await a.client.cookie('pgauth-at');
    const rt = await a.client.cookie('pgauth-rt');
    const own = (await a.client.cookie('pgauth-csrf'))!;
    const foreign = (await b.client.cookie('pgauth-csrf'))!;
    const tampered = own.slice(0, -2) + (own.endsWith('AA') ? 'BB' : 'AA');
    const send = (cookieCsrf: string, header: string) =>
      rawPost(
        srv,
        { query: OTHERS },
        {
          origin: srv.url,
          cookie: `pgauth-at=${at}; pgauth-rt=${rt}; pgauth-csrf=${cookieCsrf}`,
          'x-csrf-token': header,
        },
      );
    for (const [cookie, header] of [
      [foreign, foreign],
      [tampered, tampered],
      [own, foreign],
      [own, `${own}x`],
      [own, ''],
    ]) {
      const r = await send(cookie!, header!);
      expect(r.status, `${cookie} / ${header}`).toBe(403);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe('CSRF');
    }
    expect((await send(own, own)).json?.data?.logoutOtherSessions).toEqual({ count: 0 });
  });

  it('D2 (!): an anonymous CSRF token cannot drive refresh or logout when a refresh cookie is present', async () => {
    const { client, userId } = await signedIn(srv, 'csrfanon');
    const rt = await client.cookie('pgauth-rt');
    const anon = ((await (await fetch(`${srv.url}/auth/csrf`)).json()) as { csrfToken: string }).csrfToken;
    for (const query of [REFRESH, LOGOUT]) {
      const r = await rawPost(
        srv,
        { query },
        { origin: srv.url, cookie: `pgauth-rt=${rt}; pgauth-csrf=${anon}`, 'x-csrf-token': anon },
      );
      expect(r.status, r.raw).toBe(403);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe('CSRF');
      expect(r.headers.getSetCookie()).toEqual([]);
    }
    // The session was neither rotated nor ended by those attempts.
    expect((await client.gql<{ refresh: { userId: string } }>(REFRESH)).data?.refresh.userId).toBe(userId);
  });

  // Regression (fixed): assertCsrf only binds the token to the session when the access cookie verifies. With
  // the access cookie gone (it expires every 15 minutes), a CSRF token minted for ANY session
  // (e.g. the attacker's own, planted as a cookie) drives refresh/logout with the victim's
  // refresh cookie. The refresh token's session should have to match the token's sid.
  it("D2 (!): a CSRF token of another session cannot drive refresh with this browser's refresh cookie", async () => {
    const victim = await signedIn(srv, 'victim');
    const attacker = await signedIn(srv, 'attacker');
    const rt = await victim.client.cookie('pgauth-rt');
    const foreign = (await attacker.client.cookie('pgauth-csrf'))!;
    const r = await rawPost(
      srv,
      { query: REFRESH },
      { origin: srv.url, cookie: `pgauth-rt=${rt}; pgauth-csrf=${foreign}`, 'x-csrf-token': foreign },
    );
    expect(r.json?.data?.refresh ?? null, r.raw).toBeNull();
    expect(r.status).toBe(403);
  });
});

describe('D3: GraphQL only as JSON POST', () => {
  it('D3 (!): GET /graphql is refused, queries and mutations alike, and nothing runs', async () => {
    const { client } = await signedIn(srv, 'get');
    const cookie = await client.jar.getCookieString(srv.url);
    for (const q of ['{__typename}', OTHERS, `mutation { logout { success } }`]) {
      const res = await fetch(`${srv.url}/graphql?query=${encodeURIComponent(q)}`, { headers: { cookie } });
      expect(res.status, q).toBe(400);
      const raw = await res.text();
      expect(raw, q).toContain('"code":"BADREQ"');
      expect(raw).not.toContain('"data"');
    }
    expect((await client.gql<{ currentUser: unknown }>(ME)).data?.currentUser).not.toBeNull();
  });

  it('D3 (!): text/plain, form-urlencoded and multipart POSTs are refused with 400', async () => {
    const body = JSON.stringify({ query: LOGIN, variables: { email: email('ct'), password: PASSWORD } });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const res = await fetch(`${srv.url}/graphql`, {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        body,
      });
      expect(res.status, type).toBe(400);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it('D3: a trailing-slash or case-variant path does not reach GraphQL around the guards', async () => {
    for (const path of ['/graphql/', '/GraphQL', '/graphql/stream']) {
      const res = await fetch(`${srv.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"query":"{__typename}"}',
      });
      expect(res.status, path).toBe(404);
    }
  });
});

describe('D4: Origin, Sec-Fetch-Site and CORS', () => {
  it('D4: a foreign or null Origin is refused with 403 ORIGIN, even anonymous', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      `${srv.url}.evil.example`,
      srv.url.replace('127.0.0.1', '127.0.0.2'),
      srv.url.replace(/:\d+$/, ':1'),
    ]) {
      const r = await rawPost(srv, { query: ME }, { origin });
      expect(r.status, origin).toBe(403);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe('ORIGIN');
    }
  });

  it('D4: in development the loopback aliases of the public origin (the same server) are accepted', async () => {
    for (const host of ['localhost', '[::1]']) {
      const origin = srv.url.replace('127.0.0.1', host);
      const r = await rawPost(srv, { query: ME }, { origin });
      expect(r.status, origin).toBe(200);
    }
  });

  it('D4: Sec-Fetch-Site cross-site without an allowed Origin is refused', async () => {
    const r = await rawPost(srv, { query: ME }, { 'sec-fetch-site': 'cross-site' });
    expect(r.status).toBe(403);
    expect(r.json?.errors?.[0]?.extensions?.code).toBe('ORIGIN');
  });

  it('D4: a CORS preflight from a foreign origin gets no Allow-Origin; the public origin gets it with credentials', async () => {
    const pre = (origin: string) =>
      fetch(`${srv.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-csrf-token',
        },
      });
    const evil = await pre('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const good = await pre(srv.url);
    expect(good.headers.get('access-control-allow-origin')).toBe(srv.url);
    expect(good.headers.get('access-control-allow-credentials')).toBe('true');
    const actual = await rawPost(srv, { query: ME }, { origin: 'https://evil.example' });
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('D8: auth responses are not cached and carry no secrets', () => {
  it('D8: /graphql (success and errors) and /auth/csrf answer Cache-Control: no-store', async () => {
    const responses = [
      await rawPost(srv, { query: ME }),
      await rawPost(srv, { query: ME }, { origin: 'https://evil.example' }),
      await rawPost(srv, 'not json'),
      await rawPost(srv, { query: REFRESH }),
      await rawPost(srv, { query: 'x'.repeat(200 * 1024) }),
    ];
    for (const r of responses)
      expect(r.headers.get('cache-control'), `${r.status} ${r.raw.slice(0, 80)}`).toContain('no-store');
    expect((await fetch(`${srv.url}/auth/csrf`)).headers.get('cache-control')).toContain('no-store');
  });

  it('D8: browser register/login responses never contain the password or token values', async () => {
    const e = email('d8');
    const password = `${PASSWORD} d8-unique`;
    const c = new Client(srv.url);
    await c.csrf();
    const reg = await c.gql<{ register: { accessToken: string | null; refreshToken: string | null } }>(REGISTER, {
      email: e,
      password,
    });
    expect(reg.data?.register).toMatchObject({ accessToken: null, refreshToken: null });
    const fresh = new Client(srv.url);
    await fresh.csrf();
    const login = await fresh.gql<{ login: { accessToken: string | null; refreshToken: string | null } }>(LOGIN, {
      email: e,
      password,
    });
    expect(login.data?.login).toMatchObject({ accessToken: null, refreshToken: null });
    for (const r of [reg, login]) expect(r.raw).not.toContain(password);
    for (const name of ['pgauth-at', 'pgauth-rt']) {
      const v = (await fresh.cookie(name))!;
      expect(v.length).toBeGreaterThan(20);
      expect(login.raw).not.toContain(v);
    }
  });

  it('security headers: CSP frame-ancestors none, nosniff, X-Frame-Options DENY', async () => {
    for (const res of [await fetch(`${srv.url}/auth/csrf`), await fetch(`${srv.url}/graphql`, { method: 'POST' })]) {
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});
