/**
 * One structured line per request: method, path, status, duration. Never headers, cookies,
 * bodies or query strings (D8).
 */
import type { MiddlewareHandler } from 'hono';

export function requestLog(enabled: boolean): MiddlewareHandler {
  if (!enabled) return (_c, next) => next();
  return async (c, next) => {
    const started = performance.now();
    await next();
    console.log(
      JSON.stringify({
        t: new Date().toISOString(),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      }),
    );
  };
}
