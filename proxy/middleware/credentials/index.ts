/**
 * Who is calling, from exactly two places (B2): `Authorization: Bearer` (native clients) or
 * the access cookie (browsers). Nothing else in the request can influence the identity or
 * the database settings. An invalid or expired cookie token means anonymous (B4): the
 * browser then calls `refresh`. An invalid bearer token is a 401.
 */
import { isIP } from 'node:net';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { parse as parseCookies } from 'hono/utils/cookie';
import type { CookieNames } from '../../core/cookies.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { Identity } from '../../core/request.ts';
import { type TokenSettings, verifyAccessToken } from '../../core/tokens.ts';
import type { ApiKeyVerifier } from '../../features/permissions/api-keys.ts';

export interface Credentials {
  kind: 'bearer' | 'cookie' | 'none';
  identity: Identity | null;
  /** A bearer token was sent but did not verify. */
  invalidBearer: boolean;
  /** The request carries auth cookies, so unsafe methods need a CSRF token. */
  ridesOnCookies: boolean;
  /** The request's cookies, parsed once. */
  cookies: Record<string, string>;
  /** The bearer was a personal API key (`pga_...`): no credential mutations (O2). */
  apiKey?: boolean;
}

export async function readCredentials(
  headers: { authorization?: string; cookies: Record<string, string> },
  keys: KeyRing,
  tokens: TokenSettings,
  names: CookieNames,
  apiKeys?: ApiKeyVerifier,
): Promise<Credentials> {
  const authz = headers.authorization;
  const cookies = headers.cookies;
  if (authz !== undefined) {
    const m = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authz);
    const token = m?.[1];
    if (token?.startsWith('pga_')) {
      // A personal API key: verified by SQL on every request (never cached), or a 401.
      const identity = apiKeys ? await apiKeys(token) : null;
      return { kind: 'bearer', identity, invalidBearer: !identity, ridesOnCookies: false, cookies, apiKey: true };
    }
    const claims = m ? await verifyAccessToken(keys, tokens, m[1]!) : null;
    return {
      kind: 'bearer',
      identity: claims && { userId: claims.sub, sessionId: claims.sid, role: claims.role },
      invalidBearer: !claims,
      ridesOnCookies: false,
      cookies,
    };
  }
  const at = cookies[names.access];
  const rt = cookies[names.refresh];
  const claims = at ? await verifyAccessToken(keys, tokens, at) : null;
  return {
    kind: at || rt ? 'cookie' : 'none',
    identity: claims && { userId: claims.sub, sessionId: claims.sid, role: claims.role },
    invalidBearer: false,
    ridesOnCookies: Boolean(at || rt),
    cookies,
  };
}

export function credentialsFromContext(c: Context, keys: KeyRing, tokens: TokenSettings, names: CookieNames) {
  return readCredentials({ authorization: c.req.header('authorization'), cookies: getCookie(c) }, keys, tokens, names);
}

/** The same from the two header values (the /graphql endpoint reads Node's headers directly). */
export function credentialsFromHeaders(
  authorization: string | undefined,
  cookie: string | undefined,
  keys: KeyRing,
  tokens: TokenSettings,
  names: CookieNames,
  apiKeys?: ApiKeyVerifier,
) {
  return readCredentials({ authorization, cookies: cookie ? parseCookies(cookie) : {} }, keys, tokens, names, apiKeys);
}

/** The client address: the socket peer, or the Nth X-Forwarded-For entry from the right
 * when TRUST_PROXY_HOPS says that many trusted proxies stand in front (C6). */
export function clientIp(c: Context, trustProxyHops: number): string | null {
  const socketIp = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
    ?.remoteAddress;
  return clientAddress(socketIp, c.req.header('x-forwarded-for'), trustProxyHops);
}

/** clientIp() from the socket peer and the X-Forwarded-For header. */
export function clientAddress(
  socketIp: string | undefined,
  forwardedFor: string | undefined,
  trustProxyHops: number,
): string | null {
  if (trustProxyHops > 0) {
    const chain = (forwardedFor ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const ip = normalizeIp(chain[chain.length - trustProxyHops] ?? '');
    if (ip) return ip;
  }
  // An unparseable forwarded address falls back to the peer, never to "no address".
  return socketIp ? normalizeIp(socketIp) : null;
}

function normalizeIp(ip: string): string | null {
  const v = ip.replace(/^::ffff:/, '');
  return isIP(v) ? v : null;
}
