/**
 * One structured line per request (core/logger.ts, level info): request id, method, path,
 * status, duration. Never headers, cookies, bodies or query strings (D8).
 */
import type { MiddlewareHandler } from 'hono';
import { logger } from '../../core/logger.ts';

export function requestLog(enabled: boolean): MiddlewareHandler {
  if (!enabled) return (_c, next) => next();
  return async (c, next) => {
    const started = performance.now();
    await next();
    logRequest(c.req.method, c.req.path, c.res.status, started, c.get('requestId'));
  };
}

/** The line itself, for a request that started at `started` (performance.now()). */
export function logRequest(method: string, path: string, status: number, started: number, requestId?: string): void {
  logger.info({ requestId, method, path, status, ms: Math.round(performance.now() - started) }, 'request');
}
