/**
 * `POST /auth/token`: the one RFC 6749 token endpoint (section 3.2). It owns what every grant
 * shares: a form-encoded POST, `no-store`, RFC 6749 error bodies without detail; each grant
 * type is a handler that a feature registers (client_credentials: features/permissions;
 * authorization_code for native apps: features/native; the device grant: features/device).
 */
import { type Context, Hono } from 'hono';

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
