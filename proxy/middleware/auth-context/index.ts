/**
 * Hands the verified identity to GraphQL: reads the credentials (bearer or cookies), checks
 * CSRF for cookie requests (D2), and builds the request's AuthRequest, whose hooks let the
 * auth mutations sign a session or clear it; after GraphQL ran, the cookies to set or clear
 * (browsers only; native clients get tokens in the body).
 */
import type { Context } from 'hono';
import type { CookieNames } from '../../core/cookies.ts';
import { clearSessionCookies, parseRefreshCookie } from '../../core/cookies.ts';
import { AuthError } from '../../core/errors.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { AuthRequest, IssuedSession } from '../../core/request.ts';
import type { TokenSettings } from '../../core/tokens.ts';
import type { ApiKeyVerifier } from '../../features/permissions/api-keys.ts';
import type { SessionIssuer, SignedSession } from '../../features/sessions/issuer.ts';
import { clientAddress, credentialsFromHeaders } from '../credentials/index.ts';
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

/** Throws TOKEN (invalid bearer) or CSRF; otherwise the request's AuthRequest. */
export async function authenticate(d: AuthContextDeps, req: RequestView): Promise<Authenticated> {
  const creds = await credentialsFromHeaders(
    req.header('authorization'),
    req.header('cookie'),
    d.keys,
    d.tokens,
    d.names,
    d.apiKeys,
  );
  if (creds.invalidBearer) throw new AuthError('TOKEN');
  const csrfSessionId = checkCsrf(d.csrfSecret, d.names, creds, req.header('x-csrf-token'));
  const bodyDelivery = creds.kind !== 'cookie' && req.header('x-token-delivery') === 'body';
  let issued: SignedSession | null = null;
  let clear = false;
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
  };
  return {
    auth,
    cookies() {
      const done = issued as SignedSession | null;
      if (bodyDelivery || (!done && !clear)) return [];
      // The cookie helpers write through Context.header(); only that method is needed here.
      const values: string[] = [];
      const sink = { header: (_name: string, value: string) => void values.push(value) } as unknown as Context;
      if (done) d.issuer.setCookies(sink, done);
      else clearSessionCookies(sink, d.names);
      return values;
    },
  };
}
