/**
 * The email lifecycle through the real edge: GraphQL and the landing pages, the outbox worker
 * (graphile-worker) running inside the server, nodemailer over SMTP to a real SMTP server in
 * this process (smtp-server + mailparser: proxy/features/email/mailbox.ts), never a mock
 * transport. pgTAP (test/db/email.sql) holds the SQL side of each M item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tapLogs } from '../../proxy/core/logger.ts';
import { startMailSender } from '../../proxy/features/email/index.ts';
import { Mailbox } from '../../proxy/features/email/mailbox.ts';
import { closeOwner, linkOf, owner } from './helpers.ts';
import { Client, email, LOGIN, PASSWORD, REGISTER, useServer } from './server.ts';

const box = new Mailbox({ refuse: (a) => a.startsWith('bounce.') });
beforeAll(async () => {
  await box.listen();
});
afterAll(async () => {
  await closeOwner();
  await box.close();
});
const srv = useServer(() => ({
  SMTP_URL: box.url,
  MAIL_WORKER: 'true',
  MAIL_FROM: 'pgauth tests <no-reply@example.com>',
  MAIL_POLL_INTERVAL_MS: '200',
  // M4 reads the request log.
  LOG_REQUESTS: 'true',
}));

const mailTo = (to: string, subject: RegExp) =>
  box.waitFor((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));

async function browser(): Promise<Client> {
  const c = new Client(srv.url);
  await c.csrf();
  return c;
}

async function register(e: string, name = 'Tess', password = PASSWORD) {
  const c = await browser();
  const r = await c.gql<{ register: { userId: string } }>(REGISTER, { email: e, password, name });
  return { c, r };
}

const ME = '{ currentUser { email emailVerified } }';
type Me = { currentUser: { email: string; emailVerified: boolean } | null };

describe('mail pipeline (M7)', () => {
  it('M7: register queues the verification mail in its transaction; the worker delivers it over SMTP, text and HTML', async () => {
    const e = email('pipe');
    const { r } = await register(e, 'Pip');
    expect(r.data?.register?.userId, r.raw).toBeTruthy();
    const m = await mailTo(e, /Verify your email/);
    const { url, token } = linkOf(m, 'verify');
    expect(url.origin).toBe(srv.url);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(m.from).toBe('no-reply@example.com');
    expect(m.html).toContain(`/auth/email/verify?token=${token}`);
    expect(m.text).toContain('Hello Pip,');
  });

  it('M7: user values are escaped in HTML and cannot add a header or a line', async () => {
    const e = email('inject');
    const name = 'Eve <img src=x onerror=alert(1)>\r\nBcc: victim@example.com';
    await register(e, name);
    const m = await mailTo(e, /Verify your email/);
    expect(m.html).toContain('Eve &lt;img src=x onerror=alert(1)&gt;');
    expect(m.html).not.toContain('<img src=x');
    expect(m.headerNames).not.toContain('bcc');
    expect(m.to).toEqual([e.toLowerCase()]);
    expect(m.text).not.toMatch(/^Bcc:/m);
  });

  it('M7: a refused delivery stays queued with its last error and is retried with backoff', async () => {
    const e = `bounce.${email('retry')}`;
    await owner(`select app_private.enqueue_mail('password_changed', $1, '{}')`, [e]);
    let job: { attempts: number; last_error: string | null; run_at: Date } | undefined;
    for (let i = 0; i < 100 && !job?.last_error; i++) {
      [job] = await owner<{ attempts: number; last_error: string | null; run_at: Date }>(
        `select attempts, last_error, run_at from graphile_worker._private_jobs where payload ->> 'to' = $1`,
        [e],
      );
      if (!job?.last_error) await new Promise((r) => setTimeout(r, 100));
    }
    expect(job?.attempts).toBeGreaterThanOrEqual(1);
    expect(job?.last_error).toMatch(/550|mailbox unavailable/);
    expect(job!.run_at.getTime()).toBeGreaterThan(Date.now());
    await owner(
      `select graphile_worker.permanently_fail_jobs(array(select id from graphile_worker._private_jobs where payload ->> 'to' = $1)::bigint[])`,
      [e],
    );
  });

  it('M7: two workers on one queue send each mail exactly once', async () => {
    const second = await startMailSender({
      ...srv.cfg,
      email: { ...srv.cfg.email, smtpUrl: box.url, worker: true, devMailbox: false },
    });
    try {
      const tag = email('twice');
      const to = Array.from({ length: 30 }, (_, i) => `n${i}.${tag}`);
      await owner(`select app_private.enqueue_mail('password_changed', t, '{}') from unnest($1::text[]) t`, [to]);
      await Promise.all(to.map((t) => mailTo(t, /password/)));
      // A job is deleted once its worker hears SMTP accept it, just after the mail arrived.
      let left = -1;
      for (let i = 0; i < 100 && left !== 0; i++) {
        if (i) await new Promise((r) => setTimeout(r, 50));
        [{ n: left }] = (await owner<{ n: number }>(
          `select count(*)::int n from graphile_worker._private_jobs where payload ->> 'to' = any ($1)`,
          [to],
        )) as [{ n: number }];
      }
      expect(left).toBe(0);
      for (const t of to) expect(box.mails.filter((m) => m.to.includes(t)).length).toBe(1);
    } finally {
      await second.stop();
    }
  });
});

describe('verification', () => {
  it('M4: opening the link (GET) spends nothing; the page POSTs it, with no-referrer and no-store, and the token never reaches the log', async () => {
    const e = email('land');
    const { c } = await register(e);
    const { url, token } = linkOf(await mailTo(e, /Verify your email/), 'verify');
    const lines: string[] = [];
    const stopTap = tapLogs((l) => lines.push(l));
    const page = await fetch(url, { redirect: 'manual' });
    const html = await page.text();
    const logged = lines.join('');
    stopTap();
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(html).toMatch(/<form method="post" action="\/auth\/email\/verify">/);
    expect(logged).toContain('"path":"/auth/email/verify"');
    expect(logged).not.toContain(token);
    // A second GET (a mail scanner, then the user) still finds it unspent.
    expect((await fetch(url)).status).toBe(200);
    expect((await c.gql<Me>(ME)).data?.currentUser?.emailVerified).toBe(false);

    const post = (origin?: string) =>
      fetch(`${srv.url}/auth/email/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
        body: new URLSearchParams({ token }),
      });
    expect((await post()).status).toBe(403);
    expect((await post('https://evil.example')).status).toBe(403);
    const ok = await post(srv.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await c.gql<Me>(ME)).data?.currentUser?.emailVerified).toBe(true);
    expect((await post(srv.url)).status).toBe(400);
  });

  it('verifyEmail over GraphQL; resendVerificationEmail at most once per 60 s (M5)', async () => {
    const e = email('gqlverify');
    const { c } = await register(e);
    await mailTo(e, /Verify your email/);
    const resend = await c.gql<{ resendVerificationEmail: { success: boolean } }>(
      'mutation { resendVerificationEmail { success } }',
    );
    expect(resend.data?.resendVerificationEmail?.success, resend.raw).toBe(true);
    const again = await c.gql('mutation { resendVerificationEmail { success } }');
    expect(again.errors?.[0]?.extensions?.code).toBe('RATEL');
    await box.waitFor((m) => m.to.includes(e) && box.mails.filter((x) => x.to.includes(e)).length >= 2);
    const newest = box.mails.filter((m) => m.to.includes(e)).at(-1)!;
    const v = await c.gql<{ verifyEmail: { success: boolean } }>(
      'mutation ($t: String!) { verifyEmail(input: { token: $t }) { success } }',
      { t: linkOf(newest, 'verify').token },
    );
    expect(v.data?.verifyEmail?.success, v.raw).toBe(true);
    expect((await c.gql<Me>(ME)).data?.currentUser?.emailVerified).toBe(true);
    const bad = await c.gql('mutation { verifyEmail(input: { token: "nope" }) { success } }');
    expect(bad.status).toBe(400);
    expect(bad.errors?.[0]?.extensions?.code).toBe('EMTOK');
  });
});

describe('enumeration (M2)', () => {
  it('M2: registering a taken address answers like a new one (status, shape, cookies) and mails the owner a notice', async () => {
    const e = email('taken');
    const first = await register(e);
    const second = await register(e, 'Mallory', 'another long passphrase');
    const fresh = await register(email('fresh'), 'Mallory', 'another long passphrase');
    expect(second.r.status).toBe(fresh.r.status);
    expect(second.r.errors).toBeUndefined();
    const shape = (x: unknown) => Object.keys(x as object).sort();
    expect(shape(second.r.data?.register)).toEqual(shape(fresh.r.data?.register));
    expect(second.r.data?.register?.userId).not.toBe(first.r.data?.register?.userId);
    const cookieNames = async (c: Client) => (await c.jar.getCookies(srv.url)).map((k) => k.key).sort();
    expect(await cookieNames(second.c)).toEqual(await cookieNames(fresh.c));
    const notice = await mailTo(e, /tried to register/);
    expect(notice.text).toContain(e);
    // The decoy session opens nothing: no user behind it.
    expect((await second.c.gql<Me>(ME)).data?.currentUser).toBeNull();
  });

  it('M2: requestPasswordReset and requestSignInEmail answer a known and an unknown address identically', async () => {
    const known = email('known');
    await register(known);
    const c = await browser();
    for (const m of ['requestPasswordReset', 'requestSignInEmail']) {
      const q = `mutation ($e: String!) { ${m}(input: { email: $e }) { success } }`;
      const a = await c.gql(q, { e: known });
      const b = await c.gql(q, { e: email('unknown') });
      expect([a.status, a.raw]).toEqual([b.status, b.raw]);
    }
    await mailTo(known, /Reset your password/);
    await mailTo(known, /sign-in code/);
  });
});

describe('password reset (M3)', () => {
  it('M3: resetPassword ends every session, unlocks the account, verifies the address and mails a notice', async () => {
    const e = email('reset');
    const { c } = await register(e);
    const stranger = await browser();
    for (let i = 0; i < 5; i++) await stranger.gql(LOGIN, { email: e, password: 'wrong password!!' });
    expect((await stranger.gql(LOGIN, { email: e, password: PASSWORD })).errors?.[0]?.extensions?.code).toBe('RATEL');

    const anon = await browser();
    await anon.gql('mutation ($e: String!) { requestPasswordReset(input: { email: $e }) { success } }', { e });
    const { token } = linkOf(await mailTo(e, /Reset your password/), 'reset');
    const weak = await anon.gql(
      'mutation ($t: String!, $p: String!) { resetPassword(input: { token: $t, newPassword: $p }) { success } }',
      { t: token, p: 'password123' },
    );
    expect(weak.errors?.[0]?.extensions?.code).toBe('WEAKP');
    expect(weak.errors?.[0]?.message).toMatch(/common/);
    expect(weak.raw).not.toContain('password123');
    const ok = await anon.gql(
      'mutation ($t: String!, $p: String!) { resetPassword(input: { token: $t, newPassword: $p }) { success } }',
      { t: token, p: 'a fresh reset passphrase' },
    );
    expect(ok.data, ok.raw).toEqual({ resetPassword: { success: true } });
    expect((await c.gql<Me>(ME)).data?.currentUser).toBeNull();
    expect((await c.gql('mutation { refresh { accessTokenExpiresAt } }')).errors?.[0]?.extensions?.code).toBe('TOKEN');
    const again = await browser();
    await again.gql(LOGIN, { email: e, password: 'a fresh reset passphrase' });
    expect((await again.gql<Me>(ME)).data?.currentUser).toEqual({ email: e, emailVerified: true });
    await mailTo(e, /password .* was changed/);
  });

  it('the reset page asks for the new password and answers a weak one with its rule, keeping the token', async () => {
    const e = email('resetpage');
    await register(e);
    const anon = await browser();
    await anon.gql('mutation ($e: String!) { requestPasswordReset(input: { email: $e }) { success } }', { e });
    const { url, token } = linkOf(await mailTo(e, /Reset your password/), 'reset');
    expect(await (await fetch(url)).text()).toMatch(/type="password" name="password"/);
    const post = (password: string) =>
      fetch(`${srv.url}/auth/email/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url },
        body: new URLSearchParams({ token, password }),
      });
    const weak = await post('short');
    expect(weak.status).toBe(400);
    expect(await weak.text()).toMatch(/too short/);
    expect((await post('a long new page passphrase')).status).toBe(200);
  });
});

describe('sign-in by email', () => {
  it('signInWithEmailCode signs in like login; a code dies after 5 wrong tries (M5)', async () => {
    const e = email('code');
    await register(e);
    const c = await browser();
    const ask = () => c.gql('mutation ($e: String!) { requestSignInEmail(input: { email: $e }) { success } }', { e });
    await ask();
    const code1 = (await mailTo(e, /sign-in code/)).subject.match(/(\d{6})$/)![1]!;
    const wrong = code1 === '000000' ? '000001' : '000000';
    const SIGN = `mutation ($e: String!, $c: String!) { signInWithEmailCode(input: { email: $e, code: $c }) { userId role accessToken } }`;
    for (let i = 0; i < 5; i++)
      expect((await c.gql(SIGN, { e, c: wrong })).errors?.[0]?.extensions?.code).toBe('EMTOK');
    expect((await c.gql(SIGN, { e, c: code1 })).errors?.[0]?.extensions?.code).toBe('EMTOK');
    await ask();
    const code2 = (
      await box.waitFor((m) => m.to.includes(e) && /sign-in code/.test(m.subject) && !m.subject.endsWith(code1))
    ).subject.match(/(\d{6})$/)![1]!;
    const ok = await c.gql<{ signInWithEmailCode: { userId: string; role: string; accessToken: string | null } }>(
      SIGN,
      {
        e,
        c: code2,
      },
    );
    expect(ok.data?.signInWithEmailCode?.role, ok.raw).toBe('app_user');
    expect(ok.data?.signInWithEmailCode?.accessToken).toBeNull();
    expect((await c.gql<Me>(ME)).data?.currentUser).toEqual({ email: e, emailVerified: true });
    // The session records how: a one-time password by email (RFC 8176 amr).
    const claims = JSON.parse(Buffer.from((await c.cookie('pgauth-at'))!.split('.')[1]!, 'base64url').toString());
    expect([claims.aal, claims.amr]).toEqual(['aal1', ['otp']]);
  });

  it('the sign-in link: GET shows a button, its POST sets the session cookies and redirects', async () => {
    const e = email('link');
    await register(e);
    const c = await browser();
    await c.gql('mutation ($e: String!) { requestSignInEmail(input: { email: $e }) { success } }', { e });
    const { url, token } = linkOf(await mailTo(e, /sign-in code/), 'sign-in');
    expect((await c.fetch(url.pathname + url.search)).status).toBe(200);
    const res = await c.fetch('/auth/email/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(res.status).toBe(303);
    expect((await c.gql<Me>(ME)).data?.currentUser?.email).toBe(e);
    const token2 = await c.gql('mutation ($t: String!) { signInWithEmailToken(input: { token: $t }) { userId } }', {
      t: token,
    });
    expect(token2.errors?.[0]?.extensions?.code).toBe('EMTOK');
  });
});

describe('email change (M6)', () => {
  it('M6: changeEmail mails the new address a link and the old one a notice; confirming switches it, verified', async () => {
    const e = email('change');
    const next = email('changed');
    const { c } = await register(e);
    const wrong = await c.gql(
      'mutation ($n: String!, $p: String!) { changeEmail(input: { newEmail: $n, password: $p }) { success } }',
      { n: next, p: 'not my password' },
    );
    expect(wrong.errors?.[0]?.extensions?.code).toBe('CREDS');
    const ok = await c.gql(
      'mutation ($n: String!, $p: String!) { changeEmail(input: { newEmail: $n, password: $p }) { success } }',
      { n: next, p: PASSWORD },
    );
    expect(ok.data, ok.raw).toEqual({ changeEmail: { success: true } });
    await mailTo(e, /change of your email/);
    const { token } = linkOf(await mailTo(next, /Confirm your new email/), 'change-email');
    expect((await c.gql<Me>(ME)).data?.currentUser?.email).toBe(e);
    const done = await c.gql('mutation ($t: String!) { confirmEmailChange(input: { token: $t }) { success } }', {
      t: token,
    });
    expect(done.data, done.raw).toEqual({ confirmEmailChange: { success: true } });
    expect((await c.gql<Me>(ME)).data?.currentUser).toEqual({ email: next, emailVerified: true });
    await mailTo(e, /was changed/);
  });
});

describe('password policy', () => {
  it('register refuses a common password with WEAKP naming the rule, never the password', async () => {
    const { r } = await register(email('weak'), 'Wes', 'Password123');
    expect(r.errors?.[0]?.extensions?.code).toBe('WEAKP');
    expect(r.errors?.[0]?.message).toMatch(/too common/);
    expect(r.raw).not.toContain('Password123');
  });
});

describe('verification required', () => {
  it('M6: with email_verification_required, an unverified session can only verify', async () => {
    await owner('update app_private.auth_config set email_verification_required = true');
    try {
      const e = email('required');
      const { c } = await register(e);
      expect((await c.gql<Me>(ME)).data?.currentUser).toBeNull();
      const doc = await c.gql(
        'mutation { createDocument(input: { document: { fullUrl: "https://example.org" } }) { document { rowId } } }',
      );
      expect(doc.errors?.[0]?.extensions?.code).toMatch(/LOGIN|DNIED/);
      const { token } = linkOf(await mailTo(e, /Verify your email/), 'verify');
      await c.gql('mutation ($t: String!) { verifyEmail(input: { token: $t }) { success } }', { t: token });
      expect((await c.gql<Me>(ME)).data?.currentUser).toEqual({ email: e, emailVerified: true });
    } finally {
      await owner('update app_private.auth_config set email_verification_required = false');
    }
  });
});

describe('templates', () => {
  it('M7: MAIL_TEMPLATES_DIR overrides a template; values never add a line or a header, and are escaped in HTML', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { Mailer } = await import('../../proxy/features/email/mailer.ts');
    const dir = mkdtempSync(join(tmpdir(), 'pgauth-templates-'));
    try {
      writeFileSync(join(dir, 'password_changed.txt'), 'Subject: Hi {{name}}, from {{site}}\n\nOurs: {{name}}\n');
      const mailer = new Mailer({
        smtpUrl: box.url,
        from: 'x <x@example.com>',
        templatesDir: dir,
        publicOrigin: srv.url,
      });
      const name = 'Ann\r\nBcc: all@example.com <b>';
      const m = mailer.render({ template: 'password_changed', to: 'ann@example.com', data: { name } });
      expect(m.subject).toBe(`Hi Ann Bcc: all@example.com <b>, from ${new URL(srv.url).host}`);
      expect(m.text).toBe('Ours: Ann Bcc: all@example.com <b>\n');
      // The HTML half was not overridden: the built-in one, escaped.
      expect(m.html).toContain('Hello Ann Bcc: all@example.com &lt;b&gt;,');
      expect(() =>
        mailer.render({ template: 'password_changed', to: 'a@example.com\r\nBcc: b@example.com', data: {} }),
      ).toThrow();
      mailer.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
