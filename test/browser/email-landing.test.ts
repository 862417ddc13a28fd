// The email links in a real browser (M4): the landing page is a form (GET never spends the
// token) that the user submits. The page sends Referrer-Policy: no-referrer, so Chromium posts
// the form with `Origin: null`; the edge accepts that only with `Sec-Fetch-Site: same-origin`
// (which a page cannot forge), and still refuses a foreign origin (login CSRF).
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mailbox } from '../../proxy/features/email/mailbox.ts';
import { linkOf } from '../http/helpers.ts';
import { Client, email, REGISTER, PASSWORD, useServer } from '../http/server.ts';

const box = new Mailbox();
let browser: Browser;
beforeAll(async () => {
  await box.listen();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await box.close();
});
const srv = useServer(() => ({
  SMTP_URL: box.url,
  MAIL_WORKER: 'true',
  MAIL_FROM: 'pgauth tests <no-reply@example.com>',
  MAIL_POLL_INTERVAL_MS: '200',
}));

const mailTo = (to: string, subject: RegExp) =>
  box.waitFor((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));

describe('email links in Chromium', () => {
  it('M4: the verification link opens a form whose POST (Origin: null, same-origin) verifies the address', async () => {
    const e = email('landing');
    const c = new Client(srv.url);
    await c.csrf();
    const r = await c.gql(REGISTER, { email: e, password: PASSWORD, name: 'Lan' });
    expect(r.status, r.raw).toBe(200);
    const link = linkOf(await mailTo(e, /Verify your email/), 'verify').url.href;
    const page = await browser.newPage();
    try {
      const posted: (string | undefined)[] = [];
      page.on('request', (req) => {
        if (req.method() === 'POST') posted.push(req.headers().origin);
      });
      await page.goto(link);
      await Promise.all([
        page.waitForLoadState('load'),
        page.locator('form button, form [type=submit]').first().click(),
      ]);
      await page.waitForURL((u) => !u.search.includes('token='), { timeout: 10_000 }).catch(() => {});
      expect(posted).toEqual(['null']);
      const text = await page.locator('body').textContent();
      expect(text).not.toMatch(/Cross-site request refused/i);
      const me = await c.gql<{ currentUser: { emailVerified: boolean } }>('{ currentUser { emailVerified } }');
      expect(me.data?.currentUser?.emailVerified, me.raw).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('M4: a form posted from another site is still refused', async () => {
    const r = await fetch(`${srv.url}/auth/email/verify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'null',
        'sec-fetch-site': 'cross-site',
      },
      body: 'token=abc',
    });
    expect(r.status).toBe(403);
    const r2 = await fetch(`${srv.url}/auth/email/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
      body: 'token=abc',
    });
    expect(r2.status).toBe(403);
  });
});
