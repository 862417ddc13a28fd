/**
 * The development mailbox: with no SMTP_URL a development server catches its own mail on a
 * loopback SMTP server (smtp-server) and shows it at /dev/mail; in production, or with
 * SMTP_URL, the page does not exist. (Its own file: two workers in one file would share the
 * queue, and a mail could land in the other's mailbox.)
 */
import { describe, expect, it } from 'vitest';
import { Client, email, PASSWORD, REGISTER, startServer, useServer } from './server.ts';

const srv = useServer({ MAIL_WORKER: 'true', MAIL_POLL_INTERVAL_MS: '200' });

describe('/dev/mail', () => {
  it('a development server without SMTP_URL catches its mail and lists it at /dev/mail', async () => {
    expect(srv.edge.email.notice).toContain(`${srv.url}/dev/mail`);
    const c = new Client(srv.url);
    await c.csrf();
    const e = email('devmail');
    const r = await c.gql(REGISTER, { email: e, password: PASSWORD, name: 'Dev' });
    expect(r.errors, r.raw).toBeUndefined();
    const mail = await srv.edge.email.mailbox!.waitFor((m) => m.to.includes(e));
    const list = await fetch(`${srv.url}/dev/mail`);
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(`/dev/mail/${mail.id}`);
    const json = (await (await fetch(`${srv.url}/dev/mail/messages`)).json()) as { messages: { to: string[] }[] };
    expect(json.messages.some((m) => m.to.includes(e))).toBe(true);
    const shown = await (await fetch(`${srv.url}/dev/mail/${mail.id}`)).text();
    const link = shown.match(/href="(http[^"]+\/auth\/email\/verify\?token=[^"]+)"/)?.[1];
    expect(link).toBeTruthy();
    expect((await fetch(link!)).status).toBe(200);
  });

  it('in production (and with SMTP_URL) /dev/mail does not exist', async () => {
    const prod = await startServer({
      NODE_ENV: 'production',
      PUBLIC_ORIGIN: 'https://app.example',
      CSRF_SECRET: 'ab'.repeat(32),
    });
    const relay = await startServer({ SMTP_URL: 'smtp://127.0.0.1:9', MAIL_WORKER: 'false' });
    try {
      for (const s of [prod, relay]) {
        expect((await fetch(`${s.url}/dev/mail`)).status).toBe(404);
        expect((await fetch(`${s.url}/dev/mail/messages`)).status).toBe(404);
        expect(s.edge.email.mailbox).toBeNull();
      }
    } finally {
      await prod.close();
      await relay.close();
    }
  });
});
