/**
 * X-Request-Id in (from the balancer, if well formed) or generated, echoed in the response
 * and present in every log line of the request (core/request-id.ts).
 */
import type { MiddlewareHandler } from 'hono';
import { requestIdFrom, withRequestId } from '../../core/request-id.ts';

export function requestId(): MiddlewareHandler {
  return async (c, next) => {
    const id = requestIdFrom(c.req.header('x-request-id'));
    await withRequestId(id, () => next());
    try {
      c.res.headers.set('X-Request-Id', id);
    } catch {
      // A response with immutable headers (from fetch): copy it.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set('X-Request-Id', id);
    }
  };
}
