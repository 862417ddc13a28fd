/**
 * Prometheus metrics (prom-client), off unless METRICS_ENABLED=true: then `createMetrics`
 * returns the collectors, and nothing of this module runs on a request when it is off (the
 * callers hold `null`).
 *
 * Where /metrics is served: on its own port (METRICS_PORT; bind it to the private network
 * the scraper uses), or on the main port behind `Authorization: Bearer <METRICS_TOKEN>`
 * (required in production; in development without a token only loopback clients are
 * answered). The token is checked on the own port too when it is set.
 *
 * Per request the cost is counters: one counter and one histogram observation (labels: the
 * route pattern, never the path, and the status), one counter per GraphQL operation (its
 * name, capped at MAX_OPERATION_NAMES distinct names, and each error code). Pool, WebSocket
 * and job-queue figures are read when scraped.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import pg from 'pg';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type DocumentNode, Kind, type OperationDefinitionNode } from 'postgraphile/graphql';
import type { Config } from '../../core/config.ts';
import { AuthError, isErrorCode } from '../../core/errors.ts';
import { logger } from '../../core/logger.ts';

/** Operation names are the client's: beyond this many distinct ones, the rest count as "other". */
const MAX_OPERATION_NAMES = 200;

export interface MetricsDeps {
  cfg: Config;
  pool: pg.Pool;
  /** Mail queue depth (graphile-worker's jobs, read as the owner when scraped). */
  ownerUrl: string;
  /** Provider-token renewals since start (features/oauth/refresh-job.ts). */
  providerTokens?: { runs: number; renewed: number; failed: number };
}

/** Open sockets and subscriptions (features/realtime's stats). */
export type RealtimeStats = () => { sockets: number; subscriptions: number };

export class Metrics {
  readonly registry = new Registry();
  readonly #token: Buffer | null;
  readonly #port: number | null;
  readonly #deps: MetricsDeps;
  #server: Server | null = null;
  #ownerPool: pg.Pool | null = null;
  #realtime: RealtimeStats | null = null;
  readonly #operationNames = new Set<string>();

  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'status'>;
  readonly graphqlOperations: Counter<'operation' | 'type' | 'code'>;
  readonly authAttempts: Counter<'operation' | 'outcome'>;
  readonly lockouts: Counter;
  readonly trustedRefusals: Counter;

  constructor(deps: MetricsDeps) {
    this.#deps = deps;
    const m = deps.cfg.ops.metrics;
    this.#token = m.token ? Buffer.from(m.token) : null;
    this.#port = m.port;
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'pgauth_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'pgauth_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route pattern and status.',
      labelNames: ['route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.graphqlOperations = new Counter({
      name: 'pgauth_graphql_operations_total',
      help: 'GraphQL operations executed, by operation name, type and error code (OK: no error).',
      labelNames: ['operation', 'type', 'code'],
      registers,
    });
    this.authAttempts = new Counter({
      name: 'pgauth_auth_attempts_total',
      help: 'Credential mutations (login, refresh, register, ...) by outcome: ok or the error code.',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.lockouts = new Counter({
      name: 'pgauth_lockouts_total',
      help: 'Requests refused by a lockout or rate limit (RATEL).',
      registers,
    });
    this.trustedRefusals = new Counter({
      name: 'pgauth_graphql_untrusted_documents_total',
      help: 'GraphQL requests refused because their document is not trusted (TRUSTED).',
      registers,
    });
    const pool = deps.pool;
    new Gauge({
      name: 'pgauth_db_pool_connections',
      help: 'Connections of the request pool, by state (total, idle, waiting: requests queued for one).',
      labelNames: ['state'],
      registers,
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    const self = this;
    new Gauge({
      name: 'pgauth_websocket_connections',
      help: 'Open WebSocket connections (GraphQL over graphql-ws).',
      registers,
      collect() {
        this.set(self.#realtime?.().sockets ?? 0);
      },
    });
    new Gauge({
      name: 'pgauth_graphql_subscriptions',
      help: 'Active GraphQL subscriptions over all WebSocket connections.',
      registers,
      collect() {
        this.set(self.#realtime?.().subscriptions ?? 0);
      },
    });
    new Gauge({
      name: 'pgauth_mail_jobs',
      help: 'Mail jobs in the queue (graphile-worker), by state: queued (waiting or to retry) or locked (being sent).',
      labelNames: ['state'],
      registers,
      async collect() {
        const q = await self.#queues();
        if (!q) return;
        this.set({ state: 'queued' }, q.mailQueued);
        this.set({ state: 'locked' }, q.mailLocked);
      },
    });
    new Gauge({
      name: 'pgauth_provider_tokens_due',
      help: 'Provider tokens the background job should renew now (expiring within 5 minutes, not leased, under 3 failed attempts).',
      registers,
      async collect() {
        const q = await self.#queues();
        if (q) this.set(q.tokensDue);
      },
    });
    const tokens = deps.providerTokens;
    if (tokens) {
      new Gauge({
        name: 'pgauth_provider_token_renewals',
        help: 'Provider-token renewals since the process started, by result (runs: background runs).',
        labelNames: ['result'],
        registers,
        collect() {
          this.set({ result: 'runs' }, tokens.runs);
          this.set({ result: 'renewed' }, tokens.renewed);
          this.set({ result: 'failed' }, tokens.failed);
        },
      });
    }
  }

  /** Where open sockets and subscriptions are counted (app.ts: features/realtime). */
  watchRealtime(stats: RealtimeStats): void {
    this.#realtime = stats;
  }

  /** One answered HTTP request. */
  observeHttp(method: string, route: string, status: number, started: number): void {
    const code = statusLabel(status);
    this.httpRequests.labels(method, route, code).inc();
    this.httpDuration.labels(route, code).observe((performance.now() - started) / 1000);
  }

  /** App-wide middleware (every route but POST /graphql, which calls observeHttp itself). */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const started = performance.now();
      await next();
      this.observeHttp(c.req.method, routeOf(c), c.res.status, started);
    };
  }

  /** GET /metrics for the main port (guarded) or the own port. */
  handler(): (c: Context) => Promise<Response> {
    return async (c) => {
      if (!this.#allowed(c)) {
        return c.json({ errors: [{ message: 'Permission denied', extensions: { code: 'DNIED' } }] }, 403);
      }
      const text = await this.registry.metrics();
      return c.body(text, 200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
    };
  }

  #allowed(c: Context): boolean {
    if (this.#token) {
      const given = Buffer.from(/^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '');
      return given.length === this.#token.length && timingSafeEqual(given, this.#token);
    }
    // Only development reaches this without a token on the main port (core/config.ts).
    if (this.#port !== null) return true;
    const ip = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
      ?.remoteAddress;
    return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
  }

  /** Starts the own-port listener when METRICS_PORT is set; resolves with its port. */
  async listen(hostname?: string): Promise<number | null> {
    if (this.#port === null) return null;
    const app = new Hono();
    app.get('/metrics', this.handler());
    const server = serve({ fetch: app.fetch, port: this.#port, ...(hostname ? { hostname } : {}) }) as Server;
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    await this.#ownerPool?.end().catch(() => {});
    this.#ownerPool = null;
  }

  #queueRead: Promise<QueueDepths | null> | null = null;

  /** The queues, read as the owner once per scrape (the gauges of one scrape share the read
   * in flight); null when they cannot be read (logged, the gauges left out). */
  #queues(): Promise<QueueDepths | null> {
    if (this.#queueRead) return this.#queueRead;
    if (!this.#ownerPool) {
      this.#ownerPool = new pg.Pool({ connectionString: this.#deps.ownerUrl, max: 1, idleTimeoutMillis: 60_000 });
      this.#ownerPool.on('error', () => {});
    }
    const pool = this.#ownerPool;
    const result = pool
      .query<{ mail_queued: string; mail_locked: string; tokens_due: string }>(QUEUES)
      .then(({ rows }) => ({
        mailQueued: Number(rows[0]!.mail_queued),
        mailLocked: Number(rows[0]!.mail_locked),
        tokensDue: Number(rows[0]!.tokens_due),
      }))
      .catch((e: unknown) => {
        logger.warn({ message: e instanceof Error ? e.message : String(e) }, 'metrics: queues not readable');
        return null;
      })
      .finally(() => {
        this.#queueRead = null;
      });
    this.#queueRead = result;
    return result;
  }

  /**
   * Grafast middleware: counts each operation (a subscription once, as it starts) by name and
   * error code, and credential mutations (`credential`) by outcome. Listed before the errors
   * plugin, so it sees the classified codes.
   */
  graphqlPlugin(credential: ReadonlySet<string>): GraphileConfig.Plugin {
    const count = (document: DocumentNode, operationName: string | null | undefined, result: unknown) => {
      const op = operationOf(document, operationName);
      const name = this.#operationName(op?.name?.value ?? operationName ?? 'anonymous');
      const type = op?.operation ?? 'query';
      const errors = (
        result as {
          errors?: readonly CountedError[];
        } | null
      )?.errors;
      if (!errors?.length) this.graphqlOperations.labels(name, type, 'OK').inc();
      else {
        const seen = new Set<string>();
        for (const e of errors) seen.add(codeOf(e));
        for (const code of seen) this.graphqlOperations.labels(name, type, code).inc();
        if (seen.has('RATEL')) this.lockouts.inc();
      }
      if (type !== 'mutation' || !op) return;
      for (const sel of op.selectionSet.selections) {
        if (sel.kind !== Kind.FIELD || !credential.has(sel.name.value)) continue;
        const key = sel.alias?.value ?? sel.name.value;
        const failed = errors?.find((e) => e.path?.[0] === key);
        this.authAttempts.labels(sel.name.value, failed ? codeOf(failed) : 'ok').inc();
      }
    };
    return {
      name: 'PgAuthMetricsPlugin',
      version: '1.0.0',
      grafast: {
        middleware: {
          execute(next, event) {
            const { document, operationName } = event.args;
            const result = next();
            if (result instanceof Promise) {
              return result.then((r) => {
                count(document, operationName, r);
                return r;
              }) as ReturnType<typeof next>;
            }
            count(document, operationName, result);
            return result;
          },
          // A subscription is counted once, when it starts (OK) or is refused (its codes).
          subscribe(next, event) {
            const { document, operationName } = event.args;
            const started = (r: unknown) => {
              count(document, operationName, isAsyncIterable(r) ? null : r);
              return r;
            };
            const result = next();
            return (result instanceof Promise ? result.then(started) : started(result)) as ReturnType<typeof next>;
          },
        },
      },
    };
  }

  #operationName(name: string): string {
    if (this.#operationNames.has(name)) return name;
    if (this.#operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.#operationNames.add(name);
    return name;
  }
}

interface CountedError {
  path?: readonly (string | number)[];
  extensions?: { code?: unknown };
  originalError?: unknown;
}

/**
 * An error's code as the client will see it. Execution errors arrive classified (the errors
 * plugin's execute middleware); a subscription refused as it starts (LOGIN, TOOMANY) does not:
 * grafserv's maskError codes it only when it is sent, so the AuthError's own code is read here
 * instead of counting it as INTERNAL.
 */
function codeOf(e: CountedError): string {
  const code = e.extensions?.code;
  if (isErrorCode(code)) return code;
  if (e.originalError instanceof AuthError) return e.originalError.code;
  return 'INTERNAL';
}

interface QueueDepths {
  mailQueued: number;
  mailLocked: number;
  tokensDue: number;
}

/** Queue depths, as the owner: graphile-worker's mail jobs; provider tokens as
 * app_hidden.lease_provider_tokens would lease them now. */
const QUEUES = `select
  (select count(*) from graphile_worker.jobs where task_identifier = 'send_email' and locked_at is null) as mail_queued,
  (select count(*) from graphile_worker.jobs where task_identifier = 'send_email' and locked_at is not null) as mail_locked,
  (select count(*) from app_private.user_identity_tokens t
    where t.refresh_token_enc is not null and t.refresh_attempts < 3
      and t.access_token_expires_at < now() + interval '5 minutes'
      and (t.refresh_lease_until is null or t.refresh_lease_until < now())) as tokens_due`;

function isAsyncIterable(x: unknown): boolean {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

function operationOf(doc: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)) return d;
  }
  return undefined;
}

const STATUS = new Map<number, string>();
/** Status codes as label strings, made once each. */
function statusLabel(status: number): string {
  let s = STATUS.get(status);
  if (s === undefined) {
    s = String(status);
    if (STATUS.size < 100) STATUS.set(status, s);
  }
  return s;
}

/** The matched route's pattern (e.g. /auth/email/:action), never the path; "unmatched" for 404s. */
function routeOf(c: Context): string {
  const routes = c.req.matchedRoutes;
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== 'ALL') return r.path;
  }
  return 'unmatched';
}

/** The metrics of this process, or null when METRICS_ENABLED is not true (then nothing runs). */
export function createMetrics(deps: MetricsDeps): Metrics | null {
  return deps.cfg.ops.metrics.enabled ? new Metrics(deps) : null;
}
