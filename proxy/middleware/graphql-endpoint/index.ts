/**
 * POST /graphql as one middleware: the edge's concerns in order, each a function from its
 * own folder, then PostGraphile (grafserv's request handler), answered with one response
 * whose headers are a plain object.
 *
 *   cors (preflights answered here) -> graphql-guard (method, Origin, type, size)
 *   -> auth-context (credentials, CSRF) -> PostGraphile -> outcome (status, K2 audit)
 *   -> auth-context's cookies -> secure-headers, CORS, Cache-Control -> request-log
 *
 * Why one layer: on the hot path, each Hono middleware layer, every header read through the
 * Fetch API's Headers and every header written after the response exists (which turns the
 * response's headers into a Headers object) cost more than the checks themselves
 * (docs/benchmarks.md, bench:http). Here headers are read from Node's request object, the body
 * is read from the Node stream with grafserv's own limit, and the response is built once. It
 * is registered before the app-wide middleware, which then runs for every other route and for
 * WebSocket upgrades, which this passes on (graphql/preset.ts authenticates each operation).
 * Errors become the app's error response with the same headers added.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { GrafservBase, RequestDigest, Result } from 'postgraphile/grafserv';
import { convertHandlerResultToResult, getBodyFromRequest, httpError, normalizeRequest } from 'postgraphile/grafserv';
import type pg from 'pg';
import { AuthError } from '../../core/errors.ts';
import { requestIdFrom, withRequestId } from '../../core/request-id.ts';
import { newOutcome } from '../../core/request.ts';
import { type AuthContextDeps, authenticate } from '../auth-context/index.ts';
import { type CorsDecision, type CorsOptions, corsFor } from '../cors/index.ts';
import { checkGraphqlRequest, type GuardOptions } from '../graphql-guard/index.ts';
import { recordDenials, settleOutcome } from '../outcome/index.ts';
import { logRequest } from '../request-log/index.ts';

export interface GraphqlEndpointDeps {
  /** PostGraphile's server (grafserv); app.ts adds its other routes (WebSockets, the IDE). */
  serv: GrafservBase;
  cors: CorsOptions;
  guard: GuardOptions;
  auth: AuthContextDeps;
  outcome: { pool: pg.Pool; production: boolean };
  /** middleware/secure-headers: the same headers every other response gets. */
  securityHeaders: Readonly<Record<string, string>>;
  log: boolean;
  /** The app's error response (app.ts), which gets this endpoint's headers added. */
  errorResponse(c: Context, err: unknown): Response;
}

type Headers_ = Record<string, string | string[]>;

/** The request as the concerns read it: Node's parsed headers when served by @hono/node-server. */
function view(c: Context) {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const raw = incoming?.headers;
  const header = raw
    ? (name: string) => {
        const v = raw[name];
        return Array.isArray(v) ? v.join(', ') : v;
      }
    : (name: string) => c.req.header(name);
  return { incoming, header, socketIp: incoming?.socket?.remoteAddress };
}

/** The request for grafserv, as its Node adapter builds it (or from the Fetch request). */
function digest(c: Context, incoming: IncomingMessage | undefined, maxLength: number): RequestDigest {
  return {
    httpVersionMajor: incoming?.httpVersionMajor ?? 1,
    httpVersionMinor: incoming?.httpVersionMinor ?? 1,
    isSecure: c.req.url.startsWith('https:'),
    method: 'POST',
    path: '/graphql',
    headers: incoming ? (incoming.headers as Record<string, string>) : c.req.header(),
    getQueryParams: () => c.req.query(),
    // A body over the limit (counted while read when no Content-Length was declared) is a 413
    // result, answered as TOOBIG below.
    getBody: incoming
      ? () => getBodyFromRequest(incoming, maxLength)
      : async () => {
          const buffer = Buffer.from(await c.req.arrayBuffer());
          if (buffer.length > maxLength) throw httpError(413, 'Too much data');
          return { type: 'buffer', buffer };
        },
    // The GraphQL context reads the request's auth state from the Hono context (app.ts).
    requestContext: { honov4: { ctx: c } } as Partial<Grafast.RequestContext>,
  };
}

/** Body and headers of grafserv's result (a GraphQL response is a buffer). */
function body(result: Result | null): {
  status: number;
  headers: Headers_;
  body: Uint8Array | string | ReadableStream | null;
} {
  switch (result?.type) {
    case 'buffer':
      return { status: result.statusCode, headers: { ...result.headers }, body: result.buffer };
    case 'json': {
      const text = JSON.stringify(result.json);
      return {
        status: result.statusCode,
        headers: { ...result.headers, 'content-length': String(Buffer.byteLength(text)) },
        body: text,
      };
    }
    case 'noContent':
      return { status: result.statusCode, headers: { ...result.headers }, body: null };
    case 'bufferStream': {
      const it = result.bufferIterator;
      const stream = new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          const next = await it.next();
          if (next.done) ctrl.close();
          else ctrl.enqueue(next.value);
        },
        async cancel() {
          await it.return?.();
        },
      });
      return { status: result.statusCode, headers: { ...result.headers }, body: stream };
    }
    case 'error':
      throw result.error;
    default:
      throw new Error(`unexpected GraphQL result ${(result as { type?: string } | null)?.type ?? 'null'}`);
  }
}

export function graphqlEndpoint(d: GraphqlEndpointDeps): MiddlewareHandler {
  const maxLength = d.guard.bodyLimitBytes;
  /** The headers every answer of this endpoint carries, added to `headers`. */
  const decorate = (headers: Headers_, cors: CorsDecision | null, id: string, noStore: boolean) => {
    Object.assign(headers, d.securityHeaders);
    if (noStore) headers['cache-control'] = 'no-store';
    headers['x-request-id'] = id;
    for (const [k, v] of cors?.headers ?? []) {
      const key = k.toLowerCase();
      const prev = headers[key];
      headers[key] = key === 'vary' && typeof prev === 'string' && prev ? `${prev}, ${v}` : v;
    }
    return headers;
  };

  return async (c, next) => {
    const started = d.log ? performance.now() : 0;
    const method = c.req.method;
    const req = view(c);
    const id = requestIdFrom(req.header('x-request-id'));
    const cors = corsFor(d.cors, req.header('origin'), method);
    let res: Response;
    if (cors?.preflight) {
      // As the cors middleware answers it on other routes: 204 with its headers.
      res = new Response(null, { status: 204, headers: decorate({}, cors, id, false) as HeadersInit });
    } else {
      try {
        if (checkGraphqlRequest(d.guard, method, req.header).kind === 'upgrade') {
          c.header('Cache-Control', 'no-store');
          return next();
        }
        res = await withRequestId(id, () => run(c, req, cors, id));
      } catch (err) {
        res = d.errorResponse(c, err);
        for (const [k, v] of Object.entries(decorate({}, cors, id, true))) res.headers.set(k, v as string);
      }
    }
    if (d.log) logRequest(method, '/graphql', res.status, started, id);
    return res;
  };

  async function run(c: Context, req: ReturnType<typeof view>, cors: CorsDecision | null, id: string) {
    const out = newOutcome();
    c.set('outcome', out);
    const who = await authenticate(d.auth, req);
    c.set('auth', who.auth);
    const handled = await d.serv.graphqlHandler(
      normalizeRequest(digest(c, req.incoming, maxLength)),
      d.serv.graphiqlHandler,
    );
    const r = body(await convertHandlerResultToResult(handled));
    if (r.status === 413) throw new AuthError('TOOBIG');
    const settled = settleOutcome(
      out,
      r.status,
      () =>
        String(r.headers['content-type'] ?? '').includes('json') && r.body instanceof Uint8Array
          ? Buffer.from(r.body).toString('utf8')
          : null,
      d.outcome.production,
    );
    if (settled.body !== undefined) {
      r.body = settled.body;
      r.headers['content-length'] = String(Buffer.byteLength(settled.body));
    }
    if (settled.audit) await recordDenials(d.outcome.pool, who.auth.identity, out);
    const cookies = who.cookies();
    if (cookies.length) r.headers['set-cookie'] = cookies;
    // Plain headers (arrays for Set-Cookie): @hono/node-server hands them to writeHead as they are.
    return new Response(r.body as BodyInit | null, {
      status: settled.status,
      headers: decorate(r.headers, cors, id, true) as unknown as HeadersInit,
    });
  }
}
