/**
 * `POST /auth/token`: the one RFC 6749 token endpoint (section 3.2). It owns what every grant
 * shares: a form-encoded POST, `no-store`, RFC 6749 error bodies without detail; each grant
 * type is a handler that a feature registers (client_credentials: features/permissions;
 * authorization_code for native apps: features/native; the device grant: features/device).
 */
import { type Context, Hono } from 'hono';
import type { IssuedSession } from '../../core/request.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';

/** RFC 6749 section 5.2 and RFC 8628 section 3.5 error codes. */
export type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token'
  | 'server_error';

export interface GrantRequest {
  c: Context;
  form: URLSearchParams;
  /** An RFC 6749 error body; 401 `invalid_client` adds `WWW-Authenticate: Basic`. */
  fail(error: OAuthError, status?: 400 | 401 | 403 | 429 | 500): Response;
}

export type GrantHandler = (r: GrantRequest) => Promise<Response>;

export function tokenEndpoint(grants: Record<string, GrantHandler>): Hono {
  const routes = new Hono();
  routes.post('/auth/token', async (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    const fail = (error: OAuthError, status: 400 | 401 | 403 | 429 | 500 = 400) => {
      if (error === 'invalid_client' && status === 401) c.header('WWW-Authenticate', 'Basic realm="token"');
      return c.json({ error }, status);
    };
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return fail('invalid_request');
    }
    const form = new URLSearchParams(await c.req.text());
    const grant = form.get('grant_type');
    if (!grant) return fail('invalid_request');
    const handler = Object.hasOwn(grants, grant) ? grants[grant] : undefined;
    if (!handler) return fail('unsupported_grant_type');
    return handler({ c, form, fail });
  });
  return routes;
}

/**
 * The token response (RFC 6749 section 5.1) for a session the database just started: an
 * access token signed now, the session's refresh token, and for a session that waits for its
 * second factor `mfa_required` with the factors (features/mfa), finished as any native client
 * does. A refused claims hook (O3) is `server_error`: no token.
 */
export async function sessionTokenResponse(
  r: GrantRequest,
  issuer: SessionIssuer,
  session: IssuedSession,
): Promise<Response> {
  let accessToken: string;
  try {
    accessToken = (await issuer.sign(session)).accessToken;
  } catch {
    return r.fail('server_error', 500);
  }
  return r.c.json({
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: issuer.tokens.ttlSeconds,
    refresh_token: session.refresh_token,
    ...(session.mfa_required ? { mfa_required: true, mfa_factors: session.mfa_factors ?? [] } : {}),
  });
}
