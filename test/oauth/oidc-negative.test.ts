// Negative tests of the OAuth/OIDC client (SECURITY.md G1-G7, H3, K2) against a real
// OpenID Provider (oidc-provider on loopback) and the real edge. Every rejection is checked
// for its status and stable error code, and for the absence of session cookies.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Client, freePort, startServer, type TestServer } from '../http/server.ts';
import { authorizeOverHttp, CLIENT_ID, CLIENT_SECRET, startIdp, type Idp } from './idp.ts';
import { AuthError } from '../../proxy/core/errors.ts';
import { randomNonce, randomState, randomVerifier, type ProviderClient } from '../../proxy/features/oauth/flow.ts';
import { safeReturnTo } from '../../proxy/features/oauth/return-to.ts';
import { decryptToken, encryptToken, identityRowId, parseTokenKeys } from '../../proxy/features/oauth/token-crypto.ts';
import { sealTransaction, transactionKey, type OAuthTransaction } from '../../proxy/features/oauth/transaction.ts';

const CLIENT2 = { id: 'pgauth-test-2', secret: 'pgauth-test-2-secret-0123456789abcdef' };
const SCOPES = 'openid email profile offline_access';
const TX = 'pgauth-oauth-testidp';
const TX2 = 'pgauth-oauth-testidp2';
const B64URL_128 = /^[A-Za-z0-9_-]{22,}$/;

let idp: Idp;
let srv: TestServer;
let owner: pg.Client;
let metadata: {
  issuer: string;
  authorization_endpoint: string;
  userinfo_endpoint: string;
  authorization_response_iss_parameter_supported?: boolean;
};

beforeAll(async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  idp = await startIdp([`${base}/auth/testidp/callback`, `${base}/auth/testidp2/callback`], [CLIENT2]);
  srv = await startServer({
    PORT: String(port),
    OIDC_TESTIDP_ISSUER: idp.issuer,
    OIDC_TESTIDP_CLIENT_ID: CLIENT_ID,
    OIDC_TESTIDP_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_TESTIDP_SCOPES: SCOPES,
    // A second provider at the same issuer, with its own client and callback (G3 mix-up).
    OIDC_TESTIDP2_ISSUER: idp.issuer,
    OIDC_TESTIDP2_CLIENT_ID: CLIENT2.id,
    OIDC_TESTIDP2_CLIENT_SECRET: CLIENT2.secret,
    OIDC_TESTIDP2_SCOPES: 'openid email',
    POST_LOGIN_REDIRECT: '/healthz',
  });
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  metadata = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
});
afterAll(async () => {
  await owner?.end();
  await srv?.close();
  await idp?.close();
});

/** A login name (= IdP subject, and <login>@idp.example) unique to this run. */
const login = (tag: string) => `${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** GET /auth/<provider>/start and returns the authorization URL it redirects to. */
async function start(client: Client, path = '/auth/testidp/start'): Promise<URL> {
  const res = await client.fetch(path);
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function startAndAuthorize(client: Client, who: string, path?: string): Promise<URL> {
  return authorizeOverHttp((await start(client, path)).href, who);
}

const local = (u: URL) => u.pathname + u.search;

/** The stable error code of either error shape (callback: {error}, app: {errors}). */
async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { error?: { code?: string }; errors?: { extensions?: { code?: string } }[] };
  return body.error?.code ?? body.errors?.[0]?.extensions?.code;
}

/** True when the response starts a session (a non-empty access or refresh cookie). */
function setsSession(res: Response): boolean {
  return res.headers.getSetCookie().some((c) => /^(__Host-)?pgauth-(at|rt)=[^;]+/.test(c));
}

async function sessionsOf(subject: string): Promise<number> {
  const { rows } = await owner.query(
    `select count(*)::int n from app_private.sessions s
    join app_public.user_identities i on i.user_id = s.user_id where i.subject = $1`,
    [subject],
  );
  return rows[0].n;
}

async function identitiesOf(subject: string): Promise<number> {
  const { rows } = await owner.query(`select count(*)::int n from app_public.user_identities where subject = $1`, [
    subject,
  ]);
  return rows[0].n;
}

function freshTx(): OAuthTransaction {
  return {
    provider: 'testidp',
    state: randomState(),
    nonce: randomNonce(),
    verifier: randomVerifier(),
    intent: 'login',
    returnTo: '/',
  };
}

/** A GET with an arbitrary Host header (fetch does not let us set Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('G1: authorization requests', () => {
  it('G1: start redirects to the authorization endpoint with code, PKCE S256, fresh state/nonce, configured scopes and redirect_uri', async () => {
    const c = new Client(srv.url);
    const res = await c.fetch('/auth/testidp/start');
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const url = new URL(res.headers.get('location')!);
    expect(url.origin + url.pathname).toBe(metadata.authorization_endpoint);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(B64URL_128);
    expect(q.get('nonce')).toMatch(B64URL_128);
    expect(q.get('state')).not.toBe(q.get('nonce'));
    expect(q.get('scope')).toBe(SCOPES);
    expect(q.get('redirect_uri')).toBe(`${srv.url}/auth/testidp/callback`);
    expect(q.has('response_mode')).toBe(false);
    // Exactly these parameters: nothing else leaks into the front channel.
    expect([...q.keys()].sort()).toEqual([
      'client_id',
      'code_challenge',
      'code_challenge_method',
      'nonce',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
    ]);
    // The transaction cookie is HttpOnly, Lax and short-lived.
    const tx = res.headers.getSetCookie().find((s) => s.startsWith(`${TX}=`))!;
    expect(tx).toMatch(/HttpOnly/i);
    expect(tx).toMatch(/SameSite=Lax/i);
    expect(tx).toMatch(/Max-Age=600/i);
  });

  it('G1: state, nonce and code_challenge are different on every start', async () => {
    const seen = { state: new Set<string>(), nonce: new Set<string>(), code_challenge: new Set<string>() };
    for (let i = 0; i < 5; i++) {
      const q = (await start(new Client(srv.url))).searchParams;
      for (const k of ['state', 'nonce', 'code_challenge'] as const) seen[k].add(q.get(k)!);
    }
    expect(seen.state.size).toBe(5);
    expect(seen.nonce.size).toBe(5);
    expect(seen.code_challenge.size).toBe(5);
  });

  it('G1: redirect_uri is the configured constant even with spoofed Host / X-Forwarded-Host / X-Forwarded-Proto / Forwarded', async () => {
    const spoof = {
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      forwarded: 'host=evil.example;proto=https',
    };
    const viaFetch = await fetch(`${srv.url}/auth/testidp/start`, { headers: spoof, redirect: 'manual' });
    expect(viaFetch.status).toBe(302);
    const viaHost = await rawGet(`${srv.url}/auth/testidp/start`, { ...spoof, host: 'evil.example' });
    expect(viaHost.status).toBe(302);
    for (const location of [viaFetch.headers.get('location')!, viaHost.location!]) {
      const url = new URL(location);
      expect(url.origin + url.pathname).toBe(metadata.authorization_endpoint);
      expect(url.searchParams.get('redirect_uri')).toBe(`${srv.url}/auth/testidp/callback`);
      expect(location).not.toContain('evil.example');
    }
  });
});

describe('G2: the callback fails closed', () => {
  it('G2: a callback without the transaction cookie is 400 OAUTH and starts no session', async () => {
    const who = login('nocookie');
    const back = await startAndAuthorize(new Client(srv.url), who);
    const stranger = new Client(srv.url);
    const res = await stranger.fetch(local(back));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(setsSession(res)).toBe(false);
    expect(await stranger.cookie('pgauth-at')).toBeUndefined();
    expect(await identitiesOf(who)).toBe(0);
  });

  it('G2: a forged (undecryptable) transaction cookie is 400 OAUTH', async () => {
    const who = login('forged');
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, who);
    await c.jar.setCookie(
      `${TX}=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`,
      srv.url,
    );
    const res = await c.fetch(local(back));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(setsSession(res)).toBe(false);
    expect(await identitiesOf(who)).toBe(0);
  });

  it('G2: a wrong state is 400 OAUTH, starts no session, and clears the transaction cookie', async () => {
    const who = login('badstate');
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, who);
    back.searchParams.set('state', randomState());
    const res = await c.fetch(local(back));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(setsSession(res)).toBe(false);
    expect(res.headers.getSetCookie().some((s) => s.startsWith(`${TX}=;`) && /Max-Age=0/i.test(s))).toBe(true);
    expect(await identitiesOf(who)).toBe(0);
  });

  it('G2: a missing state is 400 OAUTH', async () => {
    const who = login('nostate');
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, who);
    back.searchParams.delete('state');
    const res = await c.fetch(local(back));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(setsSession(res)).toBe(false);
  });

  it('G2: replaying a completed callback with the old transaction cookie fails and starts no new session', async () => {
    const who = login('replay');
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, who);
    const tx = (await c.jar.getCookies(srv.url)).find((k) => k.key === TX)!;
    expect(tx?.value).toBeTruthy();

    const first = await c.fetch(local(back));
    expect(first.status).toBe(303);
    expect(setsSession(first)).toBe(true);
    // One-shot: the first callback clears the transaction cookie.
    expect(first.headers.getSetCookie().some((s) => s.startsWith(`${TX}=;`) && /Max-Age=0/i.test(s))).toBe(true);
    expect(await c.cookie(TX)).toBeUndefined();
    expect(await sessionsOf(who)).toBe(1);

    // The same browser again: no transaction any more.
    const same = await c.fetch(local(back));
    expect(same.status).toBe(400);
    expect(await errorCode(same)).toBe('OAUTH');

    // An attacker who kept the transaction cookie: the state matches, but the code is spent.
    const attacker = new Client(srv.url);
    await attacker.jar.setCookie(`${TX}=${tx.value}`, srv.url);
    const replay = await attacker.fetch(local(back));
    expect(replay.status).toBe(400);
    expect(await errorCode(replay)).toBe('OAUTH');
    expect(setsSession(replay)).toBe(false);
    expect(await attacker.cookie('pgauth-at')).toBeUndefined();
    expect(await sessionsOf(who)).toBe(1);
  });

  it('G2: a wrong PKCE verifier makes the code exchange fail (ProviderClient.callback → OAUTH)', async () => {
    const client = srv.edge.oauthClients.get('testidp')!;
    const tx = freshTx();
    const redirect = await authorizeOverHttp((await client.authorizationUrl(tx)).href, login('pkce'));
    const err = await client
      .callback(redirect.searchParams, { ...tx, verifier: randomVerifier() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('OAUTH');
  });
});

describe('G2/G4: nonce', () => {
  let client: ProviderClient;
  beforeAll(() => {
    client = srv.edge.oauthClients.get('testidp')!;
  });

  it('G2/G4: an ID token whose nonce differs from the transaction is rejected with OAUTH', async () => {
    const tx = freshTx();
    const redirect = await authorizeOverHttp((await client.authorizationUrl(tx)).href, login('nonce'));
    expect(redirect.searchParams.get('state')).toBe(tx.state);
    const err = await client.callback(redirect.searchParams, { ...tx, nonce: randomNonce() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('OAUTH');
  });

  it('G2/G4 (control): the same flow with the right nonce returns the account', async () => {
    const who = login('noncectl');
    const tx = freshTx();
    const redirect = await authorizeOverHttp((await client.authorizationUrl(tx)).href, who);
    const account = await client.callback(redirect.searchParams, tx);
    expect(account.subject).toBe(who);
    expect(account.issuer).toBe(idp.issuer);
    expect(account.email).toBe(`${who}@idp.example`);
    expect(account.accessToken).toBeTruthy();
  });

  it('G2: ProviderClient.callback checks the state it is given explicitly', async () => {
    const tx = freshTx();
    const redirect = await authorizeOverHttp((await client.authorizationUrl(tx)).href, login('xstate'));
    const err = await client.callback(redirect.searchParams, { ...tx, state: randomState() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('OAUTH');
  });
});

describe('G3: issuer and mix-up', () => {
  it('G3: the IdP advertises and sends RFC 9207 iss (precondition)', async () => {
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    const back = await startAndAuthorize(new Client(srv.url), login('isspre'));
    expect(back.searchParams.get('iss')).toBe(idp.issuer);
  });

  it('G3: a callback whose iss parameter is changed is 400 OAUTH with no session', async () => {
    const who = login('iss');
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, who);
    back.searchParams.set('iss', 'https://evil.example');
    const res = await c.fetch(local(back));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(setsSession(res)).toBe(false);
    expect(await identitiesOf(who)).toBe(0);
  });

  it('G3: a callback without iss (the IdP advertises it) is 400 OAUTH', async () => {
    const who = login('noiss');
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, who);
    back.searchParams.delete('iss');
    const res = await c.fetch(local(back));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(setsSession(res)).toBe(false);
  });

  it('G3: each provider has its own callback URL and client', async () => {
    const a = (await start(new Client(srv.url), '/auth/testidp/start')).searchParams;
    const b = (await start(new Client(srv.url), '/auth/testidp2/start')).searchParams;
    expect(a.get('redirect_uri')).toBe(`${srv.url}/auth/testidp/callback`);
    expect(b.get('redirect_uri')).toBe(`${srv.url}/auth/testidp2/callback`);
    expect(b.get('client_id')).toBe(CLIENT2.id);
    expect(b.get('scope')).toBe('openid email');
  });

  it("G3: testidp's code and state delivered to testidp2's callback are refused (mix-up), and no session starts", async () => {
    const who = login('mixup');
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, who);
    const wrong = `/auth/testidp2/callback${back.search}`;

    // 1. No testidp2 transaction in this browser.
    const noTx = await c.fetch(wrong);
    expect(noTx.status).toBe(400);
    expect(await errorCode(noTx)).toBe('OAUTH');
    expect(setsSession(noTx)).toBe(false);

    // 2. testidp's transaction presented under testidp2's cookie name: the transaction
    //    remembers its provider.
    const tx = (await c.jar.getCookies(srv.url)).find((k) => k.key === TX)!;
    await c.jar.setCookie(`${TX2}=${tx.value}`, srv.url);
    const transplanted = await c.fetch(wrong);
    expect(transplanted.status).toBe(400);
    expect(await errorCode(transplanted)).toBe('OAUTH');
    expect(setsSession(transplanted)).toBe(false);

    // 3. A genuine testidp2 transaction in the same browser: its state differs.
    await start(c, '/auth/testidp2/start');
    const bothStarted = await c.fetch(wrong);
    expect(bothStarted.status).toBe(400);
    expect(await errorCode(bothStarted)).toBe('OAUTH');
    expect(setsSession(bothStarted)).toBe(false);
    expect(await identitiesOf(who)).toBe(0);

    // Control: the code was never spent, and the right callback still accepts it.
    const right = await c.fetch(local(back));
    expect(right.status).toBe(303);
    expect(setsSession(right)).toBe(true);
    const { rows } = await owner.query(`select provider from app_public.user_identities where subject = $1`, [who]);
    expect(rows).toEqual([{ provider: 'testidp' }]);
  });

  it('G3: a transaction sealed for testidp is refused at the testidp2 callback even when testidp2 would accept the code', async () => {
    // Isolates the "transaction remembers its provider" check from the IdP's own binding of
    // the code to client and redirect_uri: the code and state below are valid for testidp2.
    const who = login('txprov');
    const client2 = srv.edge.oauthClients.get('testidp2')!;
    const tx: OAuthTransaction = { ...freshTx(), provider: 'testidp' };
    const redirect = await authorizeOverHttp((await client2.authorizationUrl(tx)).href, who);
    expect(redirect.pathname).toBe('/auth/testidp2/callback');
    const sealed = await sealTransaction(transactionKey(srv.cfg.csrfSecret), tx);
    const c = new Client(srv.url);
    await c.jar.setCookie(`${TX2}=${sealed}`, srv.url);
    const res = await c.fetch(local(redirect));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(setsSession(res)).toBe(false);
    expect(await identitiesOf(who)).toBe(0);

    // Control: the same kind of transaction sealed for testidp2 completes.
    const ok = new Client(srv.url);
    const tx2: OAuthTransaction = { ...freshTx(), provider: 'testidp2' };
    const redirect2 = await authorizeOverHttp((await client2.authorizationUrl(tx2)).href, login('txprov2'));
    await ok.jar.setCookie(`${TX2}=${await sealTransaction(transactionKey(srv.cfg.csrfSecret), tx2)}`, srv.url);
    const done = await ok.fetch(local(redirect2));
    expect(done.status).toBe(303);
    expect(setsSession(done)).toBe(true);
  });
});

describe('G6: no open redirect', () => {
  const rejected = [
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https:evil.example',
    'https://evil.example',
    'HTTPS://evil.example',
    '%2F%2Fevil.example',
    '/%2F%2Fevil.example',
    '/%2f%2fevil.example',
    '/%252F%252Fevil.example',
    '/%5Cevil.example',
    '/%5cevil.example',
    '%5C%5Cevil.example',
    'javascript:alert(1)',
    'evil.example',
    '/\tevil.example',
    '/\n/evil.example',
    '/ /evil.example',
    '/%09/evil.example',
    '/%E0%A4%A',
  ];
  it.each(rejected)('G6: safeReturnTo rejects %j', (raw) => {
    expect(safeReturnTo(raw, '/')).toBe('/');
  });

  it.each(['/ok?x=1', '/', '/a/b#frag', '/ok?next=//evil.example'])(
    'G6: safeReturnTo keeps the same-origin path %j',
    (raw) => {
      expect(safeReturnTo(raw, '/fallback')).toBe(raw);
    },
  );

  it('G6: an empty or absent returnTo gives the fallback', () => {
    expect(safeReturnTo(undefined, '/x')).toBe('/x');
    expect(safeReturnTo(null, '/x')).toBe('/x');
    expect(safeReturnTo('', '/x')).toBe('/x');
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example'])(
    'G6: end to end, returnTo=%j ends at POST_LOGIN_REDIRECT, never the evil URL',
    async (raw) => {
      const c = new Client(srv.url);
      const back = await startAndAuthorize(c, login('g6'), `/auth/testidp/start?returnTo=${encodeURIComponent(raw)}`);
      const done = await c.fetch(local(back));
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/healthz');
      expect(setsSession(done)).toBe(true);
    },
  );
});

describe('G7: provider errors and outages', () => {
  let down: TestServer;
  let silent: NetServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    const closed = await freePort(); // nothing listens there
    // A provider that accepts connections and never answers.
    silent = createNetServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as AddressInfo).port;
    down = await startServer({
      OAUTH_PROVIDER_TIMEOUT_MS: '800',
      OIDC_SILENT_ISSUER: `http://127.0.0.1:${silentPort}`,
      OIDC_SILENT_CLIENT_ID: 'silent-client',
      OIDC_SILENT_CLIENT_SECRET: 'silent-secret-0123456789abcdef',
      OIDC_DOWN_ISSUER: `http://127.0.0.1:${closed}`,
      OIDC_DOWN_CLIENT_ID: 'down-client',
      OIDC_DOWN_CLIENT_SECRET: 'down-secret-0123456789abcdef',
      // The real IdP under another name: discovery answers with an issuer that differs (G4).
      OIDC_WRONGISS_ISSUER: idp.issuer.replace('127.0.0.1', 'localhost'),
      OIDC_WRONGISS_CLIENT_ID: CLIENT_ID,
      OIDC_WRONGISS_CLIENT_SECRET: CLIENT_SECRET,
    });
  });
  afterAll(async () => {
    await down?.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent?.close(r));
  });

  it('G7: a provider that accepts the connection and never answers is 502 UPSTREAM after the timeout', {
    timeout: 5_000,
  }, async () => {
    const res = await fetch(`${down.url}/auth/silent/start`, { redirect: 'manual' });
    expect(res.status).toBe(502);
    expect(await errorCode(res)).toBe('UPSTREAM');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(sockets.length).toBeGreaterThan(0); // it really connected
  });

  // The per-test timeout is the hang guard: the edge must answer, not wait on the provider.
  it('G7: a provider that is down answers 502 UPSTREAM promptly and sets no cookies', { timeout: 5_000 }, async () => {
    const res = await fetch(`${down.url}/auth/down/start`, { redirect: 'manual' });
    expect(res.status).toBe(502);
    expect(await errorCode(res)).toBe('UPSTREAM');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('G4/G7: a discovered issuer that differs from the configured one is refused cleanly, with no redirect or cookie', async () => {
    const res = await fetch(`${down.url}/auth/wrongiss/start`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('G7: an unknown provider is 404 on start and callback', async () => {
    const startRes = await fetch(`${srv.url}/auth/nope/start`, { redirect: 'manual' });
    expect(startRes.status).toBe(404);
    expect(await errorCode(startRes)).toBe('NTFND');
    expect(startRes.headers.getSetCookie()).toEqual([]);
    const cb = await fetch(`${srv.url}/auth/nope/callback?code=x&state=y`, { redirect: 'manual' });
    expect(cb.status).toBe(404);
    expect(setsSession(cb)).toBe(false);
  });

  it('G7: an error response from the provider (access_denied) is 400 OAUTH with no session', async () => {
    const c = new Client(srv.url);
    const auth = await start(c);
    const q = new URLSearchParams({ error: 'access_denied', state: auth.searchParams.get('state')!, iss: idp.issuer });
    const res = await c.fetch(`/auth/testidp/callback?${q}`);
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('OAUTH');
    expect(setsSession(res)).toBe(false);
  });
});

describe('H3: provider tokens at rest', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  const keys = parseTokenKeys(`k1:${k1}`);

  it('H3: encrypt/decrypt round trip, with a fresh IV every time', () => {
    const a = encryptToken(keys, 'iss|alice', 'access_token', 'secret-token');
    const b = encryptToken(keys, 'iss|alice', 'access_token', 'secret-token');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('secret-token'))).toBe(false);
    expect(decryptToken(keys, 'k1', 'iss|alice', 'access_token', a)).toBe('secret-token');
    expect(decryptToken(keys, 'k1', 'iss|alice', 'access_token', b)).toBe('secret-token');
  });

  it('H3: decrypting with another row id or another column fails', () => {
    const blob = encryptToken(keys, 'iss|alice', 'access_token', 'secret-token');
    expect(() => decryptToken(keys, 'k1', 'iss|bob', 'access_token', blob)).toThrow();
    expect(() => decryptToken(keys, 'k1', 'iss|alice', 'refresh_token', blob)).toThrow();
  });

  it('H3: swapping the ciphertexts of two rows fails', () => {
    const a = encryptToken(keys, 'iss|alice', 'access_token', 'token-a');
    const b = encryptToken(keys, 'iss|bob', 'access_token', 'token-b');
    expect(() => decryptToken(keys, 'k1', 'iss|alice', 'access_token', b)).toThrow();
    expect(() => decryptToken(keys, 'k1', 'iss|bob', 'access_token', a)).toThrow();
  });

  it('H3: a tampered ciphertext or tag fails', () => {
    const blob = encryptToken(keys, 'iss|alice', 'access_token', 'secret-token');
    for (const i of [0, 12, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[i]! ^= 1;
      expect(() => decryptToken(keys, 'k1', 'iss|alice', 'access_token', bad)).toThrow();
    }
  });

  it('H3: an unknown key id fails, and a known id with other key material fails', () => {
    const blob = encryptToken(keys, 'iss|alice', 'access_token', 'secret-token');
    expect(() => decryptToken(keys, 'k9', 'iss|alice', 'access_token', blob)).toThrow(/unknown token key/);
    const impostor = parseTokenKeys(`k1:${k2}`);
    expect(() => decryptToken(impostor, 'k1', 'iss|alice', 'access_token', blob)).toThrow();
  });

  it('H3: a new key added in front encrypts new tokens while k1 tokens still decrypt', () => {
    const old = encryptToken(keys, 'iss|alice', 'access_token', 'old-token');
    const rotated = parseTokenKeys(`k2:${k2},k1:${k1}`);
    expect(rotated.current).toBe('k2');
    expect(decryptToken(rotated, 'k1', 'iss|alice', 'access_token', old)).toBe('old-token');
    const fresh = encryptToken(rotated, 'iss|alice', 'access_token', 'new-token');
    expect(decryptToken(rotated, 'k2', 'iss|alice', 'access_token', fresh)).toBe('new-token');
    expect(() => decryptToken(rotated, 'k1', 'iss|alice', 'access_token', fresh)).toThrow();
    expect(() => decryptToken(keys, 'k2', 'iss|alice', 'access_token', fresh)).toThrow(/unknown token key/);
  });

  it('H3: malformed key specs are refused', () => {
    expect(() => parseTokenKeys('')).toThrow();
    expect(() => parseTokenKeys('k1:c2hvcnQ=')).toThrow();
    expect(() => parseTokenKeys(`:${k1}`)).toThrow();
  });

  it('H3: stored tokens decrypt only with their own row identity (real sign-ins, owner connection)', async () => {
    const a = login('h3a');
    const b = login('h3b');
    for (const who of [a, b]) {
      const c = new Client(srv.url);
      const done = await c.fetch(local(await startAndAuthorize(c, who)));
      expect(done.status).toBe(303);
    }
    const { rows } = await owner.query<{
      issuer: string;
      subject: string;
      key_id: string;
      access_token_enc: Buffer;
      refresh_token_enc: Buffer | null;
    }>(
      `select i.issuer, i.subject, t.key_id, t.access_token_enc, t.refresh_token_enc from app_private.user_identity_tokens t
       join app_public.user_identities i on i.id = t.identity_id where i.subject = any($1)`,
      [[a, b]],
    );
    const ra = rows.find((r) => r.subject === a)!;
    const rb = rows.find((r) => r.subject === b)!;
    expect(ra && rb).toBeTruthy();
    const tk = srv.cfg.oauth.tokenKeys!;
    expect(ra.key_id).toBe(tk.current);
    const rowA = identityRowId(ra.issuer, ra.subject);
    const rowB = identityRowId(rb.issuer, rb.subject);

    const plain = decryptToken(tk, ra.key_id, rowA, 'access_token', ra.access_token_enc);
    expect(plain.length).toBeGreaterThan(10);
    expect(ra.access_token_enc.includes(Buffer.from(plain))).toBe(false);
    // The decrypted value is the real access token: the IdP's UserInfo accepts it for A.
    const me = await fetch(metadata.userinfo_endpoint, { headers: { authorization: `Bearer ${plain}` } });
    expect(me.status).toBe(200);
    expect((await me.json()).sub).toBe(a);

    expect(decryptToken(tk, rb.key_id, rowB, 'access_token', rb.access_token_enc)).toBeTruthy();
    // Swapped rows fail.
    expect(() => decryptToken(tk, ra.key_id, rowA, 'access_token', rb.access_token_enc)).toThrow();
    expect(() => decryptToken(tk, rb.key_id, rowB, 'access_token', ra.access_token_enc)).toThrow();
    // Swapped columns fail.
    expect(ra.refresh_token_enc).not.toBeNull();
    expect(decryptToken(tk, ra.key_id, rowA, 'refresh_token', ra.refresh_token_enc!)).toBeTruthy();
    expect(() => decryptToken(tk, ra.key_id, rowA, 'access_token', ra.refresh_token_enc!)).toThrow();
    expect(() => decryptToken(tk, ra.key_id, rowA, 'refresh_token', ra.access_token_enc)).toThrow();
  });
});

describe('K2: rejected callbacks are audited', () => {
  it('K2: a callback with a wrong state writes an oauth_rejected audit row', async () => {
    const count = async () =>
      (
        await owner.query(`select count(*)::int n from app_public.audit_log
      where event = 'oauth_rejected' and detail->>'provider' = 'testidp' and detail->>'reason' = 'OAUTH'`)
      ).rows[0].n as number;
    const before = await count();
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, login('audit'));
    back.searchParams.set('state', randomState());
    const res = await c.fetch(local(back));
    expect(res.status).toBe(400);
    expect(await count()).toBeGreaterThan(before);
    // The audit row carries no secrets from the callback.
    const { rows } = await owner.query(
      `select detail from app_public.audit_log where event = 'oauth_rejected' order by id desc limit 1`,
    );
    expect(JSON.stringify(rows[0].detail)).not.toContain(back.searchParams.get('code')!);
  });
});
