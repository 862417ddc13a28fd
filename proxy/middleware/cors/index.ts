/**
 * CORS for browser-facing routes (/graphql, /auth/*): only allow-listed origins get
 * Access-Control-Allow-Origin and -Credentials, echoed exactly (never `*`, never another
 * Origin: D4). Same-origin and non-browser requests skip it (it is a hot path). Preflights
 * from other origins get no CORS headers, so the browser refuses the real request.
 */
import type { MiddlewareHandler } from 'hono';

export interface CorsOptions {
  allowed: ReadonlySet<string>;
  sameOrigin: string;
}

/** What CORS adds to one request's response. */
export interface CorsDecision {
  /** An OPTIONS preflight: answered at once, 204, with `headers` only. */
  preflight: boolean;
  /** Response headers; `Vary` is appended to any Vary already present. */
  headers: readonly (readonly [string, string])[];
}

const PREFLIGHT_ALLOW = [
  ['Access-Control-Allow-Methods', 'GET, POST'],
  ['Access-Control-Allow-Headers', 'Content-Type, Authorization, X-CSRF-Token, X-Token-Delivery'],
  ['Access-Control-Max-Age', '600'],
] as const;

/** The CORS decision for a request, or null when CORS does not apply (no Origin, or same-origin). */
export function corsFor(opts: CorsOptions, origin: string | undefined, method: string): CorsDecision | null {
  const preflight = method === 'OPTIONS';
  if (origin === undefined || (origin === opts.sameOrigin && !preflight)) return null;
  if (!opts.allowed.has(origin)) return { preflight, headers: [['Vary', 'Origin']] };
  const credentials = [
    ['Vary', 'Origin'],
    ['Access-Control-Allow-Origin', origin],
    ['Access-Control-Allow-Credentials', 'true'],
  ] as const;
  return { preflight, headers: preflight ? [...credentials, ...PREFLIGHT_ALLOW] : credentials };
}

export function cors(opts: CorsOptions): MiddlewareHandler {
  return async (c, next) => {
    const decision = corsFor(opts, c.req.header('origin'), c.req.method);
    if (!decision) return next();
    if (decision.preflight) {
      for (const [k, v] of decision.headers) c.header(k, v);
      return c.body(null, 204);
    }
    await next();
    for (const [k, v] of decision.headers) c.header(k, v, { append: k === 'Vary' });
  };
}
