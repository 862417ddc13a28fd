/**
 * Sign-in with OAuth/OIDC providers: the routes (start, link, callback, provider list), the
 * GraphQL of linked identities (SQL: app_public.my_identities, unlink_provider) and the
 * background renewal of provider tokens. Configured by OIDC_<NAME>_* (core/config.ts).
 */
import type { Hono } from 'hono';
import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';
import type { ProviderClient } from './flow.ts';
import { refreshProviderTokens } from './refresh-job.ts';
import { oauthRoutes } from './routes.ts';

export interface OAuthFeature {
  routes: Hono;
  clients: Map<string, ProviderClient>;
  stop(): void;
}

export function oauthFeature(d: {
  cfg: Config;
  keys: KeyRing;
  issuer: SessionIssuer;
  pool: pg.Pool;
  allowed: ReadonlySet<string>;
}): OAuthFeature {
  const { routes, clients } = oauthRoutes(d);
  const { tokenKeys, refreshIntervalMs } = d.cfg.oauth;
  // Provider tokens are renewed in the background; failures are recorded in the database
  // and logged (a failing run must not stop the next one).
  const timer =
    tokenKeys && refreshIntervalMs > 0
      ? setInterval(() => {
          refreshProviderTokens(d.pool, clients, tokenKeys).then(
            (s) => {
              if (s.failed) console.error(JSON.stringify({ level: 'warn', job: 'provider-tokens', ...s }));
            },
            (e: unknown) =>
              console.error(JSON.stringify({ level: 'error', job: 'provider-tokens', message: String(e) })),
          );
        }, refreshIntervalMs)
      : null;
  timer?.unref();
  return {
    routes,
    clients,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
