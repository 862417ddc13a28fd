/**
 * X-Request-Id in (from the balancer, if well formed) or generated, on the Hono context as
 * `requestId` for the request's log lines and GraphQL (core/request-id.ts), echoed in the
 * response.
 */
import type { MiddlewareHandler } from 'hono';
import { requestIdFrom } from '../../core/request-id.ts';

export function requestId(): MiddlewareHandler {
  return async (c, next) => {
    const id = requestIdFrom(c.req.header('x-request-id'));
    c.set('requestId', id);
    await next();
    try {
      c.res.headers.set('X-Request-Id', id);
    } catch {
      // A response with immutable headers (from fetch): copy it.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set('X-Request-Id', id);
    }
  };
}
