/**
 * The three auth cookies (D1). With secure cookies (any https deployment) they are
 * `__Host-` prefixed: Secure, Path=/, no Domain, so no sibling subdomain can set or shadow
 * them. A plain-http localhost dev server drops the prefix and Secure, nothing else.
 *   access  HttpOnly, SameSite=Lax: the access JWT
 *   refresh HttpOnly, SameSite=Strict: the opaque refresh token (only /graphql needs it)
 *   csrf    readable by JS, SameSite=Strict: echoed in X-CSRF-Token
 * Clearing repeats the attributes each cookie was set with, or cookie jars keep the old one.
 */
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';

export interface CookieNames {
  access: string;
  refresh: string;
  csrf: string;
  secure: boolean;
}

export function cookieNames(secure: boolean): CookieNames {
  const p = secure ? '__Host-' : '';
  return { access: `${p}pgauth-at`, refresh: `${p}pgauth-rt`, csrf: `${p}pgauth-csrf`, secure };
}

function base(names: CookieNames): CookieOptions {
  return names.secure ? { path: '/', secure: true, prefix: 'host' } : { path: '/', secure: false };
}

const attrs = (names: CookieNames) =>
  ({
    access: { ...base(names), httpOnly: true, sameSite: 'Lax' },
    refresh: { ...base(names), httpOnly: true, sameSite: 'Strict' },
    csrf: { ...base(names), httpOnly: false, sameSite: 'Strict' },
  }) satisfies Record<string, CookieOptions>;

/** Strips the __Host- prefix, because Hono adds it back from `prefix: 'host'`. */
const bare = (name: string) => name.replace(/^__Host-/, '');

/**
 * The refresh cookie carries its session id in front of the opaque token (`<sid>.<token>`),
 * so the edge can refuse a CSRF token of another session before touching the database (D2).
 * The database still checks that the token belongs to that session.
 */
export function refreshCookieValue(sessionId: string, token: string): string {
  return `${sessionId}.${token}`;
}

export function parseRefreshCookie(value: string | undefined): { sessionId: string; token: string } | null {
  const m = value ? /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
  return m ? { sessionId: m[1]!, token: m[2]! } : null;
}

export interface SessionCookies {
  accessToken: string;
  accessMaxAge: number;
  refreshToken: string;
  refreshExpires: Date;
  csrfToken: string;
}

export function setSessionCookies(c: Context, names: CookieNames, v: SessionCookies): void {
  const a = attrs(names);
  setCookie(c, bare(names.access), v.accessToken, { ...a.access, maxAge: v.accessMaxAge });
  setCookie(c, bare(names.refresh), v.refreshToken, { ...a.refresh, expires: v.refreshExpires });
  setCookie(c, bare(names.csrf), v.csrfToken, { ...a.csrf, expires: v.refreshExpires });
}

export function setCsrfCookie(c: Context, names: CookieNames, token: string): void {
  setCookie(c, bare(names.csrf), token, attrs(names).csrf);
}

export function clearSessionCookies(c: Context, names: CookieNames): void {
  const a = attrs(names);
  const gone = { maxAge: 0, expires: new Date(0) };
  setCookie(c, bare(names.access), '', { ...a.access, ...gone });
  setCookie(c, bare(names.refresh), '', { ...a.refresh, ...gone });
  setCookie(c, bare(names.csrf), '', { ...a.csrf, ...gone });
}
