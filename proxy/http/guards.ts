/**
 * Request guards for /graphql: JSON-only POSTs (D3), same-origin or allow-listed Origin and
 * Sec-Fetch-Site (D4), and the CSRF token for anything that rides on cookies (D2).
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { AuthError } from '../errors.ts';
import { parseRefreshCookie, type CookieNames } from './cookies.ts';
import { verifyCsrf } from './csrf.ts';
import type { Credentials } from './identity.ts';

export function assertJsonPost(c: Context): void {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== 'application/graphql') {
    throw new AuthError('BADREQ', { message: 'Content-Type must be application/json' });
  }
}

/** Browsers always send Origin on POST and WebSocket upgrades; non-browsers may omit it. */
export function assertOrigin(c: Context, allowed: string[]): void {
  const origin = c.req.header('origin');
  if (origin !== undefined && !allowed.includes(origin)) throw new AuthError('ORIGIN');
  const site = c.req.header('sec-fetch-site');
  if (site === 'cross-site' && (origin === undefined || !allowed.includes(origin))) throw new AuthError('ORIGIN');
}

/** Returns the session id the CSRF token is bound to (null when no cookies are involved). */
export function assertCsrf(c: Context, secret: Buffer, names: CookieNames, creds: Credentials): string | null {
  if (!creds.ridesOnCookies) return null;
  const sid = verifyCsrf(secret, getCookie(c, names.csrf), c.req.header('x-csrf-token'));
  if (!sid) throw new AuthError('CSRF');
  // Bound to the session: a token minted for another session (or anonymously) is refused
  // once the request carries a valid access token.
  if (creds.identity && sid !== creds.identity.sessionId) throw new AuthError('CSRF');
  const refresh = getCookie(c, names.refresh);
  if (refresh !== undefined && parseRefreshCookie(refresh)?.sessionId !== sid) {
    // The refresh cookie belongs to a session; only that session's token may drive it
    // (an anonymous token, or one planted from another session, may not).
    throw new AuthError('CSRF');
  }
  return sid;
}
