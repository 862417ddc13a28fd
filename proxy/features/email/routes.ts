/**
 * Plain HTTP routes of the email feature:
 *
 *   GET  /auth/email/<action>?token=...   the page a mailed link opens (action: verify, reset,
 *                                         sign-in, change-email). It never spends the token
 *                                         (M4: mail scanners prefetch links): it shows a form
 *                                         whose button POSTs the token.
 *   POST /auth/email/<action>             spends it (same origin only), like the GraphQL
 *                                         mutations: verifyEmail, resetPassword,
 *                                         signInWithEmailToken (session cookies, then a 303 to
 *                                         POST_LOGIN_REDIRECT), confirmEmailChange.
 *   GET  /dev/mail[/<id>[/html]]          development only, without SMTP_URL: the mailbox.
 *   GET  /dev/mail/messages               the same as JSON.
 *
 * Landing pages send `Referrer-Policy: no-referrer` and `Cache-Control: no-store`, carry no
 * script and no third-party resource, and keep the token out of the form's URL; the request
 * log records the path only, never the query string (M4).
 */
import { type Context, Hono } from 'hono';
import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import { asEdge } from '../../core/db.ts';
import { AuthError, isErrorCode, toAuthError } from '../../core/errors.ts';
import type { IssuedSession } from '../../core/request.ts';
import { clientIp } from '../../middleware/credentials/index.ts';
import { formOriginAllowed } from '../../middleware/origin/index.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';
import type { Mailbox } from './mailbox.ts';
import { escapeHtml } from './mailer.ts';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

interface Action {
  title: string;
  intro: string;
  button: string;
  done: string;
  password?: boolean;
}

const ACTIONS: Record<string, Action> = {
  verify: {
    title: 'Verify your email address',
    intro: 'Confirm that this address is yours.',
    button: 'Verify my email',
    done: 'Your email address is verified. You can close this page.',
  },
  reset: {
    title: 'Choose a new password',
    intro: 'Your other sessions will be signed out.',
    button: 'Set my new password',
    done: 'Your password was changed and every session was signed out. Sign in with the new password.',
    password: true,
  },
  'sign-in': { title: 'Sign in', intro: 'Continue to sign in with this link.', button: 'Sign in', done: '' },
  'change-email': {
    title: 'Confirm your new email address',
    intro: 'Your account will use this address from now on.',
    button: 'Confirm this address',
    done: 'Your email address was changed. Use the new one to sign in.',
  },
};

function page(c: Context, status: number, title: string, body: string) {
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
  return c.html(
    `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
      `<meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>` +
      `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    status as 200,
  );
}

function form(name: string, a: Action, token: string, error?: string): string {
  return (
    (error ? `<p role="alert"><strong>${escapeHtml(error)}</strong></p>` : '') +
    `<p>${escapeHtml(a.intro)}</p>` +
    `<form method="post" action="/auth/email/${name}">` +
    `<input type="hidden" name="token" value="${escapeHtml(token)}">` +
    (a.password
      ? '<p><label>New password <input type="password" name="password" autocomplete="new-password" required minlength="8"></label></p>'
      : '') +
    `<button type="submit">${escapeHtml(a.button)}</button></form>`
  );
}

export function emailRoutes(d: {
  cfg: Config;
  pool: pg.Pool;
  issuer: SessionIssuer;
  allowed: ReadonlySet<string>;
  mailbox: Mailbox | null;
}): Hono {
  const routes = new Hono();

  routes.get('/auth/email/:action', (c) => {
    const name = c.req.param('action');
    const a = ACTIONS[name];
    if (!a) return c.notFound();
    const token = c.req.query('token') ?? '';
    if (!TOKEN.test(token)) return page(c, 400, a.title, `<p>${escapeHtml(new AuthError('EMTOK').message)}.</p>`);
    return page(c, 200, a.title, form(name, a, token));
  });

  routes.post('/auth/email/:action', async (c) => {
    const name = c.req.param('action');
    const a = ACTIONS[name];
    if (!a) return c.notFound();
    // A form of ours posts from our origin; anything else could be login CSRF (a foreign
    // page signing the browser into the attacker's account with the attacker's link).
    if (!formOriginAllowed(c.req.header('origin'), c.req.header('sec-fetch-site'), d.allowed)) {
      const e = new AuthError('ORIGIN');
      return page(c, e.status, a.title, `<p>${escapeHtml(e.message)}.</p>`);
    }
    if (Number(c.req.header('content-length') ?? 0) > 8192) return page(c, 413, a.title, '<p>Request too large.</p>');
    const body = await c.req.parseBody();
    const token = typeof body.token === 'string' ? body.token : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const ip = clientIp(c, d.cfg.trustProxyHops);
    try {
      if (name === 'sign-in') {
        const [row] = await asEdge<Record<string, unknown>>(
          d.pool,
          null,
          'select * from app_hidden.sign_in_with_email_token($1, $2::inet, $3)',
          [token, ip, c.req.header('user-agent')?.slice(0, 512) ?? null],
        );
        if (!row) throw new AuthError('INTERNAL');
        if (row.error) throw new AuthError(isErrorCode(row.error) ? row.error : 'INTERNAL');
        d.issuer.setCookies(c, await d.issuer.sign(row as unknown as IssuedSession));
        c.header('Cache-Control', 'no-store');
        c.header('Referrer-Policy', 'no-referrer');
        return c.redirect(d.cfg.oauth.postLoginRedirect, 303);
      }
      const [sql, values] =
        name === 'verify'
          ? ['select app_hidden.verify_email($1, $2::inet) as error', [token, ip]]
          : name === 'reset'
            ? ['select app_hidden.reset_password($1, $2, $3::inet) as error', [token, password, ip]]
            : ['select app_hidden.confirm_email_change($1, $2::inet) as error', [token, ip]];
      const [row] = await asEdge<{ error: string | null }>(d.pool, null, sql, values);
      if (row?.error) throw new AuthError(isErrorCode(row.error) ? row.error : 'INTERNAL');
      return page(c, 200, a.title, `<p>${escapeHtml(a.done)}</p>`);
    } catch (err) {
      const e = toAuthError(err);
      if (e.code === 'INTERNAL')
        console.error(JSON.stringify({ level: 'error', route: `/auth/email/${name}`, message: String(err) }));
      // A refused password keeps the (still unspent) token: the form comes back with the rule.
      if (e.code === 'WEAKP' && TOKEN.test(token)) return page(c, e.status, a.title, form(name, a, token, e.message));
      return page(c, e.status, a.title, `<p>${escapeHtml(e.message)}.</p>`);
    }
  });

  const box = d.mailbox;
  if (box) {
    routes.get('/dev/mail/messages', (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json({ messages: [...box.mails].reverse() });
    });
    routes.get('/dev/mail', (c) => {
      const rows = [...box.mails]
        .reverse()
        .map(
          (m) =>
            `<tr><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to.join(', '))}</td>` +
            `<td><a href="/dev/mail/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
        )
        .join('');
      c.header('Cache-Control', 'no-store');
      return c.html(
        `<!doctype html><html><head><meta charset="utf-8"><title>Development mailbox</title></head><body>` +
          `<h1>Development mailbox</h1><p>Every mail this server sent (SMTP 127.0.0.1:${box.port}), newest first. ` +
          `Development only: with SMTP_URL set, or in production, this page does not exist.</p>` +
          `<table><thead><tr><th>received</th><th>to</th><th>subject</th></tr></thead><tbody>${rows}</tbody></table>` +
          `<p><a href="/dev/mail/messages">JSON</a></p></body></html>`,
      );
    });
    routes.get('/dev/mail/:id{[0-9]+}', (c) => {
      const m = box.mails.find((x) => x.id === Number(c.req.param('id')));
      if (!m) return c.notFound();
      // Text body with its links clickable (our own links: the landing pages above).
      const text = escapeHtml(m.text).replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="${u}">${u}</a>`);
      c.header('Cache-Control', 'no-store');
      c.header('Referrer-Policy', 'no-referrer');
      return c.html(
        `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(m.subject)}</title></head><body>` +
          `<p><a href="/dev/mail">All mail</a></p><h1>${escapeHtml(m.subject)}</h1>` +
          `<p>From: ${escapeHtml(m.from)}<br>To: ${escapeHtml(m.to.join(', '))}<br>Received: ${escapeHtml(m.receivedAt)}</p>` +
          `<pre style="white-space: pre-wrap">${text}</pre>` +
          (m.html ? `<p><a href="/dev/mail/${m.id}/html">HTML version</a></p>` : '') +
          '</body></html>',
      );
    });
    routes.get('/dev/mail/:id{[0-9]+}/html', (c) => {
      const m = box.mails.find((x) => x.id === Number(c.req.param('id')));
      if (!m?.html) return c.notFound();
      c.header('Cache-Control', 'no-store');
      c.header('Referrer-Policy', 'no-referrer');
      // The mail's own HTML, unable to run script or load anything.
      c.header('Content-Security-Policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      return c.html(m.html);
    });
  }
  return routes;
}
