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
import { requestIdFrom } from '../../core/request-id.ts';
import { newOutcome } from '../../core/request.ts';
import { type AuthContextDeps, authenticate } from '../auth-context/index.ts';
import { type CorsDecision, type CorsOptions, corsFor } from '../cors/index.ts';
import { checkGraphqlRequest, type GuardOptions } from '../graphql-guard/index.ts';
import { recordDenials, settleOutcome } from '../outcome/index.ts';
import type { Metrics } from '../metrics/index.ts';
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
  /** middleware/metrics when METRICS_ENABLED (null: nothing is counted). */
  metrics?: Metrics | null;
  /** The app's error response (app.ts), which gets this endpoint's headers added. */
  errorResponse(c: Context, err: unknown): Response;
}

type Headers_ = Record<string, string | string[]>;

/**
 * The request as the concerns read it: Node's parsed headers when served by @hono/node-server,
 * else the Fetch request's. A class: its methods are not closures made per request.
 */
class RequestView {
  readonly incoming: IncomingMessage | undefined;
  readonly socketIp: string | undefined;
  readonly #c: Context;
  constructor(c: Context) {
    this.#c = c;
    this.incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    this.socketIp = this.incoming?.socket?.remoteAddress;
  }
  header(name: string): string | undefined {
    if (!this.incoming) return this.#c.req.header(name);
    const v = this.incoming.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }
}

/** The request for grafserv, as its Node adapter builds it (or from the Fetch request). */
class Digest implements RequestDigest {
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly isSecure: boolean;
  readonly method = 'POST';
  readonly path = '/graphql';
  readonly headers: Record<string, string>;
  // The GraphQL context reads the request's auth state from the Hono context (app.ts).
  readonly requestContext: Partial<Grafast.RequestContext>;
  readonly #c: Context;
  readonly #incoming: IncomingMessage | undefined;
  readonly #maxLength: number;
  constructor(c: Context, incoming: IncomingMessage | undefined, maxLength: number) {
    this.#c = c;
    this.#incoming = incoming;
    this.#maxLength = maxLength;
    this.httpVersionMajor = incoming?.httpVersionMajor ?? 1;
    this.httpVersionMinor = incoming?.httpVersionMinor ?? 1;
    this.isSecure = c.req.url.startsWith('https:');
    this.headers = incoming ? (incoming.headers as Record<string, string>) : c.req.header();
    this.requestContext = { honov4: { ctx: c } } as Partial<Grafast.RequestContext>;
  }
  getQueryParams() {
    return this.#c.req.query();
  }
  // A body over the limit (counted while read when no Content-Length was declared) is a 413
  // result, answered as TOOBIG below.
  async getBody() {
    if (this.#incoming) return getBodyFromRequest(this.#incoming, this.#maxLength);
    const buffer = Buffer.from(await this.#c.req.arrayBuffer());
    if (buffer.length > this.#maxLength) throw httpError(413, 'Too much data');
    return { type: 'buffer' as const, buffer };
  }
}

/** Body and headers of grafserv's result (a GraphQL response is a buffer). */
function body(result: Result | null): {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: Uint8Array | string | ReadableStream | null;
} {
  switch (result?.type) {
    case 'buffer':
      return { status: result.statusCode, headers: result.headers, body: result.buffer };
    case 'json': {
      const text = JSON.stringify(result.json);
      return {
        status: result.statusCode,
        headers: { ...result.headers, 'content-length': String(Buffer.byteLength(text)) },
        body: text,
      };
    }
    case 'noContent':
      return { status: result.statusCode, headers: result.headers, body: null };
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
      return { status: result.statusCode, headers: result.headers, body: stream };
    }
    case 'error':
      throw result.error;
    default:
      throw new Error(`unexpected GraphQL result ${(result as { type?: string } | null)?.type ?? 'null'}`);
  }
}

export function graphqlEndpoint(d: GraphqlEndpointDeps): MiddlewareHandler {
  const maxLength = d.guard.bodyLimitBytes;
  // Every answer of this endpoint carries the security headers; all but preflights no-store.
  const preflightBase: Headers_ = { ...d.securityHeaders };
  const answerBase: Headers_ = { ...d.securityHeaders, 'cache-control': 'no-store' };
  const headersFor = (
    own: Readonly<Record<string, string>> | null,
    cors: CorsDecision | null,
    id: string,
    preflight = false,
  ): Headers_ => {
    const h: Headers_ = preflight ? { ...preflightBase } : { ...answerBase };
    if (own) for (const k in own) h[k] = own[k]!;
    h['x-request-id'] = id;
    if (cors) {
      for (const [k, v] of cors.headers) {
        const key = k.toLowerCase();
        const prev = h[key];
        h[key] = key === 'vary' && typeof prev === 'string' && prev ? `${prev}, ${v}` : v;
      }
    }
    return h;
  };

  const metrics = d.metrics ?? null;
  const timed = d.log || metrics !== null;
  return async (c, next) => {
    const started = timed ? performance.now() : 0;
    const method = c.req.method;
    const req = new RequestView(c);
    const id = requestIdFrom(req.header('x-request-id'));
    c.set('requestId', id);
    const cors = corsFor(d.cors, req.header('origin'), method);
    let res: Response;
    if (cors?.preflight) {
      // As the cors middleware answers it on other routes: 204 with its headers.
      res = new Response(null, { status: 204, headers: headersFor(null, cors, id, true) as HeadersInit });
    } else {
      try {
        if (checkGraphqlRequest(d.guard, method, req) === 'upgrade') {
          c.header('Cache-Control', 'no-store');
          return next();
        }
        res = await run(c, req, cors, id);
      } catch (err) {
        res = d.errorResponse(c, err);
        for (const [k, v] of Object.entries(headersFor(null, cors, id))) res.headers.set(k, v as string);
      }
    }
    if (d.log) logRequest(method, '/graphql', res.status, started, id);
    if (metrics) metrics.observeHttp(method, '/graphql', res.status, started);
    return res;
  };

  async function run(c: Context, req: RequestView, cors: CorsDecision | null, id: string): Promise<Response> {
    const out = newOutcome();
    c.set('outcome', out);
    const who = await authenticate(d.auth, req);
    c.set('auth', who.auth);
    const handled = await d.serv.graphqlHandler(
      normalizeRequest(new Digest(c, req.incoming, maxLength)),
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
    if (settled.audit) await recordDenials(d.outcome.pool, who.auth.identity, out);
    const h = headersFor(r.headers, cors, id);
    if (settled.body !== undefined) h['content-length'] = String(Buffer.byteLength(settled.body));
    const cookies = who.cookies();
    if (cookies.length) h['set-cookie'] = cookies;
    // Plain headers (arrays for Set-Cookie): @hono/node-server hands them to writeHead as they are.
    return new Response((settled.body ?? r.body) as BodyInit | null, {
      status: settled.status,
      headers: h as unknown as HeadersInit,
    });
  }
}
