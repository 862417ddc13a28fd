/**
 * Hands the verified identity to GraphQL: reads the credentials (bearer or cookies), checks
 * CSRF for cookie requests (D2), and builds the request's AuthRequest, whose hooks let the
 * auth mutations sign a session or clear it; after GraphQL ran, the cookies to set or clear
 * (browsers only; native clients get tokens in the body).
 */
import type { Context } from 'hono';
import { LRUCache } from 'lru-cache';
import type { CookieNames } from '../../core/cookies.ts';
import { clearSessionCookies, parseRefreshCookie } from '../../core/cookies.ts';
import { AuthError } from '../../core/errors.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { AuthRequest, IssuedSession } from '../../core/request.ts';
import type { TokenSettings } from '../../core/tokens.ts';
import type { ApiKeyVerifier } from '../../features/permissions/api-keys.ts';
import type { SessionIssuer, SignedSession } from '../../features/sessions/issuer.ts';
import { type Credentials, clientAddress, credentialsFromHeaders } from '../credentials/index.ts';
import { checkCsrf } from '../csrf/index.ts';

export interface AuthContextDeps {
  keys: KeyRing;
  tokens: TokenSettings;
  names: CookieNames;
  csrfSecret: Buffer;
  trustProxyHops: number;
  issuer: SessionIssuer;
  /** Verifies `Bearer pga_...` personal API keys; without it they are refused. */
  apiKeys?: ApiKeyVerifier;
  /** Reads the signed trusted-device cookie (features/mfa): its token, or null. */
  trustedDevice?: (cookies: Record<string, string>) => string | null;
}

/** The request as this concern reads it: header values by lower-case name, the socket peer. */
export interface RequestView {
  header(name: string): string | undefined;
  socketIp: string | undefined;
}

export interface Authenticated {
  auth: AuthRequest;
  /** After GraphQL ran: the Set-Cookie values the response carries (none for native clients). */
  cookies(): string[];
}

/** What the credentials and the CSRF token decided for one set of header values. */
interface Decision {
  creds: Credentials;
  csrfSessionId: string | null;
  /** Valid until (unix seconds): the access token's expiry; Infinity without a token. */
  until: number;
}

// Decisions by the exact header values that made them: a browser sends the same Authorization
// or Cookie and X-CSRF-Token on every request, so parsing the cookies, looking the token up,
// and checking the CSRF token and its binding are done once per distinct triple. Safe because
// the decision is a function of those strings, of the signing keys (a reload replaces
// `keys.verify`, and with it this cache), of the CSRF secret (fixed for `d`) and of the clock
// only through the access token's expiry, checked on every hit. Only successes are kept:
// refusals and invalid tokens are decided again. Never for API keys: SQL verifies those on
// every request (O2).
const MAX_DECISIONS = 1_000;
const decisions = new WeakMap<AuthContextDeps, { verify: unknown; lru: LRUCache<string, Decision> }>();

const NONE = '\u0000'; // never in a header value: an absent header differs from an empty one

async function decide(d: AuthContextDeps, req: RequestView): Promise<Decision> {
  const authorization = req.header('authorization');
  const cookie = req.header('cookie');
  const csrf = req.header('x-csrf-token');
  let cache = decisions.get(d);
  if (!cache || cache.verify !== d.keys.verify) {
    cache = { verify: d.keys.verify, lru: new LRUCache({ max: MAX_DECISIONS }) };
    decisions.set(d, cache);
  }
  const apiKey = authorization?.startsWith('Bearer pga_') === true;
  const key = apiKey ? '' : `${authorization ?? NONE}\n${cookie ?? NONE}\n${csrf ?? NONE}`;
  const hit = apiKey ? undefined : cache.lru.get(key);
  if (hit) {
    if (hit.until > Date.now() / 1000) return hit;
    cache.lru.delete(key);
  }
  const creds = await credentialsFromHeaders(authorization, cookie, d.keys, d.tokens, d.names, d.apiKeys);
  if (creds.invalidBearer) throw new AuthError('TOKEN');
  const csrfSessionId = checkCsrf(d.csrfSecret, d.names, creds, csrf);
  const token = creds.kind === 'bearer' ? authorization!.slice(7) : creds.cookies[d.names.access];
  // A token that did not verify (the caller is anonymous) is checked again next time.
  const keep = !apiKey && (creds.identity !== null || !token);
  const decision: Decision = {
    creds,
    csrfSessionId,
    until: keep && token ? expiryOf(token) : Number.POSITIVE_INFINITY,
  };
  if (keep) cache.lru.set(key, decision);
  return decision;
}

/** The `exp` of a token that verified (so its payload is well formed). */
function expiryOf(token: string): number {
  const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown })
    .exp;
  return typeof exp === 'number' ? exp : 0;
}

/** Throws TOKEN (invalid bearer) or CSRF; otherwise the request's AuthRequest. */
export async function authenticate(d: AuthContextDeps, req: RequestView): Promise<Authenticated> {
  const { creds, csrfSessionId } = await decide(d, req);
  const bodyDelivery = creds.kind !== 'cookie' && req.header('x-token-delivery') === 'body';
  let issued: SignedSession | null = null;
  let clear = false;
  const extra: string[] = [];
  const auth: AuthRequest = {
    identity: creds.identity,
    ip: clientAddress(req.socketIp, req.header('x-forwarded-for'), d.trustProxyHops),
    userAgent: req.header('user-agent')?.slice(0, 512) ?? null,
    bodyDelivery,
    refreshCookie: bodyDelivery ? null : (parseRefreshCookie(creds.cookies[d.names.refresh])?.token ?? null),
    csrfSessionId,
    // A request with an API key cannot sign in, register, refresh or change credentials (O2).
    canAuthenticate: !creds.apiKey,
    async issue(session: IssuedSession) {
      issued = await d.issuer.sign(session);
      return {
        accessToken: issued.accessToken,
        accessTokenExpiresAt: issued.accessTokenExpiresAt,
        refreshToken: session.refresh_token,
      };
    },
    clear() {
      clear = true;
    },
    trustedDeviceToken: d.trustedDevice?.(creds.cookies) ?? null,
    addCookie(setCookie: string) {
      extra.push(setCookie);
    },
  };
  return {
    auth,
    cookies() {
      const done = issued as SignedSession | null;
      if (bodyDelivery) return [];
      if (!done && !clear) return [...extra];
      // The cookie helpers write through Context.header(); only that method is needed here.
      const values: string[] = [];
      const sink = { header: (_name: string, value: string) => void values.push(value) } as unknown as Context;
      if (done) d.issuer.setCookies(sink, done);
      else clearSessionCookies(sink, d.names);
      return [...values, ...extra];
    },
  };
}
