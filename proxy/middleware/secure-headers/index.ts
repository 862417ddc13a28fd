/**
 * Security headers on every response: Hono's secureHeaders() with the edge's policy (CSP
 * `frame-ancestors 'none'`, X-Frame-Options DENY, HSTS in production; the development IDE's
 * inline code allowed only outside production). The same set, computed once at start, is
 * what the /graphql endpoint writes as plain headers (middleware/graphql-endpoint).
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

export interface SecurityHeaders {
  middleware: MiddlewareHandler;
  /** The headers secureHeaders() sets, by name, as it sets them on a response. */
  headers: Readonly<Record<string, string>>;
}

export async function securityHeaders(production: boolean): Promise<SecurityHeaders> {
  const middleware = secureHeaders({
    strictTransportSecurity: production ? 'max-age=63072000; includeSubDomains' : false,
    xFrameOptions: 'DENY',
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      frameAncestors: ["'none'"],
      // Ruru (development only) is a single page with inline bootstrap code; its editor
      // embeds its icon font and squiggle images as data: URLs (graphql/ide.ts).
      ...(production
        ? {}
        : {
            scriptSrc: ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
            styleSrc: ["'self'", "'unsafe-inline'"],
            fontSrc: ["'self'", 'data:'],
            imgSrc: ["'self'", 'data:'],
          }),
    },
  });
  // Exactly what the middleware adds to a bare response: no second copy of the policy to drift.
  const probe = new Hono();
  probe.use(middleware);
  probe.get('/', (c) => c.body(null, 204));
  const res = await probe.request('/');
  return { middleware, headers: Object.freeze(Object.fromEntries(res.headers)) };
}
