/**
 * A real SMTP server on loopback that keeps every mail it receives (smtp-server +
 * mailparser): the development mailbox behind /dev/mail when no SMTP_URL is set, and the
 * SMTP server the tests send to. Nothing leaves the machine; only the newest `max` mails are
 * kept, in memory.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  id: number;
  receivedAt: string;
  /** Envelope recipients (what the sender's RCPT TO said). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Header names, lower case, as received (to check that nothing was injected). */
  headerNames: string[];
}

export class Mailbox {
  readonly mails: CaughtMail[] = [];
  private next = 1;
  private waiters: { match: (m: CaughtMail) => boolean; resolve: (m: CaughtMail) => void }[] = [];
  private readonly server: SMTPServer;
  port = 0;

  /** `refuse`: recipients this server answers with a permanent error (tests of retries). */
  constructor(opts: { max?: number; refuse?: (address: string) => boolean } = {}) {
    const max = opts.max ?? 500;
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      banner: 'pgauth development mailbox',
      size: 10 * 1024 * 1024,
      logger: false,
      onRcptTo: (address, _session, done) => {
        if (opts.refuse?.(address.address)) {
          done(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        } else done();
      },
      onData: (stream, session, done) => {
        simpleParser(stream)
          .then((parsed) => {
            const mail: CaughtMail = {
              id: this.next++,
              receivedAt: new Date().toISOString(),
              to: session.envelope.rcptTo.map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              headerNames: [...parsed.headers.keys()],
            };
            this.mails.push(mail);
            if (this.mails.length > max) this.mails.shift();
            this.waiters = this.waiters.filter((w) => {
              if (!w.match(mail)) return true;
              w.resolve(mail);
              return false;
            });
            done();
          })
          .catch((e: unknown) => done(e instanceof Error ? e : new Error(String(e))));
      },
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The first mail (already here or still to come) that matches; rejects after `ms`. */
  waitFor(match: (m: CaughtMail) => boolean, ms = 15_000): Promise<CaughtMail> {
    const hit = this.mails.find(match);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = {
        match,
        resolve: (m: CaughtMail) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error('no matching mail arrived'));
      }, ms);
      this.waiters.push(w);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
