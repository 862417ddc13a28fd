// Passkeys in Debian's Chromium (issue 10, N8): a CDP virtual authenticator registers and
// uses real WebAuthn credentials against the real edge (served at http://localhost:<port>,
// since WebAuthn refuses IP addresses as RP IDs). The page drives GraphQL with fetch (cookies
// + X-CSRF-Token) and @simplewebauthn/browser; the owner's SQL only moves a counter or a clock.
import { join } from 'node:path';
import pg from 'pg';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, email, freePort, PASSWORD, startServer, type TestServer } from '../http/server.ts';

const BUNDLE = join(import.meta.dirname, '../../node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js');

// In the page: GraphQL over fetch with the CSRF cookie echoed, and the four passkey steps.
const PAGE_HELPERS = `
window.csrf = async () => {
  const read = () => document.cookie.split('; ').find((c) => c.startsWith('pgauth-csrf='))?.slice(12);
  if (!read()) await fetch('/auth/csrf');
  return decodeURIComponent(read());
};
window.gql = async (query, variables = {}) => {
  const r = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': await csrf() },
    body: JSON.stringify({ query, variables }),
  });
  return { status: r.status, ...(await r.json()) };
};
window.code = (r) => r.errors?.[0]?.extensions?.code ?? null;
window.createPasskey = async () => {
  const s = await gql('mutation { startPasskeyRegistration { optionsJSON } }');
  if (s.errors) return { start: s };
  const response = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: JSON.parse(s.data.startPasskeyRegistration.optionsJSON) });
  return { response: JSON.stringify(response) };
};
window.finishRegistration = (response) =>
  gql('mutation ($r: String!) { finishPasskeyRegistration(input: { response: $r, friendlyName: "Laptop" }) { factorId recoveryCodes session { userId } } }', { r: response });
window.startSignIn = async (email) => {
  const s = await gql('mutation ($e: String) { startPasskeySignIn(input: { email: $e }) { challengeId optionsJSON } }', { e: email ?? null });
  if (s.errors) return { start: s };
  return s.data.startPasskeySignIn;
};
window.assert = async (optionsJSON, noUV) => {
  const options = JSON.parse(optionsJSON);
  if (noUV) options.userVerification = 'discouraged';
  return JSON.stringify(await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options }));
};
window.finishSignIn = (challengeId, response) =>
  gql('mutation ($c: UUID, $r: String!) { finishPasskeySignIn(input: { challengeId: $c, response: $r }) { userId sessionId role } }',
      { c: challengeId, r: response });
window.signInWithPasskey = async (email, noUV) => {
  const s = await startSignIn(email);
  if (s.start) return s.start;
  return finishSignIn(s.challengeId, await assert(s.optionsJSON, noUV));
};
`;

const REGISTER = `mutation ($email: String!, $password: String!) { register(input: { email: $email, password: $password }) { userId } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(input: { email: $email, password: $password }) { userId } }`;
const LOGOUT = 'mutation { logout(input: {}) { success } }';

type GqlAnswer = { status: number; data?: Record<string, Record<string, unknown> | null>; errors?: unknown[] };

let browser: Browser;
let srv: TestServer;
let owner: pg.Client;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  srv = await startServer({ PUBLIC_ORIGIN: origin, PORT: String(port) });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});

afterAll(async () => {
  await browser?.close();
  await owner?.end();
  await srv?.close();
});

interface Tab {
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  /** Evaluates `expr` (an expression over the page helpers) with `arg` bound to `a`. */
  run<T = GqlAnswer>(expr: string, arg?: unknown): Promise<T>;
  goto(url: string): Promise<void>;
}

/** A fresh browser profile with one virtual platform authenticator (user verification on). */
async function tab(url = origin): Promise<Tab> {
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  const goto = async (u: string) => {
    // Cookies ignore ports: another edge on localhost must not see this one's.
    await ctx.clearCookies();
    await page.goto(`${u}/healthz`);
    await page.addScriptTag({ path: BUNDLE });
    await page.addScriptTag({ content: PAGE_HELPERS });
  };
  await goto(url);
  // The page evaluates the expression's text (its helpers are page globals); arg as JSON.
  const run = <T>(expr: string, arg?: unknown) =>
    page.evaluate(`((a) => ${expr})(${JSON.stringify(arg ?? null)})`) as Promise<T>;
  return { page, cdp, authenticatorId, run, goto };
}

const code = (r: GqlAnswer) =>
  (r.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code ?? null;

/** The claims of the access token the browser holds now. */
async function claims(t: Tab): Promise<{ sub: string; aal: string; amr: string[] }> {
  const at = (await t.page.context().cookies()).find((c) => c.name === 'pgauth-at')!.value;
  return JSON.parse(Buffer.from(at.split('.')[1]!, 'base64url').toString());
}

/** A user with a password session in the tab, and a passkey registered in its authenticator. */
async function userWithPasskey(t: Tab): Promise<{ email: string; userId: string }> {
  const e = email('pk');
  const r = await t.run(`gql(${JSON.stringify(REGISTER)}, a)`, { email: e, password: PASSWORD });
  const userId = r.data!.register!.userId as string;
  const c = await t.run<{ response: string }>('createPasskey()');
  const f = await t.run('finishRegistration(a)', c.response);
  expect(f.errors).toBeUndefined();
  expect(f.data!.finishPasskeyRegistration).toMatchObject({
    factorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    session: { userId },
  });
  // The first factor brings recovery codes; the session is raised to aal2 with new tokens.
  expect(f.data!.finishPasskeyRegistration!.recoveryCodes).toHaveLength(10);
  expect(await claims(t)).toMatchObject({ sub: userId, aal: 'aal2', amr: ['pwd', 'hwk', 'mfa'] });
  return { email: e, userId };
}

describe('passkeys (N8)', () => {
  it('refuses what is not a ceremony: no session, a malformed response', async () => {
    const c = new Client(srv.url, { origin });
    await c.csrf();
    const reg = await c.gql('mutation { startPasskeyRegistration { optionsJSON } }');
    expect(reg.errors?.[0]?.extensions?.code).toBe('LOGIN');
    const bad = await c.gql(
      'mutation { finishPasskeySignIn(input: { challengeId: "00000000-0000-0000-0000-000000000000", response: "{}" }) { userId } }',
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('BADREQ');
    // Anonymous with an email: a first-factor challenge with an id, for that account's passkeys.
    const s = await c.gql<{ startPasskeySignIn: { challengeId: string; optionsJSON: string } }>(
      'mutation { startPasskeySignIn(input: { email: "nobody@example.com" }) { challengeId optionsJSON } }',
    );
    expect(s.data!.startPasskeySignIn.challengeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(s.data!.startPasskeySignIn.optionsJSON)).toMatchObject({
      rpId: 'localhost',
      userVerification: 'preferred',
      allowCredentials: [],
    });
  });

  it('registers a passkey, signs out, and signs in with it alone: aal2, amr hwk', async () => {
    const t = await tab();
    const { userId, email: e } = await userWithPasskey(t);
    const { rows } = await owner.query(
      `select f.kind, f.status, w.transports, w.public_key is not null as has_key from app_private.mfa_factors f
       join app_private.webauthn_credentials w on w.factor_id = f.id where f.user_id = $1`,
      [userId],
    );
    expect(rows).toEqual([{ kind: 'webauthn', status: 'active', transports: ['internal'], has_key: true }]);
    expect((await t.run(`gql(${JSON.stringify(LOGOUT)})`)).data!.logout!.success).toBe(true);

    // No email: the authenticator offers its discoverable credential.
    const s = await t.run('signInWithPasskey(null)');
    expect(s.errors).toBeUndefined();
    expect(s.data!.finishPasskeySignIn!.userId).toBe(userId);
    expect(await claims(t)).toMatchObject({ sub: userId, aal: 'aal2', amr: ['hwk'] });
    const me = await t.run('gql("{ currentUser { email } }")');
    expect(me.data!.currentUser).toEqual({ email: e });
    await t.page.context().close();
  });

  it('N8: a challenge is single-use: a replayed sign-in response is refused', async () => {
    const t = await tab();
    const { userId } = await userWithPasskey(t);
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);
    const s = await t.run<{ challengeId: string; optionsJSON: string }>('startSignIn(null)');
    const response = await t.run<string>('assert(a)', s.optionsJSON);
    const first = await t.run('finishSignIn(a[0], a[1])', [s.challengeId, response]);
    expect(first.data!.finishPasskeySignIn!.userId).toBe(userId);
    const again = await t.run('finishSignIn(a[0], a[1])', [s.challengeId, response]);
    expect(code(again)).toBe('PKCHL');
    await t.page.context().close();
  });

  it('N8: a challenge expires after 5 minutes', async () => {
    const t = await tab();
    await userWithPasskey(t);
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);
    const s = await t.run<{ challengeId: string; optionsJSON: string }>('startSignIn(null)');
    expect(s.challengeId).toMatch(/^[0-9a-f-]{36}$/);
    await owner.query(
      `update app_private.webauthn_challenges set expires_at = now() - interval '1 second' where id = $1`,
      [s.challengeId],
    );
    const r = await t.run('finishSignIn(a[0], a[1])', [s.challengeId, await t.run<string>('assert(a)', s.optionsJSON)]);
    expect(code(r)).toBe('PKCHL');
    await t.page.context().close();
  });

  it('N8: a registration challenge is bound to its session: another session cannot finish it', async () => {
    const t = await tab();
    await t.run(`gql(${JSON.stringify(REGISTER)}, a)`, { email: email('pk'), password: PASSWORD });
    const c = await t.run<{ response: string }>('createPasskey()');
    // Another browser (its own session) presents this session's response.
    const other = new Client(srv.url, { origin });
    await other.csrf();
    await other.gql(REGISTER, { email: email('pk-other'), password: PASSWORD });
    const stolen = await other.gql(
      'mutation ($r: String!) { finishPasskeyRegistration(input: { response: $r }) { factorId } }',
      { r: c.response },
    );
    expect(stolen.errors?.[0]?.extensions?.code).toBe('PKCHL');
    // The rightful session still finishes it.
    const f = await t.run('finishRegistration(a)', c.response);
    expect(f.errors).toBeUndefined();
    await t.page.context().close();
  });

  it('N8: a response made for another origin is refused (origin verified), and audited', async () => {
    const t = await tab();
    const { userId } = await userWithPasskey(t);
    // A second edge on the same database at another origin (same RP ID: localhost).
    const port2 = await freePort();
    const srv2 = await startServer({ PUBLIC_ORIGIN: `http://localhost:${port2}`, PORT: String(port2) });
    try {
      const before = await owner.query(
        `select count(*)::int n from app_public.audit_log where event = 'passkey_refused' and target_id = $1`,
        [userId],
      );
      await t.goto(`http://localhost:${port2}`);
      const s = await t.run<{ challengeId: string; optionsJSON: string }>('startSignIn(null)');
      const response = await t.run<string>('assert(a)', s.optionsJSON);
      // Presented to the first edge, whose origin is not the one the browser signed.
      const c = new Client(srv.url, { origin });
      await c.csrf();
      const r = await c.gql(
        'mutation ($c: UUID, $r: String!) { finishPasskeySignIn(input: { challengeId: $c, response: $r }) { userId } }',
        { c: s.challengeId, r: response },
      );
      expect(r.errors?.[0]?.extensions?.code).toBe('PASSKEY');
      const after = await owner.query(
        `select count(*)::int n from app_public.audit_log where event = 'passkey_refused' and target_id = $1`,
        [userId],
      );
      expect(after.rows[0].n).toBe(before.rows[0].n + 1);
    } finally {
      await srv2.close();
      await t.page.context().close();
    }
  });

  it('N8: a signature counter that does not move forward is refused and audited', async () => {
    const t = await tab();
    const { userId } = await userWithPasskey(t);
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);
    expect((await t.run('signInWithPasskey(null)')).errors).toBeUndefined();
    // A clone: the server has seen a higher counter than this authenticator's next one.
    await owner.query('update app_private.webauthn_credentials set sign_count = 1000 where user_id = $1', [userId]);
    const r = await t.run('signInWithPasskey(null)');
    expect(code(r)).toBe('PKCTR');
    const { rows } = await owner.query(
      `select detail from app_public.audit_log where event = 'passkey_counter_regression' and target_id = $1`,
      [userId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].detail).toMatchObject({ stored: 1000 });
    await t.page.context().close();
  });

  it("N8: a credential signs in only its own user (another user's email, another user's session)", async () => {
    const t = await tab();
    const alice = await userWithPasskey(t);
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);
    // Bob has no passkey: the authenticator offers alice's credential for bob's email.
    const bob = email('pk-bob');
    await t.run(`gql(${JSON.stringify(REGISTER)}, a)`, { email: bob, password: PASSWORD });
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);
    expect(code(await t.run('signInWithPasskey(a)', bob))).toBe('PKREF');
    // Signed in as bob, alice's passkey is no second factor for bob's session.
    await t.run(`gql(${JSON.stringify(LOGIN)}, a)`, { email: bob, password: PASSWORD });
    expect(code(await t.run('signInWithPasskey(null)'))).toBe('PKREF');
    // Alice's own email works.
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);
    expect((await t.run('signInWithPasskey(a)', alice.email)).data!.finishPasskeySignIn!.userId).toBe(alice.userId);
    await t.page.context().close();
  });

  it('N8: without user verification a passkey signs in at aal1 only, and is refused when PASSKEY_USER_VERIFICATION=required', async () => {
    const t = await tab();
    const { userId } = await userWithPasskey(t);
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);
    // The page asks the authenticator not to verify the user (a client is not trusted).
    const s = await t.run('signInWithPasskey(null, true)');
    expect(s.data!.finishPasskeySignIn!.userId).toBe(userId);
    expect(await claims(t)).toMatchObject({ aal: 'aal1', amr: ['hwk'] });
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);

    const port2 = await freePort();
    const strict = await startServer({
      PUBLIC_ORIGIN: `http://localhost:${port2}`,
      PORT: String(port2),
      PASSKEY_USER_VERIFICATION: 'required',
    });
    try {
      await t.goto(`http://localhost:${port2}`);
      const r = await t.run('signInWithPasskey(null, true)');
      expect(code(r)).toBe('PASSKEY');
    } finally {
      await strict.close();
      await t.page.context().close();
    }
  });

  it('N8: a passkey is the second factor of a password sign-in (aal2, amr pwd+hwk+mfa)', async () => {
    const t = await tab();
    const { email: e, userId } = await userWithPasskey(t);
    await t.run(`gql(${JSON.stringify(LOGOUT)})`);
    await t.run(`gql(${JSON.stringify(LOGIN)}, a)`, { email: e, password: PASSWORD });
    expect(await claims(t)).toMatchObject({ aal: 'aal1', amr: ['pwd'] });
    // Pending MFA: nothing but completing it; in particular no passkey of its own.
    expect((await t.run('gql("{ currentUser { email } }")')).data!.currentUser).toBeNull();
    expect(code(((await t.run('createPasskey()')) as { start: GqlAnswer }).start)).toBe('MFARQ');
    const s = await t.run<{ challengeId: string | null }>('startSignIn(null)');
    expect(s.challengeId).toBeNull();
    const r = await t.run('signInWithPasskey(null)');
    expect(r.errors).toBeUndefined();
    expect(await claims(t)).toMatchObject({ sub: userId, aal: 'aal2', amr: ['pwd', 'hwk', 'mfa'] });
    expect((await t.run('gql("{ currentUser { email } }")')).data!.currentUser).toEqual({ email: e });
    await t.page.context().close();
  });
});
