/**
 * The device authorization grant (RFC 8628), composed: the device's routes and token grant
 * (grant.ts), the approval page (page.ts) and the `approveDevice` mutation (plugin.ts).
 */
import { Hono } from 'hono';
import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';
import type { GrantHandler } from '../token-endpoint/index.ts';
import { DEVICE_GRANT_TYPE, deviceCodeGrant, deviceCodeRoute } from './grant.ts';
import { devicePage } from './page.ts';

export { DevicePlugin, deviceCredentialMutations } from './plugin.ts';

export function deviceFeature(d: {
  cfg: Config;
  pool: pg.Pool;
  keys: KeyRing;
  issuer: SessionIssuer;
  allowed: ReadonlySet<string>;
}): { routes: Hono; grants: Record<string, GrantHandler> } {
  const deps = {
    pool: d.pool,
    issuer: d.issuer,
    apps: d.cfg.apps,
    publicOrigin: d.cfg.publicOrigin,
    trustProxyHops: d.cfg.trustProxyHops,
  };
  const routes = new Hono();
  routes.route('/', deviceCodeRoute(deps));
  routes.route('/', devicePage({ ...deps, keys: d.keys, csrfSecret: d.cfg.csrfSecret, allowed: d.allowed }));
  return { routes, grants: { [DEVICE_GRANT_TYPE]: deviceCodeGrant(deps) } };
}
