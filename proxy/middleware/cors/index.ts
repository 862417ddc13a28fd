/**
 * CORS for browser-facing routes (/graphql, /auth/*): only allow-listed origins get
 * Access-Control-Allow-Origin and -Credentials, echoed exactly (never `*`, never another
 * Origin: D4). Same-origin and non-browser requests skip it (it is a hot path). Preflights
 * from other origins get no CORS headers, so the browser refuses the real request.
 */
import type { MiddlewareHandler } from 'hono';

export function cors(opts: { allowed: ReadonlySet<string>; sameOrigin: string }): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const preflight = c.req.method === 'OPTIONS';
    if (origin === undefined || (origin === opts.sameOrigin && !preflight)) return next();
    const ok = opts.allowed.has(origin);
    if (preflight) {
      c.header('Vary', 'Origin');
      if (!ok) return c.body(null, 204);
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Allow-Credentials', 'true');
      c.header('Access-Control-Allow-Methods', 'GET, POST');
      c.header('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-CSRF-Token, X-Token-Delivery');
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    }
    await next();
    c.header('Vary', 'Origin', { append: true });
    if (ok) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Allow-Credentials', 'true');
    }
  };
}
