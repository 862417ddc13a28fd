// App-initiated OAuth for native apps (RFC 8252, issue 15, Q1): a simulated native app runs
// PKCE against the real edge, which signs in with a real OpenID Provider (oidc-provider); the
// "system browser" follows redirects by hand, the code arrives at the app's loopback redirect
// URI (a node:http server on 127.0.0.1, any port), the app redeems it at POST /auth/token and
// refreshes like any native client.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../proxy/core/config.ts';
import { matchRedirectUri, parseRedirectUri } from '../../proxy/features/native/apps.ts';
import { Client, freePort, REFRESH, startServer, type TestServer } from '../http/server.ts';
import { authorizeOverHttp, CLIENT_ID, CLIENT_SECRET, startIdp, type Idp } from './idp.ts';

let idp: Idp;
let srv: TestServer;
let owner: pg.Client;
let appServer: Server;
let appPort: number;
/** What reached the app's loopback redirect URI, in order. */
const received: URL[] = [];

const RUN = Date.now().toString(36);
const L = (name: string) => `native-${name}-${RUN}`;

beforeAll(async () => {
  const port = await freePort();
  idp = await startIdp([`http://127.0.0.1:${port}/auth/testidp/callback`]);
  srv = await startServer({
    PORT: String(port),
    OIDC_TESTIDP_ISSUER: idp.issuer,
    OIDC_TESTIDP_CLIENT_ID: CLIENT_ID,
    OIDC_TESTIDP_CLIENT_SECRET: CLIENT_SECRET,
    APP_MYAPP_NAME: 'My App',
    APP_MYAPP_REDIRECT_URIS: 'http://127.0.0.1/callback,com.example.myapp:/oauth',
    APP_OTHER_NAME: 'Other App',
    APP_OTHER_REDIRECT_URIS: 'http://127.0.0.1/callback',
  });
  // The native app's loopback listener (RFC 8252 7.3): the port is the app's choice.
  appServer = createServer((req, res) => {
    received.push(new URL(req.url ?? '/', `http://127.0.0.1:${appPort}`));
    res.end('You can close this window.');
  });
  await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', () => r()));
  appPort = (appServer.address() as AddressInfo).port;
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await new Promise((r) => appServer?.close(r));
  await srv?.close();
  await idp?.close();
});

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};
const loopback = () => `http://127.0.0.1:${appPort}/callback`;

/** The system browser: start, the IdP's login and consent, the edge's callback; returns where
 * the edge finally redirects (the app's URI) and the browser that went there. */
async function authorize(
  login: string,
  params: Record<string, string>,
): Promise<{ location: string; browser: Client; callback: Response }> {
  const browser = new Client(srv.url);
  const start = await browser.fetch(`/auth/testidp/start?${new URLSearchParams(params)}`);
  expect(start.status).toBe(302);
  const back = await authorizeOverHttp(start.headers.get('location')!, login);
  const callback = await browser.fetch(back.pathname + back.search);
  expect(callback.status).toBe(302);
  return { location: callback.headers.get('location')!, browser, callback };
}

/** A whole app sign-in up to the code at the loopback listener. */
async function codeFor(login: string, client = 'myapp') {
  const { verifier, challenge } = pkce();
  const state = randomBytes(16).toString('base64url');
  const redirectUri = loopback();
  const { location, callback } = await authorize(login, {
    client,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  });
  const before = received.length;
  await (await fetch(location)).text(); // the browser follows the redirect to the app
  const at = received[before]!;
  return { code: at.searchParams.get('code')!, at, state, verifier, redirectUri, callback };
}

async function token(
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown>; res: Response }> {
  const res = await fetch(`${srv.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, res };
}

const exchange = (c: { code: string; redirectUri: string; verifier: string }, over: Record<string, string> = {}) =>
  token({
    grant_type: 'authorization_code',
    code: c.code,
    redirect_uri: c.redirectUri,
    client_id: 'myapp',
    code_verifier: c.verifier,
    ...over,
  });

async function me(accessToken: string): Promise<{ status: number; email?: string }> {
  const res = await fetch(`${srv.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: '{ currentUser { email } }' }),
  });
  const json = (await res.json()) as { data?: { currentUser: { email: string } | null } };
  return { status: res.status, email: json.data?.currentUser?.email };
}

async function refresh(refreshToken: string) {
  const res = await fetch(`${srv.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-token-delivery': 'body' },
    body: JSON.stringify({ query: REFRESH, variables: { t: refreshToken } }),
  });
  return (await res.json()) as {
    data?: { refresh: { accessToken: string; refreshToken: string } | null };
    errors?: { extensions?: { code?: string } }[];
  };
}

describe('app-initiated OAuth (RFC 8252)', () => {
  it('Q1: a native app signs in with PKCE: code at its loopback URI, tokens from /auth/token, refresh works', async () => {
    const c = await codeFor(L('ann'));
    // No session cookies for the system browser: the app gets a code instead.
    expect(c.callback.headers.getSetCookie().filter((s) => /pgauth-(at|rt|csrf)=/.test(s))).toEqual([]);
    expect(c.at.pathname).toBe('/callback');
    expect(c.at.searchParams.get('state')).toBe(c.state);
    expect(c.at.searchParams.get('iss')).toBe(srv.url);
    expect(c.code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const t = await exchange(c);
    expect(t.status).toBe(200);
    expect(t.res.headers.get('cache-control')).toBe('no-store');
    expect(t.res.headers.getSetCookie()).toEqual([]);
    expect(t.body).toMatchObject({ token_type: 'Bearer', expires_in: srv.cfg.accessTokenTtlSeconds });
    expect(typeof t.body.access_token).toBe('string');
    expect(t.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await me(t.body.access_token as string)).toEqual({ status: 200, email: `${L('ann')}@idp.example` });

    // The refresh token works with the native clients' refresh (body delivery), and rotates.
    const r = await refresh(t.body.refresh_token as string);
    expect(r.errors).toBeUndefined();
    expect(r.data?.refresh?.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.data?.refresh?.refreshToken).not.toBe(t.body.refresh_token);
    expect((await me(r.data!.refresh!.accessToken)).email).toBe(`${L('ann')}@idp.example`);
  });

  it('Q1: a private-use scheme redirect URI gets the code the same way', async () => {
    const { verifier, challenge } = pkce();
    const { location } = await authorize(L('cas'), {
      client: 'myapp',
      redirect_uri: 'com.example.myapp:/oauth',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'xyz',
    });
    expect(location.startsWith('com.example.myapp:/oauth?')).toBe(true);
    const at = new URL(location);
    expect(at.searchParams.get('state')).toBe('xyz');
    const t = await exchange({ code: at.searchParams.get('code')!, redirectUri: 'com.example.myapp:/oauth', verifier });
    expect(t.status).toBe(200);
  });

  it('Q1: a wrong code_verifier is invalid_grant, and the code is used up', async () => {
    const c = await codeFor(L('wrongv'));
    const wrong = await exchange(c, { code_verifier: pkce().verifier });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(Object.keys(wrong.body)).toEqual(['error']);
    expect((await exchange(c)).body).toEqual({ error: 'invalid_grant' });
  });

  it('Q1: PKCE is required at start (S256 only) and at the token endpoint', async () => {
    const { challenge, verifier } = pkce();
    const base = { client: 'myapp', redirect_uri: loopback(), state: 's' };
    for (const params of [
      base,
      { ...base, code_challenge: challenge },
      { ...base, code_challenge: challenge, code_challenge_method: 'plain' },
      { ...base, code_challenge: verifier, code_challenge_method: 'plain' },
      { ...base, code_challenge: 'short', code_challenge_method: 'S256' },
    ]) {
      const res = await new Client(srv.url).fetch(`/auth/testidp/start?${new URLSearchParams(params)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect((await res.json()).errors[0].extensions.code).toBe('NATIVE');
    }
    const c = await codeFor(L('nover'));
    const missing = await token({
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: c.redirectUri,
      client_id: 'myapp',
    });
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('Q1: a code is single use: the second redemption is invalid_grant and revokes the session it issued', async () => {
    const c = await codeFor(L('reuse'));
    const first = await exchange(c);
    expect(first.status).toBe(200);
    const again = await exchange(c);
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const r = await refresh(first.body.refresh_token as string);
    expect(r.errors?.[0]?.extensions?.code).toBe('TOKEN');
  });

  it('Q1: an expired code (older than 60 s) is invalid_grant', async () => {
    const c = await codeFor(L('expired'));
    const { rows } = await owner.query(
      `select extract(epoch from expires_at - created_at)::int s from app_private.native_codes
       where code_hash = sha256(convert_to($1, 'UTF8'))`,
      [c.code],
    );
    expect(rows[0].s).toBe(60);
    await owner.query(
      `update app_private.native_codes set expires_at = now() - interval '1 second'
       where code_hash = sha256(convert_to($1, 'UTF8'))`,
      [c.code],
    );
    expect(await exchange(c)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('Q1: an unregistered redirect URI is refused at start (never redirected to) and at the token endpoint', async () => {
    const { challenge } = pkce();
    for (const redirect_uri of [
      'http://127.0.0.1:4000/other',
      'http://localhost:4000/callback',
      'http://127.0.0.1:4000/callback?x=1',
      'https://evil.example/callback',
      'com.example.myapp:/oauth/extra',
      'com.example.other:/oauth',
    ]) {
      const res = await new Client(srv.url).fetch(
        `/auth/testidp/start?${new URLSearchParams({ client: 'myapp', redirect_uri, code_challenge: challenge, code_challenge_method: 'S256' })}`,
      );
      expect(res.status, redirect_uri).toBe(400);
      expect((await res.json()).errors[0].extensions.code).toBe('NATIVE');
    }
    const unknown = await new Client(srv.url).fetch(
      `/auth/testidp/start?${new URLSearchParams({ client: 'nosuchapp', redirect_uri: loopback(), code_challenge: challenge, code_challenge_method: 'S256' })}`,
    );
    expect(unknown.status).toBe(400);
    // At the token endpoint the redirect URI must be the one the code was issued for (another port is another URI).
    const c = await codeFor(L('otheruri'));
    expect(await exchange(c, { redirect_uri: `http://127.0.0.1:${appPort + 1}/callback` })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it("Q1: another app's code is invalid_grant; an unregistered client is invalid_client", async () => {
    const c = await codeFor(L('otherapp'));
    expect(await exchange(c, { client_id: 'other' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const c2 = await codeFor(L('noclient'));
    const bad = await exchange(c2, { client_id: 'nosuchapp' });
    expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // A public client sends no secret.
    expect(await exchange(c2, { client_secret: 'x' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect((await exchange(c2)).status).toBe(200);
  });

  it('H1: an email collision goes back to the app as access_denied, with no code', async () => {
    const pw = new Client(srv.url);
    await pw.csrf();
    await pw.gql(
      `mutation ($e: String!) { register(input: { email: $e, password: "a long enough password" }) { userId } }`,
      {
        e: `${L('dora')}@idp.example`,
      },
    );
    const { location } = await authorize(L('dora'), {
      client: 'myapp',
      redirect_uri: loopback(),
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      state: 'st',
    });
    const at = new URL(location);
    expect(at.origin).toBe(`http://127.0.0.1:${appPort}`);
    expect(at.searchParams.get('error')).toBe('access_denied');
    expect(at.searchParams.get('error_description')).toBe('EMCOL');
    expect(at.searchParams.get('state')).toBe('st');
    expect(at.searchParams.get('code')).toBeNull();
  });
});

describe('app settings', () => {
  it('an app id with an underscore is refused, not ignored', () => {
    expect(() => loadConfig({ APP_MY_APP_NAME: 'Mine', APP_MY_APP_REDIRECT_URIS: 'http://127.0.0.1/cb' })).toThrow(
      /APP_MY_APP_NAME: an app id is letters and digits only/,
    );
    expect(
      loadConfig({ APP_MYAPP_NAME: 'Mine', APP_MYAPP_REDIRECT_URIS: 'http://127.0.0.1/cb' }).apps.get('myapp')?.name,
    ).toBe('Mine');
  });
});

describe('registered redirect URIs (apps.ts)', () => {
  const app = (uris: string[]) => ({
    id: 'a',
    name: 'A',
    redirectUris: uris.map(parseRedirectUri),
    deviceGrant: false,
  });

  it('Q1: a claimed https URI matches exactly the string the operator registered', () => {
    const a = app(['https://App.Example.com/cb', 'https://app.example.org']);
    expect(matchRedirectUri(a, 'https://App.Example.com/cb')).toBe('https://App.Example.com/cb');
    expect(matchRedirectUri(a, 'https://app.example.org')).toBe('https://app.example.org');
    // Exact: another spelling of the same URL is another URI.
    expect(matchRedirectUri(a, 'https://app.example.com/cb')).toBeNull();
    expect(matchRedirectUri(a, 'https://app.example.org/')).toBeNull();
  });

  it('Q1: a loopback URI matches with any port, :80 included, and nothing else', () => {
    const a = app(['http://127.0.0.1/callback', 'http://[::1]/cb']);
    for (const ok of ['http://127.0.0.1:80/callback', 'http://127.0.0.1:53682/callback', 'http://[::1]:65535/cb']) {
      expect(matchRedirectUri(a, ok), ok).toBe(ok);
    }
    for (const bad of [
      'http://127.0.0.1/callback/x',
      'http://127.0.0.1:0/callback',
      'http://127.0.0.1:65536/callback',
      'http://127.0.0.1:080/callback',
      'http://127.0.0.1:5000/x/../callback',
      'http://127.0.0.1:5000/callback#f',
      'http://user@127.0.0.1:5000/callback',
      'http://127.0.0.1:5000/Callback',
      'http://127.0.0.1:5000/callback?x=1',
      'https://127.0.0.1:5000/callback',
      'http://localhost:5000/callback',
      'http://127.0.0.2:5000/callback',
    ]) {
      expect(matchRedirectUri(a, bad), bad).toBeNull();
    }
  });
});
