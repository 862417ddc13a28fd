// The account pages (issue 14) in Debian's Chromium against the real edge: every flow the
// pages offer, end to end, under their own strict CSP (no bypass: a violation fails the test),
// axe-core on every page (no serious or critical violation), keyboard-only sign-in, and a
// screenshot of each page in docs/screenshots/. The edge runs at http://localhost:<port>
// (WebAuthn refuses IP addresses); a CDP virtual authenticator stands in for a passkey, a real
// OpenID provider (oidc-provider, test/oauth/idp.ts) for "linked accounts", TOTP codes come
// from otpauth with the secret the page shows, the mailed sign-in code from the queue, and SMS
// codes from a local server implementing Twilio's Messages API (SMS_PROVIDER=twilio).
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import pg from 'pg';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAccountBuilt } from '../../account/scripts/ensure-built.ts';
import { loadConfig } from '../../proxy/core/config.ts';
import { ACCOUNT_CSP, accountPages } from '../../proxy/features/account/index.ts';
import { email, freePort, PASSWORD, startServer, type TestServer } from '../http/server.ts';
import { startTwilio, type TwilioServer } from '../http/twilio.ts';
import { CLIENT_ID, CLIENT_SECRET, type Idp, startIdp } from '../oauth/idp.ts';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
// The committed screenshots are rewritten only on request (`SCREENSHOTS=1 npm run test:unit --
// test/browser/account.test.ts`); other runs still take them, into a temporary folder, so
// every page is rendered the same way and the tree stays clean.
const SHOTS =
  process.env.SCREENSHOTS === '1'
    ? join(import.meta.dirname, '../../docs/screenshots')
    : join(tmpdir(), 'pgauth-screenshots');

let browser: Browser;
let srv: TestServer;
let idp: Idp;
let owner: pg.Client;
let origin: string;
const ann = { email: email('ann'), name: 'Ann Example', password: PASSWORD };
let totpSecret = '';
let recoveryCodes: string[] = [];
/** Every CSP violation any page reported (console), checked empty at the end. */
const violations: string[] = [];

// A Twilio-like server (as in test/http/mfa.test.ts): POST /2010-04-01/Accounts/{sid}/Messages.json,
// HTTP Basic, form body; every message it accepted, newest last.
let twilio: TwilioServer | undefined;
/** The code in the last SMS sent to `to`. */
function lastCode(to: string): string {
  const body = twilio?.messages.filter((t) => t.to === to).at(-1)?.body ?? '';
  const code = body.match(/\b(\d{6})\b/)?.[1];
  expect(code, `an SMS code sent to ${to}`).toBeTruthy();
  return code!;
}

beforeAll(async () => {
  await ensureAccountBuilt();
  const port = await freePort();
  origin = `http://localhost:${port}`;
  idp = await startIdp([`${origin}/auth/testidp/callback`]);
  twilio = await startTwilio();
  srv = await startServer({
    ...twilio.env,
    SMS_FROM: '+15550000000',
    PUBLIC_ORIGIN: origin,
    PORT: String(port),
    OIDC_TESTIDP_ISSUER: idp.issuer,
    OIDC_TESTIDP_CLIENT_ID: CLIENT_ID,
    OIDC_TESTIDP_CLIENT_SECRET: CLIENT_SECRET,
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await owner?.end();
  await srv?.close();
  await idp?.close();
  await twilio?.close();
});

/** A fresh browser profile with a virtual passkey authenticator, reporting CSP violations. */
async function newContext(): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  const cdp = await ctx.newCDPSession(page);
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
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return { ctx, page };
}

/** axe-core on the page as it is: no serious or critical violation. */
async function axe(page: Page, name: string): Promise<void> {
  // The pages' CSP forbids inline scripts, so page.addScriptTag (an inline <script>) is refused:
  // axe's source is evaluated through the DevTools protocol instead, which CSP does not govern,
  // and the page under test keeps its real policy.
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) })))',
  )) as { id: string; impact: string; nodes: string[] }[];
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `axe on ${name}`).toEqual([]);
}

/** docs/screenshots/account-<name>.png: the whole page, or one section of the account page. */
async function shot(page: Page, name: string, section?: string): Promise<void> {
  const path = join(SHOTS, `account-${name}.png`);
  if (section) await page.locator(section).screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
}

async function heading(page: Page, text: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: text }).waitFor();
}

const totp = (offsetSteps = 0) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(totpSecret), digits: 6, period: 30 }).generate({
    timestamp: Date.now() + offsetSteps * 30_000,
  });

async function signInWithPassword(page: Page, who = ann): Promise<void> {
  await page.goto(`${origin}/account/sign-in`);
  await heading(page, 'Sign in');
  const form = page.locator('form', { has: page.getByLabel('Password', { exact: true }) });
  await form.getByLabel('Email').fill(who.email);
  await form.getByLabel('Password', { exact: true }).fill(who.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

describe('serving /account', () => {
  it('answers the app with a strict CSP (no unsafe-inline), SPA fallback and cache headers', async () => {
    for (const path of ['/account', '/account/', '/account/sign-in', '/account/any/deep/path']) {
      const r = await fetch(`${origin}${path}`);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-security-policy')).toBe(ACCOUNT_CSP);
      expect(r.headers.get('cache-control')).toBe('no-cache');
      const html = await r.text();
      expect(html).toContain('<div id="app">');
      // No inline script or style in the document: every <script> has a src.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style/);
    }
    expect(ACCOUNT_CSP).not.toMatch(/unsafe-(inline|eval)/);
    expect(ACCOUNT_CSP).toContain("script-src 'self'");
    const html = await (await fetch(`${origin}/account`)).text();
    const js = html.match(/src="(\/account\/assets\/[^"]+\.js)"/)?.[1];
    expect(js).toBeTruthy();
    const asset = await fetch(`${origin}${js}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('content-security-policy')).toBe(ACCOUNT_CSP);
    expect((await fetch(`${origin}/account/assets/nothing.js`)).status).toBe(404);
    expect((await fetch(`${origin}/account/assets/..%2Findex.html`)).status).toBe(404);
  });

  it('ACCOUNT_PAGES: on by default in development, off by default in production, false turns it off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgauth-account-'));
    try {
      const base = { DATA_DIR: dir };
      expect(loadConfig(base).accountPages).toBe(true);
      expect(loadConfig({ ...base, ACCOUNT_PAGES: 'false' }).accountPages).toBe(false);
      expect(() => loadConfig({ ...base, ACCOUNT_PAGES: 'yes' })).toThrow(/ACCOUNT_PAGES must be true or false/);
      const off = accountPages({ enabled: false, production: true, logRequests: false });
      expect((await off.request('/account')).status).toBe(404);
      // Enabled but not built: 503 naming the command, never cached.
      const unbuilt = accountPages({ enabled: true, production: false, logRequests: false, dist: join(dir, 'none') });
      const r = await unbuilt.request('/account/sign-in');
      expect(r.status).toBe(503);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('content-security-policy')).toBe(ACCOUNT_CSP);
      expect(await r.text()).toContain('npm run account:build');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('account pages in Chromium', { timeout: 90_000 }, () => {
  it('sign up, then the account page', async () => {
    const { ctx, page } = await newContext();
    await page.goto(`${origin}/account/sign-up`);
    await heading(page, 'Create an account');
    await axe(page, 'sign-up');
    await shot(page, 'sign-up');
    await page.getByLabel('Name').fill(ann.name);
    await page.getByLabel('Email').fill(ann.email);
    await page.getByLabel(/^Password/).fill(ann.password);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await heading(page, 'Your account');
    await page.getByText(ann.email, { exact: true }).first().waitFor();
    expect(page.url()).toBe(`${origin}/account`);
    await page.getByText('(not verified)').waitFor();
    await ctx.close();
  });

  it('keyboard-only sign-in (Tab and Enter only), then profile, password and email change', async () => {
    const { ctx, page } = await newContext();
    await page.goto(`${origin}/account/sign-in`);
    await heading(page, 'Sign in');
    await axe(page, 'sign-in');
    await shot(page, 'sign-in');
    // Tab to the first email field, type, Tab to the password, type, Enter.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name === 'email')) break;
    }
    await page.keyboard.type(ann.email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).type)).toBe('password');
    await page.keyboard.type(ann.password);
    await page.keyboard.press('Enter');
    await heading(page, 'Your account');
    expect(page.url()).toBe(`${origin}/account`);

    // Profile: the display name.
    const profile = page.locator('#profile');
    await profile.getByLabel('Display name').fill('Ann B. Example');
    await profile.getByRole('button', { name: 'Save name' }).click();
    await profile.getByText('Name saved.').waitFor();
    const { rows } = await owner.query('select display_name from app_public.users where email = $1', [ann.email]);
    expect(rows[0].display_name).toBe('Ann B. Example');

    // Password change: the new one works from now on.
    const pw = page.locator('#password');
    await pw.getByLabel('Current password').fill(ann.password);
    await pw.getByLabel('New password').fill('another long passphrase 42');
    await pw.getByRole('button', { name: 'Change password' }).click();
    await pw.getByText(/Password changed/).waitFor();
    ann.password = 'another long passphrase 42';

    // Email change: a wrong password is refused with its code, the right one mails a link.
    const em = page.locator('#email');
    const newEmail = email('ann-new');
    await em.getByLabel('New email').fill(newEmail);
    await em.getByLabel('Current password').fill('not my password at all');
    await em.getByRole('button', { name: 'Change email' }).click();
    await em.getByRole('alert').filter({ hasText: '(CREDS)' }).waitFor();
    await em.getByLabel('Current password').fill(ann.password);
    await em.getByRole('button', { name: 'Change email' }).click();
    await em.getByText(`Open the link sent to ${newEmail}`).waitFor();
    const mail = await owner.query(
      `select count(*)::int n from graphile_worker._private_jobs where payload ->> 'to' = $1 and payload ->> 'template' = 'change_email_confirm'`,
      [newEmail],
    );
    expect(mail.rows[0].n).toBe(1);

    // The verification mail's link opens the email feature's landing (README "Links"); after
    // its button, the account page says verified.
    const verify = await owner.query(
      `select payload -> 'data' ->> 'token' as token from graphile_worker._private_jobs
        where payload ->> 'to' = $1 and payload ->> 'template' = 'verify_email' order by id desc limit 1`,
      [ann.email],
    );
    await page.goto(`${origin}/auth/email/verify?token=${verify.rows[0].token}`);
    await page.getByRole('button', { name: 'Verify my email' }).click();
    await page.getByText('Your email address is verified').waitFor();
    await page.goto(`${origin}/account`);
    await heading(page, 'Your account');
    await page.locator('#profile').getByText('(verified)').waitFor();
    await axe(page, 'account');
    await shot(page, 'account');
    await ctx.close();
  });

  it('MFA: enrol an authenticator app (QR code, recovery codes), step-up, then the challenge at sign-in', async () => {
    // A second browser signed in before the factor exists: its session stays aal1.
    const early = await newContext();
    await signInWithPassword(early.page);
    await heading(early.page, 'Your account');
    const { ctx, page } = await newContext();
    await signInWithPassword(page);
    await heading(page, 'Your account');
    const mfa = page.locator('#mfa');
    await mfa.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await mfa.getByRole('img', { name: /QR code/ }).waitFor();
    expect(await mfa.getByRole('img', { name: /QR code/ }).getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    totpSecret = (await mfa.locator('code.secret').textContent()) ?? '';
    expect(totpSecret).toMatch(/^[A-Z2-7]+=*$/);
    await axe(page, 'mfa enrolment');
    await shot(page, 'mfa-enrol', '#mfa');
    await mfa.getByLabel('Code from the app').fill(totp());
    await mfa.getByRole('button', { name: 'Turn on' }).click();
    await mfa.getByText('Authenticator app added.').waitFor();
    recoveryCodes = await mfa.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await axe(page, 'recovery codes');
    await shot(page, 'mfa-recovery-codes', '#mfa');

    // Step-up: the aal1 browser may not enrol another factor (MFARQ) until it gives one.
    await early.page.reload();
    await heading(early.page, 'Your account');
    const earlyMfa = early.page.locator('#mfa');
    await earlyMfa.getByRole('button', { name: 'Remove Authenticator' }).waitFor();
    await earlyMfa.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await earlyMfa.getByRole('link', { name: 'Verify now' }).click();
    await heading(early.page, 'Two-step verification');
    await early.page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[9]!);
    await early.page.getByRole('button', { name: 'Use a recovery code' }).click();
    await heading(early.page, 'Your account');
    await earlyMfa.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await earlyMfa.getByRole('img', { name: /QR code/ }).waitFor();
    await early.ctx.close();

    // Sign out this device, sign in again: the challenge, with the next code, trusting the browser.
    await page.locator('#sessions').getByRole('button', { name: 'Sign out this device' }).click();
    await heading(page, 'Sign in');
    await signInWithPassword(page);
    await heading(page, 'Two-step verification');
    expect(await page.evaluate('fetch("/graphql", { method: "POST" }).then(() => 1)')).toBe(1);
    await axe(page, 'mfa challenge');
    await shot(page, 'mfa-challenge');
    await page.getByLabel('6-digit code from the app').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: '(MFAIN)' }).waitFor();
    await page.getByLabel('6-digit code from the app').fill(totp(1));
    await page.getByLabel('Trust this browser for 30 days').check();
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading(page, 'Your account');

    // The trusted device is listed; the next password sign-in skips the challenge.
    const devices = page.locator('#devices');
    await devices.getByRole('button', { name: 'Forget' }).waitFor();
    await shot(page, 'trusted-devices', '#devices');
    await page.locator('#sessions').getByRole('button', { name: 'Sign out this device' }).click();
    await heading(page, 'Sign in');
    await signInWithPassword(page);
    await heading(page, 'Your account');
    await devices.getByRole('button', { name: 'Forget' }).click();
    await devices.getByText('No trusted device.').waitFor();

    // Without it, a recovery code answers the challenge.
    await page.locator('#sessions').getByRole('button', { name: 'Sign out this device' }).click();
    await signInWithPassword(page);
    await heading(page, 'Two-step verification');
    await page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await heading(page, 'Your account');
    await ctx.close();
  });

  it('passkeys: add one (at aal2), then sign in with it without a password', async () => {
    const { ctx, page } = await newContext();
    await signInWithPassword(page);
    await heading(page, 'Two-step verification');
    await page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[1]!);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await heading(page, 'Your account');
    const pk = page.locator('#passkeys');
    await pk.getByLabel('Passkey name').fill('Laptop');
    await pk.getByRole('button', { name: 'Add a passkey' }).click();
    await pk.getByText('Passkey added.').waitFor();
    await pk.getByRole('button', { name: 'Remove Laptop' }).waitFor();
    await axe(page, 'passkeys');
    await shot(page, 'passkeys', '#passkeys');
    await page.locator('#sessions').getByRole('button', { name: 'Sign out this device' }).click();
    await heading(page, 'Sign in');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await heading(page, 'Your account');
    const { rows } = await owner.query(
      `select s.aal, s.amr from app_private.sessions s join app_public.users u on u.id = s.user_id
        where u.email = $1 and s.revoked_at is null order by s.created_at desc limit 1`,
      [ann.email],
    );
    expect(rows[0].aal).toBe('aal2');
    await ctx.close();
  });

  it('sessions: sign out one other device, sign out everywhere else', async () => {
    const a = await newContext();
    const b = await newContext();
    const c = await newContext();
    for (const { page } of [a, b, c]) {
      await page.goto(`${origin}/account/sign-in`);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    }
    // Each profile has its own authenticator: b and c sign in with the password and a recovery code.
    for (const [i, { page }] of [b, c].entries()) {
      await signInWithPassword(page);
      await heading(page, 'Two-step verification');
      await page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[2 + i]!);
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await heading(page, 'Your account');
    }
    await signInWithPassword(a.page);
    await heading(a.page, 'Two-step verification');
    await a.page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[4]!);
    await a.page.getByRole('button', { name: 'Use a recovery code' }).click();
    await heading(a.page, 'Your account');
    const sessions = a.page.locator('#sessions');
    await sessions.getByText('(this device)').waitFor();
    const others = sessions.getByRole('button', { name: 'Sign out', exact: true });
    const before = await others.count();
    expect(before).toBeGreaterThanOrEqual(2);
    await others.first().click();
    await sessions.getByText('Session signed out.').waitFor();
    expect(await others.count()).toBe(before - 1);
    await sessions.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await sessions.getByText(/Signed out \d+ other session/).waitFor();
    expect(await others.count()).toBe(0);
    await axe(a.page, 'sessions');
    // b and c are signed out: their account page goes back to sign-in.
    for (const { page } of [b, c]) {
      await page.goto(`${origin}/account`);
      await heading(page, 'Sign in');
    }
    await shot(a.page, 'sessions', '#sessions');
    for (const x of [a, b, c]) await x.ctx.close();
  });

  it('API keys: create (shown once, works as a bearer token), revoke', async () => {
    const { ctx, page } = await newContext();
    await signInWithPassword(page);
    await page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[5]!);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await heading(page, 'Your account');
    const keys = page.locator('#api-keys');
    await keys.getByLabel('Key name').fill('ci');
    await keys.getByRole('button', { name: 'Create an API key' }).click();
    const key = (await keys.getByTestId('new-api-key').textContent()) ?? '';
    expect(key).toMatch(/^pga_[0-9a-f]{16}_[0-9a-f]{64}$/);
    const who = async () =>
      (await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ currentUser { email } }' }),
      }).then((r) => r.json())) as { data?: { currentUser: { email: string } | null }; errors?: unknown[] };
    expect((await who()).data?.currentUser?.email).toBe(ann.email);
    await axe(page, 'api keys');
    await shot(page, 'api-keys', '#api-keys');
    await keys.getByRole('button', { name: 'Revoke ci' }).click();
    await keys.getByText('Key ci revoked.').waitFor();
    expect((await who()).data?.currentUser ?? null).toBeNull();
    await ctx.close();
  });

  it('linked accounts: link an OpenID provider through its pages, sign in with it, unlink', async () => {
    const { ctx, page } = await newContext();
    await signInWithPassword(page);
    await page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[6]!);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await heading(page, 'Your account');
    const prov = page.locator('#providers');
    await prov.getByRole('button', { name: 'Link Testidp' }).click();
    // oidc-provider's development login and consent pages.
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.locator('input[name="login"]').fill('ann-idp');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${origin}/account`);
    await heading(page, 'Your account');
    await prov.getByText('ann-idp@idp.example').waitFor();
    await axe(page, 'linked accounts');
    await shot(page, 'linked-accounts', '#providers');

    // Signed out, "Continue with Testidp" signs in (the IdP remembers the login: consent only).
    await page.locator('#sessions').getByRole('button', { name: 'Sign out this device' }).click();
    await heading(page, 'Sign in');
    await page.getByRole('link', { name: 'Continue with Testidp' }).click();
    await page.waitForURL((u) => u.origin === idp.issuer || u.pathname.startsWith('/account'));
    if (new URL(page.url()).origin === idp.issuer) {
      const submit = page.locator('button[type="submit"]');
      if (await page.locator('input[name="login"]').count()) {
        await page.locator('input[name="login"]').fill('ann-idp');
        await page.locator('input[name="password"]').fill('any');
        await submit.click();
      }
      if (new URL(page.url()).origin === idp.issuer) await submit.click();
    }
    await page.waitForURL((u) => u.origin === origin && u.pathname.startsWith('/account'));
    // Ann has a second factor: the provider's sign-in is the first factor.
    await heading(page, 'Two-step verification');
    await page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[7]!);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await heading(page, 'Your account');
    await prov.getByRole('button', { name: 'Unlink Testidp' }).click();
    await prov.getByText('Testidp unlinked.').waitFor();
    await prov.getByRole('button', { name: 'Link Testidp' }).waitFor();
    await ctx.close();
  });

  it('sign in with a mailed code; forgot password; the MFA factor removed', async () => {
    const bea = { email: email('bea'), password: PASSWORD };
    const r = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation ($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { userId } }',
        variables: { e: bea.email, p: bea.password },
      }),
    });
    expect(r.status).toBe(200);
    const { ctx, page } = await newContext();
    await page.goto(`${origin}/account/sign-in`);
    const em = page.locator('section', { has: page.getByRole('heading', { name: 'With a code by email' }) });
    await em.getByLabel('Email for the code').fill(bea.email);
    await em.getByRole('button', { name: 'Email me a sign-in link and code' }).click();
    await em.getByLabel('6-digit code').waitFor();
    await axe(page, 'email code');
    await shot(page, 'sign-in-email-code');
    const mail = await owner.query(
      `select payload -> 'data' ->> 'code' as code from graphile_worker._private_jobs
        where payload ->> 'to' = $1 and payload ->> 'template' = 'sign_in' order by id desc limit 1`,
      [bea.email],
    );
    await em.getByLabel('6-digit code').fill(mail.rows[0].code);
    await em.getByRole('button', { name: 'Sign in with the code' }).click();
    await heading(page, 'Your account');
    await page.getByText(bea.email, { exact: true }).first().waitFor();

    await page.locator('#sessions').getByRole('button', { name: 'Sign out this device' }).click();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading(page, 'Forgot your password?');
    await page.getByLabel('Email').fill(bea.email);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await page.getByText(`If ${bea.email} has an account`).waitFor();
    await axe(page, 'forgot password');
    await shot(page, 'forgot-password');
    // The mail's link opens the email feature's landing, /auth/email/reset?token=... (README
    // "Links"): a new password there, then sign in here with it.
    const reset = await owner.query(
      `select payload -> 'data' ->> 'token' as token from graphile_worker._private_jobs
        where payload ->> 'to' = $1 and payload ->> 'template' = 'reset_password' order by id desc limit 1`,
      [bea.email],
    );
    await page.goto(`${origin}/auth/email/reset?token=${reset.rows[0].token}`);
    await page.getByLabel('New password').fill('a brand new passphrase 7');
    await page.getByRole('button', { name: 'Set my new password' }).click();
    await page.getByText('Your password was changed').waitFor();
    await signInWithPassword(page, { ...bea, password: 'a brand new passphrase 7', name: '' });
    await heading(page, 'Your account');
    await page.getByText(bea.email, { exact: true }).first().waitFor();
    await page.locator('#sessions').getByRole('button', { name: 'Sign out this device' }).click();
    await heading(page, 'Sign in');

    // Ann removes her authenticator app (at aal2 after the challenge).
    await signInWithPassword(page);
    await heading(page, 'Two-step verification');
    await page.getByRole('textbox', { name: /^Recovery code/ }).fill(recoveryCodes[8]!);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await heading(page, 'Your account');
    await page.locator('#mfa').getByRole('button', { name: 'Remove Authenticator' }).click();
    await page.locator('#mfa').getByText('No authenticator app yet.').waitFor();
    await page.goto(`${origin}/account/nowhere`);
    await heading(page, 'Page not found');
    await axe(page, 'not found');
    await ctx.close();
  });

  it('MFA by SMS: enrol a phone (a bad number refused with PHONE), then the SMS challenge at sign-in', async () => {
    const cal = { email: email('cal'), password: PASSWORD, name: 'Cal' };
    const r = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation ($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { userId } }',
        variables: { e: cal.email, p: cal.password },
      }),
    });
    expect(r.status).toBe(200);
    // A second browser signed in before the phone exists: its session stays aal1.
    const early = await newContext();
    await signInWithPassword(early.page, cal);
    await heading(early.page, 'Your account');
    const { ctx, page } = await newContext();
    await signInWithPassword(page, cal);
    await heading(page, 'Your account');
    const mfa = page.locator('#mfa');
    const number = mfa.getByLabel(/^Phone number for SMS codes/);
    await number.fill('555-1234');
    await mfa.getByRole('button', { name: 'Text me a code' }).click();
    await mfa.getByRole('alert').filter({ hasText: '(PHONE)' }).waitFor();
    const phone = `+1555${String(Date.now() % 10_000_000).padStart(7, '0')}`;
    await number.fill(phone);
    await mfa.getByRole('button', { name: 'Text me a code' }).click();
    await mfa.getByLabel('Code from the SMS').waitFor();
    await mfa.getByText(`A code is on its way to ${phone}`).waitFor();
    await axe(page, 'phone enrolment');
    const sent = lastCode(phone);
    await mfa.getByLabel('Code from the SMS').fill(sent === '000000' ? '111111' : '000000');
    await mfa.getByRole('button', { name: 'Add this phone' }).click();
    await mfa.getByRole('alert').filter({ hasText: '(MFAIN)' }).waitFor();
    await mfa.getByLabel('Code from the SMS').fill(sent);
    await mfa.getByRole('button', { name: 'Add this phone' }).click();
    await mfa.getByText('Phone added.').waitFor();
    const codes = await mfa.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
    expect(codes).toHaveLength(10);
    await mfa.getByRole('button', { name: `Remove Phone ending ${phone.slice(-2)}` }).waitFor();
    await axe(page, 'phone added');

    // Step-up: the aal1 browser may not enrol another phone (MFARQ) until it gives a factor.
    await early.page.reload();
    await heading(early.page, 'Your account');
    const earlyMfa = early.page.locator('#mfa');
    await earlyMfa.getByRole('button', { name: `Remove Phone ending ${phone.slice(-2)}` }).waitFor();
    await earlyMfa.getByLabel(/^Phone number for SMS codes/).fill('+15550001111');
    await earlyMfa.getByRole('button', { name: 'Text me a code' }).click();
    await earlyMfa.getByRole('link', { name: 'Verify now' }).click();
    await heading(early.page, 'Two-step verification');
    await early.page.getByRole('button', { name: 'Text me a code' }).click();
    await early.page.getByLabel('6-digit code from the SMS').waitFor();
    await early.page.getByLabel('6-digit code from the SMS').fill(lastCode(phone));
    await early.page.getByRole('button', { name: 'Confirm the SMS code' }).click();
    await heading(early.page, 'Your account');
    await early.ctx.close();

    // Sign out, sign in with the password: the challenge offers the phone; a text, its code.
    await page.locator('#sessions').getByRole('button', { name: 'Sign out this device' }).click();
    await heading(page, 'Sign in');
    await signInWithPassword(page, cal);
    await heading(page, 'Two-step verification');
    const sms = page.locator('section', { has: page.getByRole('heading', { name: /^Phone/ }) });
    await sms.getByRole('heading', { name: `Phone (ending ${phone.slice(-2)})` }).waitFor();
    const before = twilio!.messages.length;
    await sms.getByRole('button', { name: 'Text me a code' }).click();
    await sms.getByText('A code is on its way by SMS.').waitFor();
    expect(twilio!.messages.length).toBe(before + 1);
    await axe(page, 'sms challenge');
    await sms.getByLabel('6-digit code from the SMS').fill(lastCode(phone));
    await sms.getByRole('button', { name: 'Confirm the SMS code' }).click();
    await heading(page, 'Your account');
    const { rows } = await owner.query(
      `select s.aal, s.amr from app_private.sessions s join app_public.users u on u.id = s.user_id
        where u.email = $1 and s.revoked_at is null order by s.created_at desc limit 1`,
      [cal.email],
    );
    expect(rows[0].aal).toBe('aal2');
    expect(rows[0].amr).toContain('sms');
    await ctx.close();
  });

  it('no page reported a CSP violation', () => {
    expect(violations).toEqual([]);
  });
});
