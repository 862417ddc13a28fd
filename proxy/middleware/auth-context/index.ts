/**
 * Hands the verified identity to GraphQL: reads the credentials (bearer or cookies), checks
 * CSRF for cookie requests (D2), and puts an AuthRequest on the Hono context, whose hooks let
 * the auth mutations sign a session or clear it; after GraphQL ran, the cookies are set or
 * cleared (browsers only; native clients get tokens in the body).
 */
import type { MiddlewareHandler } from 'hono';
import type { CookieNames } from '../../core/cookies.ts';
import { clearSessionCookies, parseRefreshCookie } from '../../core/cookies.ts';
import { AuthError } from '../../core/errors.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { IssuedSession } from '../../core/request.ts';
import type { TokenSettings } from '../../core/tokens.ts';
import type { SessionIssuer, SignedSession } from '../../features/sessions/issuer.ts';
import { clientIp, credentialsFromContext } from '../credentials/index.ts';
import { assertCsrf } from '../csrf/index.ts';

export interface AuthContextDeps {
  keys: KeyRing;
  tokens: TokenSettings;
  names: CookieNames;
  csrfSecret: Buffer;
  trustProxyHops: number;
  issuer: SessionIssuer;
}

export function authContext(d: AuthContextDeps): MiddlewareHandler {
  return async (c, next) => {
    // WebSocket upgrades authenticate per operation from the upgrade request (graphql/preset.ts).
    if (c.req.method === 'GET') return next();
    const creds = await credentialsFromContext(c, d.keys, d.tokens, d.names);
    if (creds.invalidBearer) throw new AuthError('TOKEN');
    const csrfSessionId = assertCsrf(c, d.csrfSecret, d.names, creds);
    const bodyDelivery = creds.kind !== 'cookie' && c.req.header('x-token-delivery') === 'body';
    let issued: SignedSession | null = null;
    let clear = false;
    c.set('auth', {
      identity: creds.identity,
      ip: clientIp(c, d.trustProxyHops),
      userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
      bodyDelivery,
      refreshCookie: bodyDelivery ? null : (parseRefreshCookie(creds.cookies[d.names.refresh])?.token ?? null),
      csrfSessionId,
      canAuthenticate: true,
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
    });
    await next();
    if (bodyDelivery) return;
    const done = issued as SignedSession | null;
    if (done) d.issuer.setCookies(c, done);
    else if (clear) clearSessionCookies(c, d.names);
  };
}
