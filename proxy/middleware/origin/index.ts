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
