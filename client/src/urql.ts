/**
 * urql: an exchange that sends queries and mutations through the auth client (CSRF header,
 * cookies, one shared refresh and a retry on LOGIN); use it in place of fetchExchange.
 * urql is an optional peer: pass wonka's operators and @urql/core's makeResult and
 * makeErrorResult, so this package needs no install of its own.
 *
 *   import { Client, cacheExchange, makeErrorResult, makeResult } from '@urql/core';
 *   import * as wonka from 'wonka';
 *   const client = new Client({ url: '/graphql', exchanges: [cacheExchange, authExchange(auth, { ...wonka, makeResult, makeErrorResult })] });
 *
 * Simpler, for status-level refresh only: `new Client({ url, fetch: auth.fetch })`.
 */
import { print } from 'graphql';
import type { AuthClient } from './index.ts';

export interface UrqlOperationLike {
  key: number;
  kind: 'query' | 'mutation' | 'subscription' | 'teardown';
  query: unknown;
  variables?: Record<string, unknown>;
}
/** A wonka source; only passed between wonka's own operators here. */
type Source = unknown;
type Op = (source: Source) => Source;

/** The wonka operators and @urql/core helpers the exchange uses. */
export interface UrqlDeps<R> {
  pipe(source: Source, ...ops: Op[]): Source;
  filter(predicate: (value: never) => boolean): Op;
  mergeMap(f: (value: never) => Source): Op;
  fromPromise(p: Promise<unknown>): Source;
  takeUntil(notifier: Source): Op;
  merge(sources: Source[]): Source;
  share(source: Source): Source;
  makeResult(operation: UrqlOperationLike, result: { data?: unknown; errors?: unknown[] }): R;
  makeErrorResult(operation: UrqlOperationLike, error: Error): R;
}

export function authExchange<R>(auth: AuthClient, w: UrqlDeps<R>) {
  return ({ forward }: { forward: (ops: Source) => Source }) =>
    (ops$: Source): Source => {
      const shared = w.share(ops$);
      const mine = (op: UrqlOperationLike) => op.kind === 'query' || op.kind === 'mutation';
      const results = w.pipe(
        shared,
        w.filter(mine),
        w.mergeMap((op: UrqlOperationLike) =>
          w.pipe(
            w.fromPromise(
              auth.execute(typeof op.query === 'string' ? op.query : print(op.query as never), op.variables).then(
                (r) => w.makeResult(op, { data: r.data ?? undefined, errors: r.errors }),
                (err: Error) => w.makeErrorResult(op, err),
              ),
            ),
            w.takeUntil(
              w.pipe(
                shared,
                w.filter((t: UrqlOperationLike) => t.kind === 'teardown' && t.key === op.key),
              ),
            ),
          ),
        ),
      );
      const rest = forward(
        w.pipe(
          shared,
          w.filter((op: UrqlOperationLike) => !mine(op)),
        ),
      );
      return w.merge([results, rest]);
    };
}
