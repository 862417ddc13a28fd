/**
 * The request id: the balancer's `X-Request-Id` when it is well formed, else a new one. Kept
 * for the request's asynchronous life (AsyncLocalStorage), so every log line written while
 * the request runs (the request log, an INTERNAL error's errorId line) names it; echoed in
 * the response's `X-Request-Id` (middleware/request-id).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const store = new AsyncLocalStorage<string>();

/** What an incoming id may look like (a UUID, a balancer's trace id): nothing that could
 * forge or break a log line. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(header: string | undefined): string {
  return header && WELL_FORMED.test(header) ? header : randomUUID();
}

/** Runs `fn` as the request `id`. */
export function withRequestId<T>(id: string, fn: () => T): T {
  return store.run(id, fn);
}

/** The id of the request this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return store.getStore();
}
