/**
 * App-initiated OAuth for native apps (RFC 8252), the two hooks in the OAuth routes:
 *   - at `GET /auth/<provider>/start?client=<app>&redirect_uri=...&code_challenge=...
 *     &code_challenge_method=S256&state=...`, `appRequest` checks the app, its redirect URI
 *     (exact, loopback with any port) and PKCE S256; the OAuth transaction carries the result;
 *   - at the provider's callback, `redirectToApp` asks SQL for a one-time code bound to that
 *     request and the session just started, and redirects to the app's URI with `code`,
 *     `state` and `iss` (RFC 9207) instead of setting cookies; `redirectErrorToApp` sends a
 *     refused sign-in back to the app as `error=access_denied` (the code in error_description).
 * Nothing is redirected to an unchecked URI: a bad start answers 400 NATIVE here.
 */
import type { Context } from 'hono';
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import { AuthError } from '../../core/errors.ts';
import type { AppRequest } from '../oauth/transaction.ts';
import { matchRedirectUri, type NativeApp } from './apps.ts';

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** The app's request when `client` is given (null for a browser sign-in); throws NATIVE. */
export function appRequest(c: Context, apps: ReadonlyMap<string, NativeApp>): AppRequest | null {
  const client = c.req.query('client');
  if (client === undefined) return null;
  const app = apps.get(client);
  const redirectUri = app ? matchRedirectUri(app, c.req.query('redirect_uri')) : null;
  const challenge = c.req.query('code_challenge');
  const state = c.req.query('state') ?? null;
  if (
    !app ||
    !redirectUri ||
    !challenge ||
    !PKCE_CHALLENGE.test(challenge) ||
    c.req.query('code_challenge_method') !== 'S256' ||
    (state !== null && (state.length > 512 || !/^[\x20-\x7e]*$/.test(state)))
  ) {
    throw new AuthError('NATIVE');
  }
  return { client: app.id, redirectUri, codeChallenge: challenge, state };
}

function appUrl(origin: string, app: AppRequest, params: Record<string, string>): string {
  const to = new URL(app.redirectUri);
  for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
  if (app.state !== null) to.searchParams.set('state', app.state);
  to.searchParams.set('iss', origin);
  return to.toString();
}

/** Success: a one-time code for the app, bound to the session oauth_sign_in started. */
export async function redirectToApp(
  c: Context,
  pool: pg.Pool,
  origin: string,
  app: AppRequest,
  sessionId: string,
): Promise<Response> {
  const [row] = await asEdge<{ code: string }>(
    pool,
    null,
    'select app_hidden.native_code_issue($1::uuid, $2, $3, $4) as code',
    [sessionId, app.client, app.redirectUri, app.codeChallenge],
  );
  if (!row?.code) throw new AuthError('INTERNAL');
  c.header('Cache-Control', 'no-store');
  return c.redirect(appUrl(origin, app, { code: row.code }), 302);
}

/** A refused sign-in (EMCOL, DSBLD, a failed provider round trip) goes back to the app. */
export function redirectErrorToApp(c: Context, origin: string, app: AppRequest, code: string): Response {
  c.header('Cache-Control', 'no-store');
  return c.redirect(appUrl(origin, app, { error: 'access_denied', error_description: code }), 302);
}
