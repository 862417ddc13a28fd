/**
 * The account pages (issue 14): a Vite + Preact single-page app in account/, built to
 * account/dist, served here at /account.
 *
 *   GET /account, /account/<page>   index.html (SPA fallback: the app routes on the path)
 *   GET /account/assets/<file>      the hashed bundle files (immutable, a year)
 *
 * The pages get their own Content-Security-Policy, stricter than the app-wide one (which allows
 * inline code for the development IDE): scripts, styles, fetches and forms from this origin
 * only, images also as data: (the TOTP QR code), no 'unsafe-inline' and no 'unsafe-eval'. The
 * build has no inline script (Vite's module-preload polyfill is off: account/vite.config.ts).
 * Because the app-wide secure-headers middleware overwrites CSP on the way out, this feature is
 * mounted ahead of it in app.ts and runs the request id, the request log and its own headers.
 *
 * On by default in development, ACCOUNT_PAGES=true|false (production default false). The build
 * runs before `npm start` (prestart: account/scripts/ensure-built.ts) when account/dist is
 * missing or older than its sources; without a build the pages answer 503 with the command.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { requestId } from '../../middleware/request-id/index.ts';
import { requestLog } from '../../middleware/request-log/index.ts';

export const ACCOUNT_DIST = resolve(import.meta.dirname, '../../../account/dist');

/** The policy of every /account response (pages and assets). */
export const ACCOUNT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  json: 'application/json',
};

const ASSET = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}$/;

export interface AccountOptions {
  enabled: boolean;
  production: boolean;
  logRequests: boolean;
  /** The built app (default account/dist). */
  dist?: string;
}

export function accountPages(o: AccountOptions): Hono {
  const routes = new Hono();
  if (!o.enabled) return routes;
  const dist = o.dist ?? ACCOUNT_DIST;
  const headers: MiddlewareHandler = secureHeaders({
    strictTransportSecurity: o.production ? 'max-age=63072000; includeSubDomains' : false,
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    crossOriginOpenerPolicy: 'same-origin',
  });
  const csp: MiddlewareHandler = async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', ACCOUNT_CSP);
  };
  // '/account/*' also matches '/account' itself: one registration, so each runs once.
  routes.use('/account/*', requestId(), requestLog(o.logRequests), headers, csp);

  // index.html is read on each request (small, and a rebuild shows without a restart).
  const index = (): string | null => {
    const file = join(dist, 'index.html');
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  };
  const page = (c: Context) => {
    c.header('Cache-Control', 'no-cache');
    const html = index();
    if (html === null) {
      c.header('Cache-Control', 'no-store');
      return c.text('The account pages are not built: run `npm run account:build`.', 503);
    }
    return c.html(html);
  };

  routes.get('/account/assets/:file', (c) => {
    const name = c.req.param('file');
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1)];
    const file = join(dist, 'assets', name);
    if (!ASSET.test(name) || !type || !existsSync(file) || !statSync(file).isFile()) {
      c.header('Cache-Control', 'no-store');
      return c.text('Not found', 404);
    }
    // File names carry a content hash: never revalidated.
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('Content-Type', type);
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(readFileSync(file));
  });
  routes.get('/account', page);
  routes.get('/account/*', page);
  return routes;
}
