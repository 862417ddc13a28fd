/**
 * Origin and Sec-Fetch-Site checks (D4): browsers always send Origin on POST and WebSocket
 * upgrades; a request from a site that is not allowed is refused. Non-browsers may omit it.
 */
import type { Context } from 'hono';
import { AuthError } from '../../core/errors.ts';

export function assertOrigin(c: Context, allowed: ReadonlySet<string>): void {
  checkOrigin(c.req.header('origin'), c.req.header('sec-fetch-site'), allowed);
}

/** The check itself, on the two header values. */
export function checkOrigin(origin: string | undefined, site: string | undefined, allowed: ReadonlySet<string>): void {
  if (origin !== undefined && !allowed.has(origin)) throw new AuthError('ORIGIN');
  if (site === 'cross-site' && (origin === undefined || !allowed.has(origin))) throw new AuthError('ORIGIN');
}

/**
 * For a form of ours posted by a browser: from an allowed origin, or `Origin: null` with
 * `Sec-Fetch-Site: same-origin`. A page sending `Referrer-Policy: no-referrer` (the email
 * landing pages, M4) makes Chromium post its forms with `Origin: null`; Sec-Fetch-Site is set
 * by the browser and cannot be forged by a page, so a foreign form (login CSRF) is still refused.
 */
export function formOriginAllowed(
  origin: string | undefined,
  site: string | undefined,
  allowed: ReadonlySet<string>,
): boolean {
  if (origin === 'null') return site === 'same-origin';
  return origin !== undefined && allowed.has(origin);
}

/**
 * The origins a browser may call from: the public origin, the CORS allow-list and, for a
 * plain-http development server on localhost, its loopback aliases (127.0.0.1, [::1]), which
 * are the same server.
 */
export function allowedOrigins(publicOrigin: string, corsOrigins: string[], production: boolean): Set<string> {
  const set = new Set([publicOrigin, ...corsOrigins]);
  const u = new URL(publicOrigin);
  if (!production && u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) set.add(`http://${host}${u.port ? `:${u.port}` : ''}`);
  }
  return set;
}
