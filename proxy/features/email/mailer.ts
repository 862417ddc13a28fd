/**
 * Rendering and sending one mail. Templates are text files with `{{name}}` placeholders: for
 * template T, `T.txt` (first line `Subject: ...`, then the text body) and `T.html` (the HTML
 * body). Built-in ones are in ./templates/; a file of the same name in MAIL_TEMPLATES_DIR
 * replaces one. Every value is user-provided or derived from it, so (M7):
 * - in HTML every value is HTML-escaped (and links are only ever our own https/http origin);
 * - in the subject and text, control characters (CR, LF ...) are removed, so a value cannot
 *   start a header or forge a line; nodemailer encodes headers itself;
 * - recipients are single addresses without header syntax (SQL's valid_email, checked again).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailJob } from './queue.ts';

const BUILT_IN = fileURLToPath(new URL('./templates/', import.meta.url));
/** Templates SQL may name (app_private.enqueue_mail). */
export const TEMPLATES = [
  'verify_email',
  'account_exists',
  'reset_password',
  'password_changed',
  'sign_in',
  'change_email_confirm',
  'change_email_notice',
  'email_changed',
  // features/mfa: enrolments, removals, failed verifications, recovery codes
  'mfa_notice',
] as const;
/** The token-bearing link actions (routes.ts serves /auth/email/<action>). */
export const ACTIONS = ['verify', 'reset', 'sign-in', 'change-email'] as const;

export interface RenderedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
/** Control characters (CR, LF, NUL, ...) removed: nothing a value carries can break a line. */
const oneLine = (s: string) => s.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
const ADDRESS = /^[^@\s<>",;:\\()[\]\p{Cc}]+@[^@\s<>",;:\\()[\]\p{Cc}]+\.[^@\s<>",;:\\()[\]\p{Cc}]+$/u;

export class Mailer {
  private readonly cache = new Map<string, { subject: string; text: string; html: string }>();
  private readonly transport: Transporter;

  constructor(
    private readonly opts: { smtpUrl: string; from: string; templatesDir: string | null; publicOrigin: string },
  ) {
    this.transport = nodemailer.createTransport(opts.smtpUrl, { from: opts.from });
  }

  private template(name: string): { subject: string; text: string; html: string } {
    const hit = this.cache.get(name);
    if (hit) return hit;
    if (!(TEMPLATES as readonly string[]).includes(name)) throw new Error(`unknown mail template "${name}"`);
    const file = (ext: string) => {
      const own = this.opts.templatesDir ? join(this.opts.templatesDir, `${name}.${ext}`) : null;
      return readFileSync(own && existsSync(own) ? own : join(BUILT_IN, `${name}.${ext}`), 'utf8');
    };
    const [first, ...rest] = file('txt').split('\n');
    if (!first?.startsWith('Subject:')) throw new Error(`template ${name}.txt must start with "Subject: ..."`);
    const t = { subject: first.slice('Subject:'.length).trim(), text: rest.join('\n').trimStart(), html: file('html') };
    this.cache.set(name, t);
    return t;
  }

  /** The values a template may use: the job's data plus `link`, `site` and a `name` fallback. */
  private values(job: MailJob): Record<string, string> {
    const v: Record<string, string> = {};
    for (const [k, x] of Object.entries(job.data)) if (x !== null && x !== undefined) v[k] = String(x);
    v.name ||= v.email ?? job.to;
    v.site = new URL(this.opts.publicOrigin).host;
    const action = v.action;
    if (action && v.token) {
      if (!(ACTIONS as readonly string[]).includes(action)) throw new Error(`unknown link action "${action}"`);
      v.link = `${this.opts.publicOrigin}/auth/email/${action}?token=${encodeURIComponent(v.token)}`;
    }
    return v;
  }

  render(job: MailJob): RenderedMail {
    if (!ADDRESS.test(job.to) || job.to.length > 320) throw new Error('refusing to mail a malformed address');
    const t = this.template(job.template);
    const v = this.values(job);
    const fill = (s: string, enc: (x: string) => string) =>
      s.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, k: string) => enc(v[k] ?? ''));
    return {
      to: job.to,
      subject: oneLine(fill(t.subject, oneLine)).slice(0, 200),
      text: fill(t.text, oneLine),
      html: fill(t.html, (x) => escapeHtml(oneLine(x))),
    };
  }

  /** Renders and hands the mail to SMTP; resolves once the server accepted it. */
  async send(job: MailJob): Promise<void> {
    const m = this.render(job);
    // Plain object addresses: nodemailer never parses a display name out of user data.
    await this.transport.sendMail({
      from: this.opts.from,
      to: { name: '', address: m.to },
      subject: m.subject,
      text: m.text,
      html: m.html,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  close(): void {
    this.transport.close();
  }
}
