/**
 * Plain HTTP routes of the session feature:
 *   GET /auth/csrf              a browser's first (anonymous) CSRF token, or one for its
 *                               current session (D2)
 *   GET /.well-known/jwks.json  the public keys that verify access tokens
 */
import { Hono } from 'hono';
import { setCsrfCookie } from '../../core/cookies.ts';
import { issueCsrfToken } from '../../core/csrf-token.ts';
import type { KeyRing } from '../../core/keys.ts';
import { credentialsFromContext } from '../../middleware/credentials/index.ts';
import type { SessionIssuer } from './issuer.ts';

export function sessionRoutes(d: { keys: KeyRing; issuer: SessionIssuer; csrfSecret: Buffer }): Hono {
  const routes = new Hono();
  routes.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(d.keys.jwks);
  });
  routes.get('/auth/csrf', async (c) => {
    const creds = await credentialsFromContext(c, d.keys, d.issuer.tokens, d.issuer.names);
    const token = issueCsrfToken(d.csrfSecret, creds.identity?.sessionId ?? null);
    setCsrfCookie(c, d.issuer.names, token);
    c.header('Cache-Control', 'no-store');
    return c.json({ csrfToken: token });
  });
  return routes;
}
