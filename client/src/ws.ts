/**
 * Subscriptions: a graphql-ws client on the edge's /graphql socket. The browser sends the
 * session cookies with the upgrade, so each (re)connection first lets the auth client
 * refresh an expired access token. A socket the edge closes because its session ended
 * (4401) or its user was disabled (4403) re-reads the user, which signs the client out.
 */
import { type Client, type ClientOptions, createClient } from 'graphql-ws';
import type { AuthClient } from './index.ts';

export function createSubscriptionClient(auth: AuthClient, options: Partial<ClientOptions> = {}): Client {
  const base = auth.url || globalThis.location.origin;
  const url = `${base.replace(/^http/, 'ws')}/graphql`;
  return createClient({
    ...options,
    url: async () => {
      await auth.ready();
      return url;
    },
    on: {
      ...options.on,
      closed: (event) => {
        const code = (event as { code?: number } | undefined)?.code;
        if (code === 4401 || code === 4403) auth.getUser().catch(() => {});
        options.on?.closed?.(event);
      },
    },
    shouldRetry: options.shouldRetry ?? ((e) => (e as { code?: number } | undefined)?.code !== 4403),
  });
}
