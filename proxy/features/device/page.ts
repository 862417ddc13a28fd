/**
 * The user's half of RFC 8628: the verification page `/auth/device` where a signed-in
 * browser enters the code its device shows, sees which app asks, and approves or denies.
 *
 *   GET  /auth/device[?user_code=XXXX-XXXX]  the code form (prefilled from
 *                                            verification_uri_complete); never looks the code up
 *   POST /auth/device                        action=lookup: the app's name and Approve / Deny;
 *                                            action=approve|deny: decides
 *
 * Every POST needs the session's cookies, an allowed Origin and the session's CSRF token in
 * the form (the double-submit cookie's value, embedded by the GET), Q3. Wrong codes are
 * counted in SQL per user and per address (app_hidden.device_lookup / approve_device). The
 * pages have no script at all: a meta CSP (`default-src 'none'`, forms to this origin only)
 * applies on top of the edge's header policy, plus no-store and a same-origin referrer policy.
 */
import { type Context, Hono } from 'hono';
import type pg from 'pg';
import { setCsrfCookie } from '../../core/cookies.ts';
import { issueCsrfToken, verifyCsrf } from '../../core/csrf-token.ts';
import { asEdge } from '../../core/db.ts';
import { AuthError, isErrorCode, toAuthError } from '../../core/errors.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { Identity } from '../../core/request.ts';
import { type Credentials, clientIp, credentialsFromContext } from '../../middleware/credentials/index.ts';
import { checkCsrf } from '../../middleware/csrf/index.ts';
import { escapeHtml } from '../email/mailer.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';

export interface DevicePageDeps {
  pool: pg.Pool;
  keys: KeyRing;
  issuer: SessionIssuer;
  csrfSecret: Buffer;
  allowed: ReadonlySet<string>;
  trustProxyHops: number;
}

export interface DeviceDecision {
  error: string | null;
  client_id: string | null;
  client_name: string | null;
  scope: string | null;
  user_code: string | null;
}

const TITLE = 'Sign in on a device';
const CODE_SHAPE = /^[A-Za-z]{4}-?[A-Za-z]{4}$/;
// No script, no style, no images: only this page's forms posting to this origin.
const PAGE_CSP = "default-src 'none'; form-action 'self'; base-uri 'none'";

function page(c: Context, status: number, body: string) {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
  return c.html(
    `<!doctype html><html><head><meta charset="utf-8">` +
      `<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">` +
      // The document's referrer policy is same-origin (the meta tag overrides the edge's
      // no-referrer header): with no-referrer, browsers send `Origin: null` on the form's POST,
      // which the Origin check refuses. The code in the URL still never leaves the site.
      `<meta name="referrer" content="same-origin"><meta name="viewport" content="width=device-width">` +
      `<title>${TITLE}</title></head><body><main><h1>${TITLE}</h1>${body}</main></body></html>`,
    status as 200,
  );
}

const alert = (text: string) => `<p role="alert"><strong>${escapeHtml(text)}</strong></p>`;

function codeForm(csrf: string, code: string, error?: string): string {
  return (
    (error ? alert(error) : '') +
    '<form method="post" action="/auth/device">' +
    `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">` +
    '<p><label>Code shown on your device ' +
    `<input name="user_code" value="${escapeHtml(code)}" autocomplete="off" autocapitalize="characters" required maxlength="9" size="10"></label></p>` +
    '<button type="submit" name="action" value="lookup">Continue</button></form>'
  );
}

function confirmForm(csrf: string, r: DeviceDecision): string {
  return (
    `<p><strong id="client-name">${escapeHtml(r.client_name ?? '')}</strong> wants to sign in to your account on a device.</p>` +
    `<p>Code: <strong id="user-code">${escapeHtml(r.user_code ?? '')}</strong>. Approve only if your device shows this code.</p>` +
    (r.scope ? `<p>Scope: ${escapeHtml(r.scope)}</p>` : '') +
    '<form method="post" action="/auth/device">' +
    `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">` +
    `<input type="hidden" name="user_code" value="${escapeHtml(r.user_code ?? '')}">` +
    '<button type="submit" name="action" value="approve">Approve</button> ' +
    '<button type="submit" name="action" value="deny">Deny</button></form>'
  );
}

const signInFirst = () => '<p>Sign in to this site first, then open this page again.</p>';

/** The signed-in browser session, or null (a bearer token or no session: not this page's). */
function browserIdentity(creds: Credentials): Identity | null {
  return creds.kind === 'cookie' ? creds.identity : null;
}

export function devicePage(d: DevicePageDeps): Hono {
  const routes = new Hono();
  const names = d.issuer.names;

  routes.get('/auth/device', async (c) => {
    const creds = await credentialsFromContext(c, d.keys, d.issuer.tokens, names);
    const identity = browserIdentity(creds);
    if (!identity) return page(c, 401, signInFirst());
    // The session's double-submit token, embedded in the form; a missing or stale cookie is
    // replaced by one bound to this session.
    let csrf = creds.cookies[names.csrf];
    if (!csrf || verifyCsrf(d.csrfSecret, csrf, csrf) !== identity.sessionId) {
      csrf = issueCsrfToken(d.csrfSecret, identity.sessionId);
      setCsrfCookie(c, names, csrf);
    }
    const given = c.req.query('user_code') ?? '';
    return page(c, 200, codeForm(csrf, CODE_SHAPE.test(given) ? given.toUpperCase() : ''));
  });

  routes.post('/auth/device', async (c) => {
    // A form of ours posts from our origin (D4), with the session's CSRF token (D2).
    const origin = c.req.header('origin');
    if (!origin || !d.allowed.has(origin)) {
      const e = new AuthError('ORIGIN');
      return page(c, e.status, alert(e.message));
    }
    if (Number(c.req.header('content-length') ?? 0) > 4096) return page(c, 413, alert('Request too large'));
    const creds = await credentialsFromContext(c, d.keys, d.issuer.tokens, names);
    const identity = browserIdentity(creds);
    if (!identity) return page(c, 401, signInFirst());
    const body = await c.req.parseBody();
    const field = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const csrf = field('csrf');
    try {
      checkCsrf(d.csrfSecret, names, creds, csrf || undefined);
    } catch (err) {
      const e = toAuthError(err);
      return page(c, e.status, alert(e.message));
    }
    const code = field('user_code').slice(0, 32);
    const action = field('action');
    if (!['lookup', 'approve', 'deny'].includes(action)) return page(c, 400, alert('Malformed request'));
    const ip = clientIp(c, d.trustProxyHops);
    const [r] =
      action === 'lookup'
        ? await asEdge<DeviceDecision>(d.pool, identity, 'select * from app_hidden.device_lookup($1, $2::inet)', [
            code,
            ip,
          ])
        : await asEdge<DeviceDecision>(d.pool, identity, 'select * from app_hidden.approve_device($1, $2, $3::inet)', [
            code,
            action === 'approve',
            ip,
          ]);
    if (!r) throw new AuthError('INTERNAL');
    if (r.error) {
      const e = new AuthError(isErrorCode(r.error) ? r.error : 'INTERNAL');
      if (e.code === 'LOGIN') return page(c, 401, signInFirst());
      return page(c, e.status, codeForm(csrf, '', e.message));
    }
    if (action === 'lookup') return page(c, 200, confirmForm(csrf, r));
    return page(
      c,
      200,
      action === 'approve'
        ? `<p role="status">Approved: <strong>${escapeHtml(r.client_name ?? '')}</strong> is signing in. You can return to your device.</p>`
        : `<p role="status">Denied: <strong>${escapeHtml(r.client_name ?? '')}</strong> was not signed in.</p>`,
    );
  });
  return routes;
}
