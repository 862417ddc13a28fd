/**
 * Transport checks for /graphql before anything is parsed: POST only (a GET is refused
 * unless it is a WebSocket upgrade: D3), allowed Origin (D4), JSON content types only (D3),
 * body size (declared sizes from the header; bodies without one are counted while read).
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AuthError } from '../../core/errors.ts';
import { assertOrigin } from '../origin/index.ts';

const JSON_TYPES = new Set(['application/json', 'application/graphql']);

export function graphqlGuard(opts: { allowed: ReadonlySet<string>; bodyLimitBytes: number }): MiddlewareHandler {
  const countBody = bodyLimit({
    maxSize: opts.bodyLimitBytes,
    onError: () => {
      throw new AuthError('TOOBIG');
    },
  });
  return (c, next) => {
    c.header('Cache-Control', 'no-store');
    const method = c.req.method;
    const upgrade = method === 'GET' && c.req.header('upgrade')?.toLowerCase() === 'websocket';
    if (method === 'GET' && !upgrade) throw new AuthError('BADREQ', { message: 'Use POST for GraphQL' });
    assertOrigin(c, opts.allowed);
    if (upgrade) return next();
    if (method !== 'POST') throw new AuthError('BADREQ', { message: 'Use POST for GraphQL' });
    const length = c.req.header('content-length');
    if (Number(length ?? 0) > opts.bodyLimitBytes) throw new AuthError('TOOBIG');
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!JSON_TYPES.has(type)) throw new AuthError('BADREQ', { message: 'Content-Type must be application/json' });
    // Counting every body while it is read costs too much to do when the size is declared.
    return length === undefined ? countBody(c, next) : next();
  };
}
