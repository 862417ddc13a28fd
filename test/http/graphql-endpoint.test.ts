// POST /graphql is one composed middleware (proxy/middleware/graphql-endpoint) registered
// ahead of the app-wide middleware: its answers must carry exactly what the app-wide layers
// give every other route (security headers, CORS), plus Cache-Control no-store (D8), on
// success, on refusal and on preflight.
import { describe, expect, it, vi } from 'vitest';
import { nativeUser, rawPost } from './helpers.ts';
import { Client, signedIn, useServer } from './server.ts';

const srv = useServer({ CORS_ORIGINS: 'https://spa.example' });
const SPA = 'https://spa.example';

/** The security headers the app-wide middleware sets, read from another route. */
async function securityHeaders(): Promise<Record<string, string>> {
  const res = await fetch(`${srv.url}/healthz`);
  const out: Record<string, string> = {};
  for (const [k, v] of res.headers) {
    if (/^(content-security-policy|x-|referrer-policy|cross-origin-|origin-agent-cluster|strict-transport)/.test(k))
      out[k] = v;
  }
  expect(out['content-security-policy']).toContain("frame-ancestors 'none'");
  delete out['x-request-id'];
  return out;
}

function expectSecurity(res: { headers: Headers }, expected: Record<string, string>) {
  for (const [k, v] of Object.entries(expected)) expect(res.headers.get(k), k).toBe(v);
}

describe('/graphql answers carry the app-wide headers', () => {
  it('D8: a query answer has every security header of other routes, no-store and a request id', async () => {
    const expected = await securityHeaders();
    const r = await rawPost(srv, { query: '{ __typename }' }, { origin: srv.url });
    expect(r.status).toBe(200);
    expectSecurity(r, expected);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
    expect(r.headers.get('content-type')).toMatch(/json/);
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(r.raw));
  });

  it('D8: a refused request (GET, a foreign Origin) has them too, and the registered error body', async () => {
    const expected = await securityHeaders();
    const get = await fetch(`${srv.url}/graphql?query={__typename}`);
    expect(get.status).toBe(400);
    expectSecurity(get, expected);
    expect(get.headers.get('cache-control')).toBe('no-store');
    expect((await get.json()).errors[0].extensions.code).toBe('BADREQ');
    const foreign = await rawPost(srv, { query: '{ __typename }' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json?.errors?.[0]?.extensions?.code).toBe('ORIGIN');
    expectSecurity(foreign, expected);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('D4: an allowed origin gets its CORS headers on answers and on refusals, and on the preflight', async () => {
    const expected = await securityHeaders();
    const ok = await rawPost(srv, { query: '{ __typename }' }, { origin: SPA });
    expect(ok.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    const refused = await rawPost(srv, 'not json', { origin: SPA, 'content-type': 'text/plain' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe(SPA);
    const pre = await fetch(`${srv.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: SPA, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(pre.headers.get('access-control-max-age')).toBe('600');
    expectSecurity(pre, expected);
  });

  it('D1/D5: sign-in through /graphql sets the session cookies on the same answer', async () => {
    const c = new Client(srv.url);
    await c.csrf();
    const r = await c.gql(
      'mutation($e: String!) { register(input: { email: $e, password: "a long password", name: "E" }) { userId } }',
      { e: `endpoint-${Date.now()}@example.com` },
    );
    expect(r.errors, r.raw).toBeUndefined();
    const names = (await c.jar.getCookies(srv.url)).map((k) => k.key).sort();
    expect(names).toEqual(['pgauth-at', 'pgauth-csrf', 'pgauth-rt']);
    const me = await c.gql<{ currentUser: { email: string } | null }>('{ currentUser { email } }');
    expect(me.data?.currentUser?.email).toMatch(/^endpoint-/);
  });
});

describe("the edge's decision cache (credentials and CSRF by header values)", () => {
  const ME = '{ currentUser { email } }';
  /** Past every access token issued now (ACCESS_TOKEN_TTL is 900 s here). */
  const later = () => Date.now() + 2 * 3600 * 1000;

  it('E1: a bearer token answered from the cache is refused (TOKEN) once it has expired', async () => {
    const user = await nativeUser(srv, 'expiry');
    const ask = () => rawPost(srv, { query: ME }, { authorization: `Bearer ${user.accessToken}` });
    for (let i = 0; i < 2; i++) expect((await ask()).json?.data?.currentUser?.email).toBe(user.email);
    vi.useFakeTimers({ toFake: ['Date'], now: later() });
    try {
      const r = await ask();
      expect(r.status, r.raw).toBe(401);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe('TOKEN');
    } finally {
      vi.useRealTimers();
    }
  });

  it('B4: an access cookie answered from the cache means anonymous once it has expired', async () => {
    const { client, email } = await signedIn(srv, 'expiry-cookie');
    for (let i = 0; i < 2; i++) {
      expect((await client.gql<{ currentUser: { email: string } | null }>(ME)).data?.currentUser?.email).toBe(email);
    }
    vi.useFakeTimers({ toFake: ['Date'], now: later() });
    try {
      const r = await client.gql<{ currentUser: unknown }>(ME);
      expect(r.status, r.raw).toBe(200);
      expect(r.data?.currentUser).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('D2: the cached CSRF decision is per header value: another token for the same cookies is refused', async () => {
    const { client } = await signedIn(srv, 'csrf-cache');
    for (let i = 0; i < 2; i++) expect((await client.gql(ME)).status).toBe(200);
    const r = await client.gql(ME, {}, { headers: { 'x-csrf-token': 'anon.AAAAAAAAAAAAAAAAAAAAAAAA.AAAA' } });
    expect(r.status, r.raw).toBe(403);
    expect(r.errors?.[0]?.extensions?.code).toBe('CSRF');
  });
});
