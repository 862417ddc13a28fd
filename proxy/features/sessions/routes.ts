/**
 * Plain HTTP routes of the session feature:
 *   GET /auth/csrf              a browser's first (anonymous) CSRF token, or one for its
 *                               current session (D2)
 *   GET /.well-known/jwks.json  the public keys that verify access tokens
 *   GET /.well-known/oauth-authorization-server, /.well-known/openid-configuration
 *                               discovery for resource servers (RFC 8414): issuer and jwks_uri,
 *                               so a verifier configured with the issuer finds the keys
 */
import { Hono } from 'hono';
import { setCsrfCookie } from '../../core/cookies.ts';
import { issueCsrfToken } from '../../core/csrf-token.ts';
import type { KeyRing } from '../../core/keys.ts';
import { credentialsFromContext } from '../../middleware/credentials/index.ts';
import type { SessionIssuer } from './issuer.ts';

/**
 * What is true of this server as an authorization server: it issues access tokens (RFC 9068
 * JWTs, iss = the public origin) but runs no authorization or token endpoint of RFC 6749
 * (sign-in and refresh are GraphQL mutations), hence no response types. The same document
 * answers OpenID discovery, which verifiers such as jwks-rsa, Spring and express-oauth2-jwt-bearer
 * read for jwks_uri; no ID tokens are issued, so no ID-token fields are claimed. Each JWKS
 * key names its algorithm (EdDSA or ES256).
 */
export function discoveryDocument(publicOrigin: string): Record<string, unknown> {
  return {
    issuer: publicOrigin,
    jwks_uri: `${publicOrigin}/.well-known/jwks.json`,
    response_types_supported: [],
    grant_types_supported: [],
    subject_types_supported: ['public'],
  };
}

export function sessionRoutes(d: {
  keys: KeyRing;
  issuer: SessionIssuer;
  csrfSecret: Buffer;
  publicOrigin: string;
}): Hono {
  const routes = new Hono();
  routes.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(d.keys.jwks);
  });
  const metadata = discoveryDocument(d.publicOrigin);
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    routes.get(path, (c) => {
      c.header('Cache-Control', 'public, max-age=300');
      return c.json(metadata);
    });
  }
  routes.get('/auth/csrf', async (c) => {
    const creds = await credentialsFromContext(c, d.keys, d.issuer.tokens, d.issuer.names);
    const token = issueCsrfToken(d.csrfSecret, creds.identity?.sessionId ?? null);
    setCsrfCookie(c, d.issuer.names, token);
    c.header('Cache-Control', 'no-store');
    return c.json({ csrfToken: token });
  });
  return routes;
}
