/**
 * The request id: the balancer's `X-Request-Id` when it is well formed, else a new one. Set
 * on the Hono context (`c.get('requestId')`) by middleware/request-id, or by the GraphQL
 * endpoint for POST /graphql, and passed from there explicitly: to every log line of the
 * request (core/logger.ts), to the GraphQL context, and to PostgreSQL as the transaction's
 * `application_name` (graphql/preset.ts), so a slow query in pg_stat_activity or the server
 * log (`%a` in log_line_prefix) names its request. No AsyncLocalStorage: on Node 22 its
 * promise hooks cost ~80-90 µs per request (docs/benchmarks.md).
 */
import { randomUUID } from 'node:crypto';
import type {} from 'postgraphile';

/** What an incoming id may look like (a UUID, a balancer's trace id): nothing that could
 * forge or break a log line. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(header: string | undefined): string {
  return header && WELL_FORMED.test(header) ? header : randomUUID();
}

declare global {
  namespace Grafast {
    interface Context {
      /** The HTTP request's id (graphql/preset.ts); absent for WebSocket operations. */
      requestId?: string;
    }
  }
}

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
  }
}
