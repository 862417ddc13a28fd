/**
 * The device's half of RFC 8628: `POST /auth/device/code` (section 3.1/3.2) starts an
 * authorization for a registered app with `APP_<ID>_DEVICE_GRANT=true`, and the
 * `urn:ietf:params:oauth:grant-type:device_code` grant of `POST /auth/token` (3.4/3.5) polls
 * it. SQL (app_hidden.device_authorize / device_token, edge only) stores the codes hashed,
 * enforces the interval (slow_down), expiry, and delivers the session once; the edge signs
 * the access token and returns both tokens in the body (a device has no cookies).
 */
import { Hono } from 'hono';
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import type { IssuedSession } from '../../core/request.ts';
import { clientIp } from '../../middleware/credentials/index.ts';
import type { NativeApp } from '../native/apps.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';
import { type GrantHandler, type OAuthError, sessionTokenResponse } from '../token-endpoint/index.ts';

export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceDeps {
  pool: pg.Pool;
  issuer: SessionIssuer;
  apps: ReadonlyMap<string, NativeApp>;
  publicOrigin: string;
  trustProxyHops: number;
}

const POLL_ERRORS = new Set<OAuthError>([
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_grant',
]);

function deviceApp(apps: ReadonlyMap<string, NativeApp>, clientId: string | null): NativeApp | null {
  const app = clientId ? apps.get(clientId) : undefined;
  return app?.deviceGrant ? app : null;
}

/** `POST /auth/device/code`: the device authorization request (RFC 8628 3.1). */
export function deviceCodeRoute(d: DeviceDeps): Hono {
  const routes = new Hono();
  routes.post('/auth/device/code', async (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return c.json({ error: 'invalid_request' }, 400);
    }
    const form = new URLSearchParams(await c.req.text());
    const app = deviceApp(d.apps, form.get('client_id'));
    if (!app) return c.json({ error: 'invalid_client' }, 401);
    const scope = form.get('scope') ?? '';
    if (scope.length > 1000) return c.json({ error: 'invalid_scope' }, 400);
    const [row] = await asEdge<{
      o_device_code: string;
      o_user_code: string;
      o_expires_in: number;
      o_interval: number;
    }>(d.pool, null, 'select * from app_hidden.device_authorize($1, $2, $3, $4::inet)', [
      app.id,
      app.name,
      scope,
      clientIp(c, d.trustProxyHops),
    ]);
    if (!row) {
      // Over auth_config.device_authorize_max_per_ip for this address this hour.
      c.header('Retry-After', '3600');
      return c.json({ error: 'slow_down' }, 429);
    }
    const userCode = `${row.o_user_code.slice(0, 4)}-${row.o_user_code.slice(4)}`;
    const verificationUri = `${d.publicOrigin}/auth/device`;
    return c.json({
      device_code: row.o_device_code,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
      expires_in: row.o_expires_in,
      interval: row.o_interval,
    });
  });
  return routes;
}

/** The device-code grant of `POST /auth/token` (RFC 8628 3.4, 3.5). */
export function deviceCodeGrant(d: DeviceDeps): GrantHandler {
  return async (r) => {
    const { c, form, fail } = r;
    const clientId = form.get('client_id');
    const deviceCode = form.get('device_code');
    if (!clientId || !deviceCode || deviceCode.length > 100) return fail('invalid_request');
    if (!deviceApp(d.apps, clientId)) return fail('invalid_client', 401);
    const [row] = await asEdge<IssuedSession & { error: string | null }>(
      d.pool,
      null,
      'select * from app_hidden.device_token($1, $2, $3::inet, $4)',
      [deviceCode, clientId, clientIp(c, d.trustProxyHops), c.req.header('user-agent')?.slice(0, 512) ?? null],
    );
    if (!row) return fail('server_error', 500);
    if (row.error) return fail(POLL_ERRORS.has(row.error as OAuthError) ? (row.error as OAuthError) : 'invalid_grant');
    // A refused claims hook (O3) means no token, and the device code is spent.
    return sessionTokenResponse(r, d.issuer, row);
  };
}
