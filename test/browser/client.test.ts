// The browser client (client/, issue 14) in Debian's Chromium against the real edge. The
// built bundle (npm run client:build, run here first) is served from the edge's own origin by
// Playwright's routing (`/__client/...` never reaches the server), so cookies, CSRF and
// BroadcastChannel behave as in an app served next to the API. Pages of one browser context
// are tabs of one browser: they share cookies, storage, locks and the channel.
// Refresh calls are counted where the browser hands them to the network; the database shows
// how many times the refresh token really rotated.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse, validate } from 'graphql';
import * as OTPAuth from 'otpauth';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPS } from '../../client/src/operations.ts';
import { liveSchema } from '../../client/scripts/schema.ts';
import { signAccessToken } from '../../proxy/core/tokens.ts';
import { closeOwner, owner } from '../http/helpers.ts';
import { CLIENT_ID, CLIENT_SECRET, type Idp, startIdp } from '../oauth/idp.ts';
import { email, freePort, PASSWORD, startServer, type TestServer, useServer } from '../http/server.ts';

const ROOT = join(import.meta.dirname, '../..');
const DIST = join(ROOT, 'client/dist');
const PAGE = `<!doctype html><html lang="en"><head><title>client test</title></head><body>
<script type="module">
import * as pgauth from '/__client/index.js';
window.pgauth = pgauth;
window.events = [];
window.auth = pgauth.createAuthClient();
auth.onAuthStateChange((event, state) => events.push({ event, status: state.status }));
window.settle = (p) => p.then((value) => ({ ok: true, value }), (e) => ({ ok: false, code: e.code ?? String(e) }));
window.clientReady = true;
</script></body></html>`;

const srv = useServer();
let browser: Browser;

beforeAll(() => {
  // `npm test` builds the client here (esbuild at the root), so the test runs what ships.
  execFileSync('npm', ['run', '-s', 'client:build'], { cwd: ROOT, stdio: 'inherit' });
});
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await closeOwner();
});

interface Browserish {
  context: BrowserContext;
  /** Refresh mutations this browser sent to the edge. */
  refreshes: () => number;
  /** Each GraphQL and /auth/csrf answer: operation, status, code. */
  log: () => string;
  tab(): Promise<Page>;
}

/** A fresh browser (cookie jar, storage) whose pages load the client from the edge's origin. */
async function newBrowser(base = srv.url): Promise<Browserish> {
  const context = await browser.newContext({ bypassCSP: true });
  let refreshes = 0;
  await context.route(`${base}/__client/**`, (route) => {
    const path = new URL(route.request().url()).pathname.replace('/__client/', '');
    if (path === '' || path === 'index.html') return route.fulfill({ contentType: 'text/html', body: PAGE });
    if (!/^[\w-]+\.js$/.test(path)) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(DIST, path), 'utf8') });
  });
  await context.route(`${base}/graphql`, (route) => {
    if (route.request().postData()?.includes('PgauthRefresh')) refreshes++;
    return route.continue();
  });
  // What each refresh and each failed request answered: the message of a failed count.
  const log: string[] = [];
  context.on('response', async (res) => {
    if (!res.url().endsWith('/graphql') && !res.url().includes('/auth/csrf')) return;
    const op = /(Pgauth\w+)/.exec(res.request().postData() ?? '')?.[1] ?? res.url().replace(base, '');
    const body = await res.text().catch(() => '');
    const code = /"code":"(\w+)"/.exec(body)?.[1] ?? 'ok';
    log.push(`${op} ${res.status()} ${code}`);
  });
  return {
    context,
    refreshes: () => refreshes,
    log: () => log.join('; '),
    async tab() {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e));
      await page.goto(`${base}/__client/`);
      await page.waitForFunction(() => (window as unknown as { clientReady?: boolean }).clientReady === true);
      return page;
    },
  };
}

// Page-side helpers, typed loosely: the page's globals are the client and its event log.
type Settled = { ok: boolean; value?: unknown; code?: string };
// biome-ignore lint/suspicious/noExplicitAny: page globals (window.auth, window.events) are untyped here
type W = any;

async function signUp(page: Page): Promise<{ userId: string; sessionId: string }> {
  const r = (await page.evaluate(
    ([e, p]) => (window as W).settle((window as W).auth.signUp({ email: e, password: p, name: 'Tab' })),
    [email('client'), PASSWORD],
  )) as Settled;
  expect(r).toMatchObject({ ok: true, value: { mfaRequired: false } });
  return (await hintOf(page))!;
}

/** What the client remembers of the session (the `pgauth-session` cookie), or null. */
async function hintOf(page: Page): Promise<{ userId: string; sessionId: string; expiresAt: number } | null> {
  const raw = await page.evaluate(() => document.cookie.match(/(?:^|; )pgauth-session=([^;]*)/)?.[1] ?? null);
  return raw ? JSON.parse(decodeURIComponent(raw)) : null;
}

/** What the browser does when the access cookie's Max-Age runs out: it no longer sends it. */
async function expireAccessCookie(b: Browserish): Promise<void> {
  await b.context.clearCookies({ name: 'pgauth-at' });
}

/** The access token's lifetime is over: the browser dropped the cookie, the known expiry is past. */
async function timePasses(b: Browserish, page: Page): Promise<void> {
  await expireAccessCookie(b);
  const h = await hintOf(page);
  const value = encodeURIComponent(JSON.stringify({ ...h, expiresAt: Date.now() - 1000 }));
  const domain = new URL(page.url()).hostname;
  await b.context.addCookies([{ name: 'pgauth-session', value, domain, path: '/', sameSite: 'Strict' }]);
}

async function refreshTokens(sessionId: string) {
  return owner<{ rotated: boolean; revoked: boolean }>(
    `select rotated_at is not null as rotated, revoked_at is not null as revoked
       from app_private.refresh_tokens where session_id = $1 order by id`,
    [sessionId],
  );
}

async function sessionRevoked(sessionId: string): Promise<string | null> {
  const [s] = await owner<{ revoked_reason: string | null; revoked_at: Date | null }>(
    'select revoked_reason, revoked_at from app_private.sessions where id = $1',
    [sessionId],
  );
  return s?.revoked_at ? (s.revoked_reason ?? 'revoked') : null;
}

const LIST = () => (window as W).settle((window as W).auth.sessions.list());
const USER = () => (window as W).settle((window as W).auth.getUser());
const eventsOf = (page: Page) => page.evaluate(() => (window as W).events.map((e: { event: string }) => e.event));

describe('client: refresh', () => {
  it('concurrent requests with an expired access token produce exactly one refresh, then succeed', async () => {
    const b = await newBrowser();
    const tab = await b.tab();
    const { userId, sessionId } = await signUp(tab);
    expect(await refreshTokens(sessionId)).toEqual([{ rotated: false, revoked: false }]);
    // An access token that expired a minute ago, signed by the server's own key.
    const expired = await signAccessToken(
      srv.keys,
      { issuer: srv.cfg.publicOrigin, audience: srv.cfg.audience, ttlSeconds: -60, clientId: srv.cfg.jwtClientId },
      { sub: userId, sid: sessionId, role: 'app_user' },
    );
    await b.context.addCookies([{ name: 'pgauth-at', value: expired, url: srv.url, httpOnly: true, sameSite: 'Lax' }]);
    // Without the client, the edge answers this request as anonymous: LOGIN.
    const bare = await tab.evaluate(async () => {
      const csrf = decodeURIComponent(document.cookie.match(/pgauth-csrf=([^;]+)/)![1]!);
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ query: '{ mySessions { nodes { rowId } } }' }),
      });
      return (await r.json()).errors?.[0]?.extensions?.code;
    });
    expect(bare).toBe('LOGIN');

    const results = (await tab.evaluate(() =>
      Promise.all([
        ...Array.from({ length: 6 }, () =>
          (window as W).settle((window as W).auth.graphql('{ mySessions { nodes { rowId isCurrent } } }')),
        ),
        (window as W).settle((window as W).auth.sessions.list()),
        (window as W).settle((window as W).auth.getUser()),
      ]),
    )) as Settled[];
    for (const r of results) expect(r.ok, JSON.stringify(r)).toBe(true);
    expect((results.at(-1)!.value as { id: string }).id).toBe(userId);
    expect(b.refreshes(), b.log()).toBe(1);
    // The refresh token rotated exactly once (a second rotation of the same token would be REUSE).
    expect(await refreshTokens(sessionId)).toEqual([
      { rotated: true, revoked: false },
      { rotated: false, revoked: false },
    ]);
    expect(await sessionRevoked(sessionId)).toBeNull();
    expect(await eventsOf(tab)).toContain('TOKEN_REFRESHED');
    await b.context.close();
  });

  it('F3 (!): two tabs refreshing at once do not log each other out: one rotation, both continue', async () => {
    const b = await newBrowser();
    const [a, c] = [await b.tab(), await b.tab()];
    const { userId, sessionId } = await signUp(a);
    await c.waitForFunction(() => (window as W).auth.state.status === 'signed-in'); // told by tab a
    expect(((await c.evaluate(USER)) as Settled).value).toMatchObject({ id: userId });
    await expireAccessCookie(b);
    const burst = () =>
      Promise.all(Array.from({ length: 4 }, () => (window as W).settle((window as W).auth.sessions.list())));
    const [ra, rc] = (await Promise.all([a.evaluate(burst), c.evaluate(burst)])) as Settled[][];
    for (const r of [...ra!, ...rc!]) expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(b.refreshes(), b.log()).toBe(1);
    expect(await refreshTokens(sessionId)).toEqual([
      { rotated: true, revoked: false },
      { rotated: false, revoked: false },
    ]);
    expect(await sessionRevoked(sessionId)).toBeNull();
    // Later requests of both tabs still work, with no further refresh.
    for (const t of [a, c]) expect(((await t.evaluate(USER)) as Settled).value).toMatchObject({ id: userId });
    expect(b.refreshes(), b.log()).toBe(1);
    // Again when the known expiry has passed (refreshed before sending, under the same lock).
    await timePasses(b, a);
    const [ra2, rc2] = (await Promise.all([a.evaluate(burst), c.evaluate(burst)])) as Settled[][];
    for (const r of [...ra2!, ...rc2!]) expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(b.refreshes(), b.log()).toBe(2);
    expect((await refreshTokens(sessionId)).map((t) => t.rotated)).toEqual([true, true, false]);
    expect(await sessionRevoked(sessionId)).toBeNull();
    for (const t of [a, c]) expect(await eventsOf(t)).not.toContain('SIGNED_OUT');
    await b.context.close();
  });
});

describe('client: the end of a session', () => {
  it('sign-out in one tab reaches the other (BroadcastChannel)', async () => {
    const b = await newBrowser();
    const [a, c] = [await b.tab(), await b.tab()];
    const { sessionId } = await signUp(a);
    await c.waitForFunction(() => (window as W).auth.state.status === 'signed-in');
    await a.evaluate(() => (window as W).auth.signOut());
    await c.waitForFunction(() => (window as W).events.some((e: { event: string }) => e.event === 'SIGNED_OUT'));
    expect(await c.evaluate(() => (window as W).auth.state)).toMatchObject({ status: 'signed-out', user: null });
    expect(((await c.evaluate(USER)) as Settled).value).toBeNull();
    expect(await sessionRevoked(sessionId)).not.toBeNull();
    // Nothing tried to refresh the ended session.
    expect(b.refreshes()).toBe(0);
    await b.context.close();
  });

  it('TOKEN (a revoked session) ends in signed-out, in this tab and the other, with onAuthStateChange told', async () => {
    const b = await newBrowser();
    const [a, c] = [await b.tab(), await b.tab()];
    const { sessionId } = await signUp(a);
    await c.waitForFunction(() => (window as W).auth.state.status === 'signed-in');
    // Revoked elsewhere (an admin, "sign out everywhere" on another device).
    await owner(`update app_private.sessions set revoked_at = now(), revoked_reason = 'test' where id = $1`, [
      sessionId,
    ]);
    await expireAccessCookie(b);
    const r = (await a.evaluate(LIST)) as Settled;
    expect(r).toMatchObject({ ok: false, code: 'LOGIN' });
    expect(b.refreshes(), b.log()).toBe(1);
    expect(await a.evaluate(() => (window as W).auth.state.status)).toBe('signed-out');
    expect(await eventsOf(a)).toContain('SIGNED_OUT');
    await c.waitForFunction(() => (window as W).events.some((e: { event: string }) => e.event === 'SIGNED_OUT'));
    expect(await hintOf(a)).toBeNull();
    // Signed out means no more refresh attempts.
    expect(((await a.evaluate(LIST)) as Settled).code).toBe('LOGIN');
    expect(b.refreshes(), b.log()).toBe(1);
    await b.context.close();
  });

  it('REUSE (a stolen, older refresh token replayed) ends in signed-out with onAuthStateChange told', async () => {
    const b = await newBrowser();
    const tab = await b.tab();
    const { sessionId } = await signUp(tab);
    const rt = async () => (await b.context.cookies(srv.url)).find((c) => c.name === 'pgauth-rt')!;
    const t0 = await rt();
    expect(await tab.evaluate(() => (window as W).auth.refresh())).toBe(true);
    expect(await tab.evaluate(() => (window as W).auth.refresh())).toBe(true);
    expect((await rt()).value).not.toBe(t0.value);
    await b.context.addCookies([t0]); // an older token than the newest's predecessor: reuse
    await expireAccessCookie(b);
    const r = (await tab.evaluate(LIST)) as Settled;
    expect(r).toMatchObject({ ok: false, code: 'LOGIN' });
    expect(await sessionRevoked(sessionId)).toBe('refresh_token_reuse');
    expect(await tab.evaluate(() => (window as W).auth.state.status)).toBe('signed-out');
    expect(await eventsOf(tab)).toEqual(['SIGNED_IN', 'TOKEN_REFRESHED', 'TOKEN_REFRESHED', 'SIGNED_OUT']);
    await b.context.close();
  });
});

const totp = (secret: string, offsetSteps = 0) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + offsetSteps * 30_000,
  });

describe('client: second factor', () => {
  it('signIn answers mfaRequired (state mfa-required, MFA_REQUIRED); completeMfa with a TOTP code or a recovery code signs in', async () => {
    const b = await newBrowser();
    const tab = await b.tab();
    await signUp(tab);
    const e = await tab.evaluate(() => (window as W).auth.state.user.email);
    const enrol = (await tab.evaluate(() =>
      (window as W).auth.graphql('mutation { enrollTotp(input: { friendlyName: "phone" }) { factorId secret } }'),
    )) as { enrollTotp: { factorId: string; secret: string } };
    const { factorId, secret } = enrol.enrollTotp;
    const verified = (await tab.evaluate(
      ([f, c]) =>
        (window as W).auth.graphql(
          'mutation ($f: UUID!, $c: String!) { verifyTotpEnrollment(input: { factorId: $f, code: $c }) { recoveryCodes } }',
          { f, c },
        ),
      [factorId, totp(secret)],
    )) as { verifyTotpEnrollment: { recoveryCodes: string[] } };
    await tab.evaluate(() => (window as W).auth.signOut());

    const signIn = () =>
      tab.evaluate(([em, p]) => (window as W).auth.signIn({ email: em, password: p }), [e, PASSWORD]) as Promise<{
        mfaRequired: boolean;
        factors: { id: string; kind: string }[];
      }>;
    const first = await signIn();
    expect(first).toEqual({ mfaRequired: true, factors: [{ id: factorId, kind: 'totp', friendlyName: 'phone' }] });
    expect(await tab.evaluate(() => (window as W).auth.state.status)).toBe('mfa-required');
    // The pending session reads as nobody, and that does not sign the client out.
    expect(((await tab.evaluate(USER)) as Settled).value).toBeNull();
    expect(await tab.evaluate(() => (window as W).auth.state.status)).toBe('mfa-required');
    const wrong = (await tab.evaluate(
      (f) => (window as W).settle((window as W).auth.completeMfa({ factorId: f, code: '000000' })),
      factorId,
    )) as Settled;
    expect(wrong).toMatchObject({ ok: false, code: 'MFAIN' });
    const done = (await tab.evaluate(
      ([f, c]) => (window as W).auth.completeMfa({ factorId: f, code: c }),
      [factorId, totp(secret, 1)],
    )) as { mfaRequired: boolean; user: { email: string } };
    expect(done).toMatchObject({ mfaRequired: false, user: { email: e } });
    expect(await tab.evaluate(() => (window as W).auth.state.status)).toBe('signed-in');

    await tab.evaluate(() => (window as W).auth.signOut());
    expect((await signIn()).mfaRequired).toBe(true);
    const recovered = (await tab.evaluate(
      (c) => (window as W).auth.completeMfa({ recoveryCode: c }),
      verified.verifyTotpEnrollment.recoveryCodes[0]!,
    )) as { user: { email: string } };
    expect(recovered.user.email).toBe(e);
    expect(await eventsOf(tab)).toEqual([
      'SIGNED_IN',
      'SIGNED_OUT',
      'MFA_REQUIRED',
      'SIGNED_IN',
      'SIGNED_OUT',
      'MFA_REQUIRED',
      'SIGNED_IN',
    ]);
    await b.context.close();
  });
});

describe('client: React bindings', () => {
  it('AuthProvider, useAuth and useUser render the state and follow sign-in here and sign-out in another tab', async () => {
    // React 19 from node_modules (a dependency of the GraphQL IDE), bundled with the client's sources.
    const bundle = await build({
      stdin: {
        resolveDir: ROOT,
        loader: 'js',
        contents: `
          import { createElement as h } from 'react';
          import { createRoot } from 'react-dom/client';
          import { createAuthClient } from './client/src/index.ts';
          import { AuthProvider, useAuth, useUser } from './client/src/react.ts';
          const auth = createAuthClient();
          window.auth = auth;
          function App() {
            const { status } = useAuth();
            const user = useUser();
            return h('main', null, h('p', { id: 'status' }, status), h('p', { id: 'email' }, user ? user.email : '-'));
          }
          createRoot(document.getElementById('root')).render(h(AuthProvider, { client: auth }, h(App)));
        `,
      },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'warning',
    });
    const b = await newBrowser();
    await b.context.route(`${srv.url}/__react/**`, (route) =>
      route.request().url().endsWith('.js')
        ? route.fulfill({ contentType: 'text/javascript', body: bundle.outputFiles[0]!.text })
        : route.fulfill({
            contentType: 'text/html',
            body: '<!doctype html><html lang="en"><title>react</title><div id="root"></div><script type="module" src="/__react/app.js"></script></html>',
          }),
    );
    const react = await b.context.newPage();
    await react.goto(`${srv.url}/__react/`);
    await react.locator('#status', { hasText: 'signed-out' }).waitFor();
    const e = email('react');
    await react.evaluate(([em, p]) => (window as W).auth.signUp({ email: em, password: p }), [e, PASSWORD]);
    await react.locator('#status', { hasText: 'signed-in' }).waitFor();
    expect(await react.locator('#email').textContent()).toBe(e);
    const other = await b.tab();
    await other.evaluate(() => (window as W).auth.signOut());
    await react.locator('#status', { hasText: 'signed-out' }).waitFor();
    expect(await react.locator('#email').textContent()).toBe('-');
    await b.context.close();
  });
});

describe('client: passkeys', () => {
  // WebAuthn refuses IP addresses as RP IDs: this edge is http://localhost:<port>.
  let pk: TestServer;
  let origin: string;
  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    pk = await startServer({ PUBLIC_ORIGIN: origin, PORT: String(port) });
  });
  afterAll(async () => {
    await pk?.close();
  });

  it('passkeys.add registers one; signIn({ passkey: true }) and completeMfa({ passkey: true }) use it (the browser JSON WebAuthn API)', async () => {
    const b = await newBrowser(origin);
    const tab = await b.tab();
    const cdp = await b.context.newCDPSession(tab);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    const { userId } = await signUp(tab);
    const added = (await tab.evaluate(() => (window as W).auth.passkeys.add('Laptop'))) as { recoveryCodes: string[] };
    expect(added.recoveryCodes).toHaveLength(10);
    await tab.evaluate(() => (window as W).auth.signOut());
    expect(await tab.evaluate(() => (window as W).auth.state.status)).toBe('signed-out');
    const r = (await tab.evaluate(() => (window as W).auth.signIn({ passkey: true }))) as {
      mfaRequired: boolean;
      user: { id: string };
    };
    expect(r).toMatchObject({ mfaRequired: false, user: { id: userId } });
    expect(await tab.evaluate(() => (window as W).auth.state.status)).toBe('signed-in');
    // The passkey is also a second factor: a password now needs it (completeMfa({ passkey: true })).
    const e = await tab.evaluate(() => (window as W).auth.state.user.email);
    await tab.evaluate(() => (window as W).auth.signOut());
    const pwd = (await tab.evaluate(
      ([em, p]) => (window as W).auth.signIn({ email: em, password: p }),
      [e, PASSWORD],
    )) as {
      mfaRequired: boolean;
      factors: { kind: string }[];
    };
    expect(pwd).toMatchObject({ mfaRequired: true, factors: [{ kind: 'webauthn' }] });
    const second = (await tab.evaluate(() => (window as W).auth.completeMfa({ passkey: true }))) as {
      user: { id: string };
    };
    expect(second.user.id).toBe(userId);
    expect(await tab.evaluate(() => (window as W).auth.state.status)).toBe('signed-in');
    await b.context.close();
  });
});

describe('client: providers', () => {
  // A real OpenID Provider (oidc-provider, its development login and consent pages) on loopback.
  let idp: Idp;
  let op: TestServer;
  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = await startIdp([`${base}/auth/testidp/callback`]);
    op = await startServer({
      PORT: String(port),
      OIDC_TESTIDP_ISSUER: idp.issuer,
      OIDC_TESTIDP_CLIENT_ID: CLIENT_ID,
      OIDC_TESTIDP_CLIENT_SECRET: CLIENT_SECRET,
    });
  });
  afterAll(async () => {
    await op?.close();
    await idp?.close();
  });

  /** Signs in at the IdP's own pages as `login` and consents. */
  async function atIdp(page: Page, login: string): Promise<void> {
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any');
    await page.locator('button[type=submit]').click();
    await page.locator('button', { hasText: 'Continue' }).click();
  }

  it('signIn({ provider, mode: "popup" }) resolves with the user once the popup is back, and tells the other tabs', async () => {
    const b = await newBrowser(op.url);
    const [tab, other] = [await b.tab(), await b.tab()];
    const login = `pop${Date.now().toString(36)}`;
    const [popup] = await Promise.all([
      b.context.waitForEvent('page'),
      tab.evaluate(() => {
        (window as W).popupResult = (window as W).settle(
          (window as W).auth.signIn({ provider: 'testidp', mode: 'popup', returnTo: '/healthz' }),
        );
      }),
    ]);
    await atIdp(popup!, login);
    const r = (await tab.evaluate(() => (window as W).popupResult)) as Settled;
    expect(r).toMatchObject({ ok: true, value: { mfaRequired: false, user: { email: `${login}@idp.example` } } });
    // The landing page (here /healthz) does not run the client, so the test closes the popup.
    expect(popup!.url()).toBe(`${op.url}/healthz?pgauth_popup=1`);
    await popup!.close();
    await other.waitForFunction(() => (window as W).auth.state.status === 'signed-in');
    await b.context.close();
  });

  it('signIn({ provider, mode: "redirect" }) leaves for the provider and comes back signed in to returnTo', async () => {
    const b = await newBrowser(op.url);
    const tab = await b.tab();
    const login = `red${Date.now().toString(36)}`;
    await Promise.all([
      tab.waitForURL(`${idp.issuer}/**`),
      tab.evaluate(() => (window as W).auth.signIn({ provider: 'testidp', returnTo: '/healthz?back=1' })),
    ]);
    await atIdp(tab, login);
    // Back at returnTo (a page of the edge's origin; routed test pages cannot be redirect targets).
    await tab.waitForURL(`${op.url}/healthz?back=1`);
    await tab.goto(`${op.url}/__client/`);
    await tab.waitForFunction(() => (window as W).clientReady === true);
    const user = (await tab.evaluate(USER)) as Settled;
    expect(user.value).toMatchObject({ email: `${login}@idp.example` });
    const ids = (await tab.evaluate(() => (window as W).auth.identities.list())) as { provider: string }[];
    expect(ids.map((i) => i.provider)).toEqual(['testidp']);
    await b.context.close();
  });

  it('identities.link (after the access token lapsed: one refresh) links a provider; unlink removes it', async () => {
    const b = await newBrowser(op.url);
    const tab = await b.tab();
    await signUp(tab);
    await expireAccessCookie(b);
    await Promise.all([
      tab.waitForURL(`${idp.issuer}/**`),
      tab.evaluate(() => (window as W).auth.identities.link('testidp', { returnTo: '/healthz?linked=1' })),
    ]);
    expect(b.refreshes(), b.log()).toBe(1);
    await atIdp(tab, `lnk${Date.now().toString(36)}`);
    await tab.waitForURL(`${op.url}/healthz?linked=1`);
    await tab.goto(`${op.url}/__client/`);
    await tab.waitForFunction(() => (window as W).clientReady === true);
    const list = () => tab.evaluate(() => (window as W).auth.identities.list()) as Promise<{ provider: string }[]>;
    expect((await list()).map((i) => i.provider)).toEqual(['testidp']);
    await tab.evaluate(() => (window as W).auth.identities.unlink('testidp'));
    expect(await list()).toEqual([]);
    await b.context.close();
  });
});

describe('client: subscriptions', () => {
  it('createSubscriptionClient connects with the session cookies, refreshing an expired access token (before, or on LOGIN)', async () => {
    const bundle = await build({
      stdin: {
        resolveDir: ROOT,
        loader: 'js',
        contents: `
          import { createAuthClient } from './client/src/index.ts';
          import { createSubscriptionClient } from './client/src/ws.ts';
          window.auth = createAuthClient();
          window.subscribeOnce = (query) => new Promise((resolve) => {
            const ws = createSubscriptionClient(window.auth);
            const stop = ws.subscribe({ query }, {
              next: (r) => { stop(); ws.dispose(); resolve(r); },
              error: (e) => { ws.dispose(); resolve({ error: Array.isArray(e) ? e : String(e.code ?? e) }); },
              complete: () => {},
            });
          });
        `,
      },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      logLevel: 'warning',
    });
    const b = await newBrowser();
    const page = await b.context.newPage();
    // A document the edge really served (not a routed one): Chromium's local network access
    // checks refuse a WebSocket to loopback from a document of unknown address space.
    await page.goto(`${srv.url}/healthz`);
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    await page.waitForFunction(() => (window as W).auth !== undefined);
    const e = email('ws');
    await page.evaluate(([em, p]) => (window as W).auth.signUp({ email: em, password: p }), [e, PASSWORD]);
    const SUB = 'subscription { mySessionsChanged { kind } }';
    expect(await page.evaluate((q) => (window as W).subscribeOnce(q), SUB)).toEqual({
      data: { mySessionsChanged: { kind: 'SUBSCRIBED' } },
    });
    await timePasses(b, page);
    expect(b.refreshes()).toBe(0);
    expect(await page.evaluate((q) => (window as W).subscribeOnce(q), SUB)).toEqual({
      data: { mySessionsChanged: { kind: 'SUBSCRIBED' } },
    });
    expect(b.refreshes(), b.log()).toBe(1);
    // The cookie is gone before its known expiry: the socket opens anonymous and the
    // subscription answers LOGIN; the factory refreshes once, reconnects and subscribes again.
    await expireAccessCookie(b);
    expect(await page.evaluate((q) => (window as W).subscribeOnce(q), SUB)).toEqual({
      data: { mySessionsChanged: { kind: 'SUBSCRIBED' } },
    });
    expect(b.refreshes(), b.log()).toBe(2);
    await b.context.close();
  });
});

describe('client: operations', () => {
  it('every document the client sends is valid against the live schema (npm run client:schema prints it)', async () => {
    const schema = await liveSchema(srv.url);
    for (const [name, doc] of Object.entries(OPS)) {
      expect(
        validate(schema, parse(doc)).map((e) => e.message),
        name,
      ).toEqual([]);
    }
  });
});

describe('client: sign-in by email', () => {
  // A development server with its mail worker: mail lands in its own loopback mailbox (/dev/mail).
  let ms: TestServer;
  beforeAll(async () => {
    ms = await startServer({ MAIL_WORKER: 'true', MAIL_POLL_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await ms?.close();
  });

  it('signIn({ emailLink }) mails a link and a code; signIn({ emailCode }) and signIn({ emailToken }) sign in', async () => {
    const b = await newBrowser(ms.url);
    const tab = await b.tab();
    await signUp(tab);
    const e = await tab.evaluate(() => (window as W).auth.state.user.email);
    const box = ms.edge.email.mailbox!;
    const seen = new Set<number>();
    const nextSignInMail = async () => {
      await tab.evaluate(() => (window as W).auth.signOut());
      expect(await tab.evaluate((em) => (window as W).auth.signIn({ emailLink: em }), e)).toEqual({
        mfaRequired: false,
        user: null,
        pending: 'email',
      });
      const m = await box.waitFor(
        (x) => x.to.includes(e.toLowerCase()) && /sign-in code/.test(x.subject) && !seen.has(x.id),
      );
      seen.add(m.id);
      return m;
    };
    const byCode = await nextSignInMail();
    const code = byCode.subject.match(/(\d{6})$/)![1]!;
    const r1 = (await tab.evaluate(
      ([em, c]) => (window as W).auth.signIn({ emailCode: { email: em, code: c } }),
      [e, code],
    )) as { user: { email: string } };
    expect(r1.user.email).toBe(e);
    const byLink = await nextSignInMail();
    const token = byLink.text.match(/\/auth\/email\/sign-in\?token=([A-Za-z0-9_-]+)/)![1]!;
    const r2 = (await tab.evaluate((t) => (window as W).auth.signIn({ emailToken: t }), token)) as {
      user: { email: string };
    };
    expect(r2.user.email).toBe(e);
    expect(await tab.evaluate(() => (window as W).auth.state.status)).toBe('signed-in');
    await b.context.close();
  });
});

describe('client: sessions and CSRF', () => {
  it('sessions.list/revokeOthers/revoke: the other device ends at its next request, revoking this one signs out', async () => {
    const [laptop, phone] = [await newBrowser(), await newBrowser()];
    const [l, p] = [await laptop.tab(), await phone.tab()];
    await signUp(l);
    const e = await l.evaluate(() => (window as W).auth.state.user.email);
    await p.evaluate(([em, pw]) => (window as W).auth.signIn({ email: em, password: pw }), [e, PASSWORD]);
    const listed = (await p.evaluate(() => (window as W).auth.sessions.list())) as { id: string; isCurrent: boolean }[];
    expect(listed.map((s) => s.isCurrent).sort()).toEqual([false, true]);
    expect(await p.evaluate(() => (window as W).auth.sessions.revokeOthers())).toBe(1);
    // The laptop's session is gone: its next request (after its access token lapses) ends signed out.
    await expireAccessCookie(laptop);
    expect(((await l.evaluate(LIST)) as Settled).code).toBe('LOGIN');
    expect(await l.evaluate(() => (window as W).auth.state.status)).toBe('signed-out');
    // Revoking the phone's own session signs the phone out.
    const current = listed.find((s) => s.isCurrent)!.id;
    expect(await p.evaluate((id) => (window as W).auth.sessions.revoke(id), current)).toBe(1);
    expect(await p.evaluate(() => (window as W).auth.state.status)).toBe('signed-out');
    expect(await eventsOf(p)).toEqual(['SIGNED_IN', 'SIGNED_OUT']);
    await laptop.context.close();
    await phone.context.close();
  });

  it('a stale or missing CSRF token is replaced from GET /auth/csrf and the request retried once', async () => {
    const b = await newBrowser();
    const tab = await b.tab();
    const { userId } = await signUp(tab);
    await b.context.addCookies([{ name: 'pgauth-csrf', value: 'stale', url: srv.url, sameSite: 'Strict' }]);
    expect(((await tab.evaluate(USER)) as Settled).value).toMatchObject({ id: userId });
    await b.context.clearCookies({ name: 'pgauth-csrf' });
    expect(((await tab.evaluate(LIST)) as Settled).ok).toBe(true);
    expect(b.refreshes()).toBe(0);
    await b.context.close();
  });
});

/** A page on the edge's origin running `contents` (an ES module bundled with esbuild), signed up, whose access token lapsed. */
async function bundledPage(contents: string): Promise<{ b: Browserish; page: Page; userId: string }> {
  const bundle = await build({
    stdin: { resolveDir: ROOT, loader: 'js', contents },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"', __DEV__: 'false' },
    logLevel: 'warning',
  });
  const b = await newBrowser();
  const page = await b.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${srv.url}/healthz`);
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  const { userId } = await signUp(page);
  await timePasses(b, page);
  return { b, page, userId };
}

const SETUP = `
  import { createAuthClient } from './client/src/index.ts';
  window.auth = createAuthClient();
  window.settle = (p) => p.then((value) => ({ ok: true, value }), (e) => ({ ok: false, code: e.code ?? String(e) }));
`;

describe('client: Apollo link', () => {
  it('createAuthLink in a real ApolloClient: concurrent operations after the access token expired share one refresh and all succeed', async () => {
    const { b, page, userId } = await bundledPage(`${SETUP}
      import { ApolloClient, ApolloLink, InMemoryCache, Observable } from '@apollo/client';
      import { parse } from 'graphql';
      import { createAuthLink } from './client/src/apollo.ts';
      const apollo = new ApolloClient({ link: createAuthLink(window.auth, { ApolloLink, Observable }), cache: new InMemoryCache() });
      window.apolloQuery = (query) => apollo.query({ query: parse(query), fetchPolicy: 'no-cache' });
    `);
    const results = (await page.evaluate(() =>
      Promise.all([
        (window as W).apolloQuery('query A { mySessions { nodes { isCurrent } } }'),
        (window as W).apolloQuery('query B { mySessions { totalCount } }'),
        (window as W).apolloQuery('query C { currentUser { rowId } }'),
      ]),
    )) as { data: Record<string, unknown>; error?: unknown }[];
    expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    expect(results[2]!.data).toMatchObject({ currentUser: { rowId: userId } });
    expect(b.refreshes(), b.log()).toBe(1);
    await b.context.close();
  });
});

describe('client: urql exchange', () => {
  it('authExchange in a real @urql/core Client: a query after the access token expired refreshes once, then succeeds; a typed document works too', async () => {
    const { b, page, userId } = await bundledPage(`${SETUP}
      import { Client, makeErrorResult, makeResult } from '@urql/core';
      import * as wonka from 'wonka';
      import { authExchange } from './client/src/urql.ts';
      import { PgauthUserDocument } from './client/src/gql/graphql.ts';
      const urql = new Client({ url: '/graphql', exchanges: [authExchange(window.auth, { ...wonka, makeResult, makeErrorResult })] });
      window.urqlQuery = (query) => urql.query(query, {}, { requestPolicy: 'network-only' }).toPromise()
        .then((r) => ({ data: r.data, error: r.error ? String(r.error) : undefined }));
      window.urqlTyped = () => urql.query(PgauthUserDocument, {}).toPromise().then((r) => r.data);
    `);
    const results = (await page.evaluate(() =>
      Promise.all([
        (window as W).urqlQuery('query A { mySessions { nodes { isCurrent } } }'),
        (window as W).urqlQuery('query C { currentUser { rowId } }'),
      ]),
    )) as { data: Record<string, unknown>; error?: string }[];
    expect(results.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(results[1]!.data).toEqual({ currentUser: { rowId: userId } });
    expect(b.refreshes(), b.log()).toBe(1);
    expect(await page.evaluate(() => (window as W).urqlTyped())).toMatchObject({ currentUser: { rowId: userId } });
    expect(b.refreshes(), b.log()).toBe(1);
    await b.context.close();
  });
});

describe('client: trusted documents', () => {
  // An edge whose allow-list is the client's own persisted-documents.json (npm run client:codegen).
  let td: TestServer;
  beforeAll(async () => {
    td = await startServer({ GRAPHQL_TRUSTED_DOCUMENTS: join(ROOT, 'client/src/gql/persisted-documents.json') });
  });
  afterAll(async () => {
    await td?.close();
  });

  it('createAuthClient({ persistedDocuments: true }) sends its operations by documentId only, and they run', async () => {
    const b = await newBrowser(td.url);
    const tab = await b.tab();
    // Counted from here: the page's own client (window.auth, text documents) has loaded.
    const bodies: string[] = [];
    b.context.on('request', (req) => {
      if (req.url().endsWith('/graphql')) bodies.push(req.postData() ?? '');
    });
    const r = (await tab.evaluate(
      ([e, p]) => {
        const auth = (window as W).pgauth.createAuthClient({ persistedDocuments: true, channel: 'trusted' });
        return auth
          .signUp({ email: e, password: p })
          .then(() => Promise.all([auth.getUser(), auth.sessions.list()]))
          .then(([user, sessions]: [{ email: string }, unknown[]]) => ({
            email: user.email,
            sessions: sessions.length,
          }));
      },
      [email('trusted'), PASSWORD],
    )) as { email: string; sessions: number };
    expect(r.sessions).toBe(1);
    expect(r.email).toMatch(/trusted/);
    const sent = bodies.map((x) => JSON.parse(x) as { documentId?: string; query?: string });
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const x of sent) {
      expect(x.query, JSON.stringify(x)).toBeUndefined();
      expect(x.documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    await b.context.close();
  });
});

describe('client: an app on another origin of the same site', () => {
  // The app at http://localhost:<other port> (a static server here), the API at
  // http://localhost:<port> (one site: ports do not count), the app's origin in CORS_ORIGINS;
  // the client is given the API's url.
  let api: TestServer;
  let app: Server;
  let apiOrigin: string;
  let appOrigin: string;
  beforeAll(async () => {
    const [port, appPort] = [await freePort(), await freePort()];
    apiOrigin = `http://localhost:${port}`;
    appOrigin = `http://localhost:${appPort}`;
    api = await startServer({ PUBLIC_ORIGIN: apiOrigin, PORT: String(port), CORS_ORIGINS: appOrigin });
    app = createServer((req, res) => {
      const path = (req.url ?? '/').replace(/^\/__client\//, '');
      if (/^[\w-]+\.js$/.test(path)) {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(DIST, path)));
      } else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((r) => app.listen(appPort, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    app?.closeAllConnections();
    await new Promise((r) => app?.close(r));
    await api?.close();
  });

  it('createAuthClient({ url }) signs up, refreshes once and signs out across origins (CORS, CSRF from /auth/csrf)', async () => {
    const context = await browser.newContext();
    let refreshes = 0;
    await context.route(`${apiOrigin}/graphql`, (route) => {
      if (route.request().postData()?.includes('PgauthRefresh')) refreshes++;
      return route.continue();
    });
    const tab = await context.newPage();
    await tab.goto(`${appOrigin}/`);
    await tab.waitForFunction(() => (window as W).clientReady === true);
    await tab.evaluate((url) => {
      (window as W).api = (window as W).pgauth.createAuthClient({ url, channel: 'pgauth-api' });
    }, apiOrigin);
    const e = email('xorigin');
    const up = (await tab.evaluate(
      ([em, p]) => (window as W).settle((window as W).api.signUp({ email: em, password: p })),
      [e, PASSWORD],
    )) as Settled;
    expect(up).toMatchObject({ ok: true, value: { user: { email: e } } });
    await context.clearCookies({ name: 'pgauth-at' });
    const listed = (await tab.evaluate(() =>
      Promise.all([1, 2, 3].map(() => (window as W).settle((window as W).api.sessions.list()))),
    )) as Settled[];
    for (const r of listed) expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(refreshes).toBe(1);
    await tab.evaluate(() => (window as W).api.signOut());
    expect(((await tab.evaluate(() => (window as W).settle((window as W).api.getUser()))) as Settled).value).toBeNull();
    await context.close();
  });
});
