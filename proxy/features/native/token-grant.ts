/**
 * The `authorization_code` grant of `POST /auth/token` for registered native apps (RFC 8252,
 * RFC 7636): `code`, `redirect_uri`, `client_id` (a public client: no secret) and
 * `code_verifier`. The edge checks that the client is registered (else 401 invalid_client)
 * and the request is well formed (else invalid_request); SQL (app_hidden.native_code_exchange,
 * edge role only) checks the code: once, within 60 s, same app and redirect URI, PKCE S256
 * (else invalid_grant, no detail: Q1). Tokens go in the body, never in cookies; the refresh
 * token rotates through the `refresh` mutation like any native client's.
 */
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import type { IssuedSession } from '../../core/request.ts';
import { clientIp } from '../../middleware/credentials/index.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';
import { type GrantHandler, sessionTokenResponse } from '../token-endpoint/index.ts';
import type { NativeApp } from './apps.ts';

export interface CodeGrantDeps {
  pool: pg.Pool;
  apps: ReadonlyMap<string, NativeApp>;
  issuer: SessionIssuer;
  trustProxyHops: number;
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function authorizationCodeGrant(d: CodeGrantDeps): GrantHandler {
  return async (r) => {
    const { c, form, fail } = r;
    // Public clients authenticate with nothing but their id; a secret or Basic header is a
    // confidential client's, which this grant does not serve.
    if (c.req.header('authorization') !== undefined || form.has('client_secret')) return fail('invalid_client', 401);
    const clientId = form.get('client_id') ?? '';
    const app = d.apps.get(clientId);
    if (!app?.redirectUris.length) return fail('invalid_client', 401);
    const code = form.get('code');
    const redirectUri = form.get('redirect_uri');
    const verifier = form.get('code_verifier');
    if (!code || !redirectUri) return fail('invalid_request');
    // RFC 7636 4.5: a verifier is required (PKCE is not optional here).
    if (!verifier || !VERIFIER.test(verifier)) return fail('invalid_request');
    const [row] = await asEdge<Record<string, unknown>>(
      d.pool,
      null,
      'select * from app_hidden.native_code_exchange($1, $2, $3, $4, $5::inet, $6)',
      [
        code,
        app.id,
        redirectUri,
        verifier,
        clientIp(c, d.trustProxyHops),
        c.req.header('user-agent')?.slice(0, 512) ?? null,
      ],
    );
    if (!row || row.error === 'GRANT') return fail('invalid_grant');
    if (row.error) return fail('server_error', 500);
    return sessionTokenResponse(r, d.issuer, row as unknown as IssuedSession);
  };
}
