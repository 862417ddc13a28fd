/**
 * One structured line per request: method, path, status, duration. Never headers, cookies,
 * bodies or query strings (D8).
 */
import type { MiddlewareHandler } from 'hono';
import { currentRequestId } from '../../core/request-id.ts';

export function requestLog(enabled: boolean): MiddlewareHandler {
  if (!enabled) return (_c, next) => next();
  return async (c, next) => {
    const started = performance.now();
    await next();
    logRequest(c.req.method, c.req.path, c.res.status, started, currentRequestId());
  };
}

/** The line itself, for a request that started at `started` (performance.now()). */
export function logRequest(method: string, path: string, status: number, started: number, id?: string): void {
  console.log(
    JSON.stringify({
      t: new Date().toISOString(),
      id,
      method,
      path,
      status,
      ms: Math.round(performance.now() - started),
    }),
  );
}
