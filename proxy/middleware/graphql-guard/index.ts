/**
 * Transport checks for /graphql before anything is parsed: POST only (a GET is refused
 * unless it is a WebSocket upgrade: D3), allowed Origin (D4), JSON content types only (D3),
 * body size (declared sizes from the header; bodies without one are counted while read).
 */
import { AuthError } from '../../core/errors.ts';
import { checkOrigin } from '../origin/index.ts';

const JSON_TYPES = new Set(['application/json', 'application/graphql']);

export interface GuardOptions {
  allowed: ReadonlySet<string>;
  bodyLimitBytes: number;
}

/**
 * Checks a /graphql request from its method and headers (lower-case names); throws the
 * refusal. Returns `upgrade` for a WebSocket upgrade, else `post`: a body without a declared
 * length is then counted against the limit while it is read (middleware/graphql-endpoint).
 */
export function checkGraphqlRequest(
  opts: GuardOptions,
  method: string,
  req: { header(name: string): string | undefined },
): 'upgrade' | 'post' {
  const upgrade = method === 'GET' && req.header('upgrade')?.toLowerCase() === 'websocket';
  if (method === 'GET' && !upgrade) throw new AuthError('BADREQ', { message: 'Use POST for GraphQL' });
  checkOrigin(req.header('origin'), req.header('sec-fetch-site'), opts.allowed);
  if (upgrade) return 'upgrade';
  if (method !== 'POST') throw new AuthError('BADREQ', { message: 'Use POST for GraphQL' });
  const length = req.header('content-length');
  if (Number(length ?? 0) > opts.bodyLimitBytes) throw new AuthError('TOOBIG');
  const type = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_TYPES.has(type)) throw new AuthError('BADREQ', { message: 'Content-Type must be application/json' });
  return 'post';
}
