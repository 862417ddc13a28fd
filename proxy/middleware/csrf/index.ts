/**
 * CSRF for requests that ride on cookies (D2): X-CSRF-Token must equal the csrf cookie, carry
 * a valid MAC (core/csrf-token.ts) and be bound to the session of the access token and of
 * the refresh cookie. Hono's own csrf() lets application/json through by design, so it is
 * not used.
 */
import type { Context } from 'hono';
import { type CookieNames, parseRefreshCookie } from '../../core/cookies.ts';
import { verifyCsrf } from '../../core/csrf-token.ts';
import { AuthError } from '../../core/errors.ts';
import type { Credentials } from '../credentials/index.ts';

/** Returns the session id the CSRF token is bound to (null when no cookies are involved). */
export function assertCsrf(c: Context, secret: Buffer, names: CookieNames, creds: Credentials): string | null {
  return checkCsrf(secret, names, creds, creds.ridesOnCookies ? c.req.header('x-csrf-token') : undefined);
}

/** The check itself, given the X-CSRF-Token header. */
export function checkCsrf(
  secret: Buffer,
  names: CookieNames,
  creds: Credentials,
  header: string | undefined,
): string | null {
  if (!creds.ridesOnCookies) return null;
  const jar = creds.cookies;
  const sid = verifyCsrf(secret, jar[names.csrf], header);
  if (!sid) throw new AuthError('CSRF');
  // Bound to the session: a token minted for another session (or anonymously) is refused
  // once the request carries a valid access token.
  if (creds.identity && sid !== creds.identity.sessionId) throw new AuthError('CSRF');
  const refresh = jar[names.refresh];
  if (refresh !== undefined && parseRefreshCookie(refresh)?.sessionId !== sid) {
    // The refresh cookie belongs to a session; only that session's token may drive it
    // (an anonymous token, or one planted from another session, may not).
    throw new AuthError('CSRF');
  }
  return sid;
}
