/**
 * Subscriptions: a graphql-ws client on the edge's /graphql socket. The browser sends the
 * session cookies with the upgrade and the socket keeps that identity, so:
 * - each (re)connection first lets the auth client refresh an access token known to be
 *   expired;
 * - a subscription answered LOGIN while signed in (the socket was opened without a live
 *   access cookie) refreshes once, restarts the socket (close 4205: graphql-ws reconnects and
 *   re-subscribes the others) and subscribes again;
 * - a socket the edge closes because its session ended (4401) or its user was disabled
 *   (4403) re-reads the user, which signs the client out.
 */
import { type Client, type ClientOptions, createClient, type Sink } from 'graphql-ws';
import type { AuthClient } from './index.ts';

export function createSubscriptionClient(auth: AuthClient, options: Partial<ClientOptions> = {}): Client {
  const base = auth.url || globalThis.location.origin;
  const url = `${base.replace(/^http/, 'ws')}/graphql`;
  let socket: WebSocket | null = null;
  const client = createClient({
    ...options,
    url: async () => {
      await auth.ready();
      return url;
    },
    on: {
      ...options.on,
      connected: (s, payload, wasRetry) => {
        socket = s as WebSocket;
        options.on?.connected?.(s, payload, wasRetry);
      },
      closed: (event) => {
        socket = null;
        const code = (event as { code?: number } | undefined)?.code;
        if (code === 4401 || code === 4403) auth.getUser().catch(() => {});
        options.on?.closed?.(event);
      },
    },
    shouldRetry: options.shouldRetry ?? ((e) => (e as { code?: number } | undefined)?.code !== 4403),
  });

  const subscribe = client.subscribe.bind(client);
  client.subscribe = <Data, Extensions>(payload: Parameters<Client['subscribe']>[0], sink: Sink<unknown>) => {
    let dispose = () => {};
    let stopped = false;
    let retried = false;
    let attempt = 0;
    const isLogin = (errors: unknown) =>
      Array.isArray(errors) &&
      errors.some((e) => (e as { extensions?: { code?: string } } | null)?.extensions?.code === 'LOGIN');
    /** LOGIN while signed in: refresh once, restart the socket, subscribe again. */
    const retry = (fail: () => void): boolean => {
      if (retried || stopped || auth.state.status !== 'signed-in') return false;
      retried = true;
      attempt++; // what the first attempt still reports (its completion) is not passed on
      dispose();
      auth.refresh().then(
        (ok) => {
          if (!ok || stopped) return fail();
          socket?.close(4205, 'Client Restart');
          start();
        },
        () => fail(),
      );
      return true;
    };
    const start = () => {
      const mine = ++attempt;
      dispose = subscribe<Data, Extensions>(payload, {
        next: (v) => {
          if (mine !== attempt) return;
          // The edge answers a subscription it refuses with a result carrying only errors.
          const r = v as { data?: unknown; errors?: unknown };
          const fail = () => {
            sink.next(v);
            sink.complete();
          };
          if (r.data == null && isLogin(r.errors) && retry(fail)) return;
          sink.next(v);
        },
        complete: () => {
          if (mine === attempt) sink.complete();
        },
        error: (err) => {
          if (mine !== attempt) return;
          if (isLogin(err) && retry(() => sink.error(err))) return;
          sink.error(err);
        },
      });
    };
    start();
    return () => {
      stopped = true;
      dispose();
    };
  };
  return client;
}
