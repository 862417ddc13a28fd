// The device authorization grant end to end (issue 15, Q3): a device (this process, plain
// fetch) starts an authorization and polls /auth/token while a signed-in user approves in
// Debian's Chromium on the real /auth/device page (form + CSRF token, no script). The device
// waits on the approval event, not on a clock: the owner's SQL moves the last poll back by
// the interval instead of sleeping.
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { email, PASSWORD, startServer, type TestServer } from '../http/server.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let browser: Browser;
let srv: TestServer;
let owner: pg.Client;

beforeAll(async () => {
  srv = await startServer({ APP_TERMINAL_NAME: 'Terminal CLI', APP_TERMINAL_DEVICE_GRANT: 'true' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});

afterAll(async () => {
  await browser?.close();
  await owner?.end();
  await srv?.close();
});

interface Started {
  device_code: string;
  user_code: string;
  verification_uri_complete: string;
  interval: number;
}

async function deviceStart(): Promise<Started> {
  const r = await fetch(`${srv.url}/auth/device/code`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'terminal' }).toString(),
  });
  expect(r.status).toBe(200);
  return (await r.json()) as Started;
}

async function devicePoll(d: Started): Promise<{ status: number; body: Record<string, string> }> {
  const r = await fetch(`${srv.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: GRANT, client_id: 'terminal', device_code: d.device_code }).toString(),
  });
  return { status: r.status, body: (await r.json()) as Record<string, string> };
}

/** The interval has passed (as the owner, instead of waiting it out). */
async function intervalPassed(d: Started) {
  await owner.query(
    `update app_private.device_codes set last_polled_at = last_polled_at - make_interval(secs => poll_interval)
     where device_code_hash = sha256(convert_to($1, 'UTF8'))`,
    [d.device_code],
  );
}

/** A browser tab signed in with a password account (GraphQL over fetch, CSRF echoed). */
async function signedInPage(): Promise<{ page: Page; userId: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${srv.url}/auth/csrf`);
  const userId = await page.evaluate(
    async ([e, p]) => {
      const csrf = decodeURIComponent(
        document.cookie
          .split('; ')
          .find((c) => c.startsWith('pgauth-csrf='))!
          .slice(12),
      );
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({
          query: 'mutation ($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { userId } }',
          variables: { e, p },
        }),
      });
      return (await r.json()).data.register.userId as string;
    },
    [email('device-browser'), PASSWORD],
  );
  return { page, userId };
}

describe('device sign-in with a browser approving', () => {
  it('a device polls while a signed-in user approves in Chromium; tokens arrive once', async () => {
    const d = await deviceStart();
    const { page, userId } = await signedInPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });

    // The device: polls, and after each answer waits for the next event (approval) rather than a clock.
    let approved!: () => void;
    const approval = new Promise<void>((r) => {
      approved = r;
    });
    const answers: string[] = [];
    const device = (async () => {
      for (;;) {
        const r = await devicePoll(d);
        answers.push(r.body.error ?? 'tokens');
        if (r.status === 200) return r.body;
        if (r.body.error !== 'authorization_pending') throw new Error(`device got ${r.body.error}`);
        await approval;
        await intervalPassed(d);
      }
    })();

    // The user opens verification_uri_complete: the code is filled in; Continue shows the app.
    await page.goto(d.verification_uri_complete);
    expect(await page.inputValue('input[name="user_code"]')).toBe(d.user_code);
    expect(await page.locator('input[name="csrf"]').count()).toBe(1);
    await page.click('button[value="lookup"]');
    expect(await page.textContent('#client-name')).toBe('Terminal CLI');
    expect(await page.textContent('#user-code')).toBe(d.user_code);
    expect(await page.locator('script').count()).toBe(0);
    await page.click('button[value="approve"]');
    expect(await page.textContent('[role="status"]')).toContain('Approved');
    approved();

    const tokens = await device;
    expect(answers[0]).toBe('authorization_pending');
    expect(answers.at(-1)).toBe('tokens');
    const claims = JSON.parse(Buffer.from(tokens.access_token!.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims.sub).toBe(userId);
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await intervalPassed(d);
    expect((await devicePoll(d)).body.error, 'Q3: tokens are delivered once').toBe('invalid_grant');
    expect(violations).toEqual([]);
  });

  it('Q3: the page refuses an approval whose form lost its CSRF token', async () => {
    const d = await deviceStart();
    const { page } = await signedInPage();
    await page.goto(d.verification_uri_complete);
    await page.click('button[value="lookup"]');
    await page.locator('input[name="csrf"]').evaluate((el) => el.remove());
    const [response] = await Promise.all([
      page.waitForResponse('**/auth/device'),
      page.click('button[value="approve"]'),
    ]);
    expect(response.status()).toBe(403);
    expect(await page.textContent('[role="alert"]')).toContain('CSRF');
    expect((await devicePoll(d)).body.error).toBe('authorization_pending');
  });
});
