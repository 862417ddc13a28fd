/**
 * An Apollo Link that sends every operation through the auth client: CSRF header, cookies,
 * one shared refresh and a retry on LOGIN, TOKEN/REUSE ending the session. It terminates the
 * chain (use it instead of HttpLink). @apollo/client is an optional peer: pass its
 * ApolloLink and Observable, so this package needs no install of its own.
 *
 *   import { ApolloClient, ApolloLink, InMemoryCache, Observable } from '@apollo/client';
 *   const link = createAuthLink(auth, { ApolloLink, Observable });
 *   const apollo = new ApolloClient({ link, cache: new InMemoryCache() });
 */
import { print } from 'graphql';
import type { AuthClient } from './index.ts';

/** The parts of an Apollo operation the link reads. */
export interface OperationLike {
  query: unknown;
  variables?: Record<string, unknown>;
  operationName?: string | null;
  extensions?: Record<string, unknown>;
}
export interface ObserverLike<T> {
  next(value: T): void;
  error(err: unknown): void;
  complete(): void;
}
/** Apollo's Observable (zen-observable in v3, rxjs in v4): both take a subscriber function. */
export type ObservableCtor<T> = new (subscriber: (observer: ObserverLike<T>) => (() => void) | undefined) => unknown;
export type ApolloLinkCtor<L> = new (request: (operation: OperationLike) => unknown) => L;

export function createAuthLink<L>(
  auth: AuthClient,
  apollo: { ApolloLink: ApolloLinkCtor<L>; Observable: ObservableCtor<Record<string, unknown>> },
): L {
  return new apollo.ApolloLink(
    (operation) =>
      new apollo.Observable((observer) => {
        let open = true;
        const query = typeof operation.query === 'string' ? operation.query : print(operation.query as never);
        auth
          .execute(query, operation.variables, {
            ...(operation.operationName ? { operationName: operation.operationName } : {}),
          })
          .then(
            ({ data, errors }) => {
              if (!open) return;
              observer.next(errors ? { data, errors } : { data });
              observer.complete();
            },
            (err) => open && observer.error(err),
          );
        return () => {
          open = false;
        };
      }),
  );
}
