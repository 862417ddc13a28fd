/**
 * Transport checks for /graphql before anything is parsed: POST only (a GET is refused
 * unless it is a WebSocket upgrade: D3), allowed Origin (D4), JSON content types only (D3),
 * body size (declared sizes from the header; bodies without one are counted while read).
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AuthError } from '../../core/errors.ts';
import { checkOrigin } from '../origin/index.ts';

const JSON_TYPES = new Set(['application/json', 'application/graphql']);

export interface GuardOptions {
  allowed: ReadonlySet<string>;
  bodyLimitBytes: number;
}

/**
 * Checks a /graphql request from its method and headers (lower-case names); throws the
 * refusal. Returns `upgrade` for a WebSocket upgrade, else `post`, and whether the body has
 * no declared length (then whoever reads it must count it against the limit).
 */
export function checkGraphqlRequest(
  opts: GuardOptions,
  method: string,
  header: (name: string) => string | undefined,
): { kind: 'upgrade' | 'post'; uncounted: boolean } {
  const upgrade = method === 'GET' && header('upgrade')?.toLowerCase() === 'websocket';
  if (method === 'GET' && !upgrade) throw new AuthError('BADREQ', { message: 'Use POST for GraphQL' });
  checkOrigin(header('origin'), header('sec-fetch-site'), opts.allowed);
  if (upgrade) return { kind: 'upgrade', uncounted: false };
  if (method !== 'POST') throw new AuthError('BADREQ', { message: 'Use POST for GraphQL' });
  const length = header('content-length');
  if (Number(length ?? 0) > opts.bodyLimitBytes) throw new AuthError('TOOBIG');
  const type = (header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_TYPES.has(type)) throw new AuthError('BADREQ', { message: 'Content-Type must be application/json' });
  return { kind: 'post', uncounted: length === undefined };
}

export function graphqlGuard(opts: GuardOptions): MiddlewareHandler {
  const countBody = bodyLimit({
    maxSize: opts.bodyLimitBytes,
    onError: () => {
      throw new AuthError('TOOBIG');
    },
  });
  return (c, next) => {
    c.header('Cache-Control', 'no-store');
    const { kind, uncounted } = checkGraphqlRequest(opts, c.req.method, (n) => c.req.header(n));
    // Counting every body while it is read costs too much to do when the size is declared.
    return kind === 'post' && uncounted ? countBody(c, next) : next();
  };
}
