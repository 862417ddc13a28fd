/**
 * OAuth/OIDC routes:
 *   GET  /auth/providers                 configured provider names
 *   GET  /auth/:provider/start?returnTo= sign in (or register) with a provider
 *   POST /auth/:provider/link            signed-in users: CSRF header required; returns { url }
 *   GET|POST /auth/:provider/callback    the provider's redirect (POST for form_post)
 * A successful sign-in ends with the same session cookies as a password login and a 303 to
 * returnTo (same-origin path only) or POST_LOGIN_REDIRECT. Failures answer a JSON error with
 * a stable code and set no session; they are audited.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import { asEdge } from '../../core/db.ts';
import { AuthError, isErrorCode, toAuthError } from '../../core/errors.ts';
import type { IssuedSession } from '../../core/request.ts';
import { assertCsrf } from '../../middleware/csrf/index.ts';
import { assertOrigin } from '../../middleware/origin/index.ts';
import { clientIp, credentialsFromContext } from '../../middleware/credentials/index.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';
import { appRequest, redirectErrorToApp, redirectToApp } from '../native/authorize.ts';
import type { KeyRing } from '../../core/keys.ts';
import { ProviderClient, randomNonce, randomState, randomVerifier } from './flow.ts';
import type { ProviderConfig } from './providers.ts';
import { safeReturnTo } from './return-to.ts';
import { encryptToken, identityRowId } from './token-crypto.ts';
import {
  openTransaction,
  sealTransaction,
  transactionKey,
  TX_TTL_SECONDS,
  type OAuthTransaction,
} from './transaction.ts';

export interface OAuthDeps {
  cfg: Config;
  keys: KeyRing;
  issuer: SessionIssuer;
  pool: pg.Pool;
  /** Origins a browser may link from (D4). */
  allowed: ReadonlySet<string>;
}

export function oauthRoutes(deps: OAuthDeps): { routes: Hono; clients: Map<string, ProviderClient> } {
  const { providers, tokenKeys, postLoginRedirect } = deps.cfg.oauth;
  const d = { ...deps, providers, tokenKeys, postLoginRedirect };
  const routes = new Hono();
  const clients = new Map(
    [...d.providers].map(([n, p]) => [n, new ProviderClient(p, d.cfg.production, d.cfg.oauth.providerTimeoutMs)]),
  );
  const txKey = transactionKey(d.cfg.csrfSecret);
  const txCookie = (p: ProviderConfig) => `${d.cfg.secureCookies ? '__Host-' : ''}pgauth-oauth-${p.name}`;

  function provider(c: Context): { p: ProviderConfig; client: ProviderClient } {
    const name = c.req.param('provider') ?? '';
    const p = d.providers.get(name);
    const client = clients.get(name);
    if (!p || !client) throw new AuthError('NTFND', { message: 'Unknown provider' });
    return { p, client };
  }

  async function begin(c: Context, p: ProviderConfig, client: ProviderClient, tx: OAuthTransaction): Promise<URL> {
    const url = await client.authorizationUrl(tx);
    const name = txCookie(p).replace(/^__Host-/, '');
    setCookie(c, name, await sealTransaction(txKey, tx), {
      path: '/',
      httpOnly: true,
      maxAge: TX_TTL_SECONDS,
      // A form_post provider returns by a cross-site POST, which only SameSite=None survives.
      sameSite: p.formPost ? 'None' : 'Lax',
      secure: d.cfg.secureCookies || p.formPost,
      ...(d.cfg.secureCookies ? { prefix: 'host' as const } : {}),
    });
    c.header('Cache-Control', 'no-store');
    return url;
  }

  const fail = async (c: Context, p: string, err: unknown) => {
    const e = toAuthError(err);
    await asEdge(d.pool, null, 'select app_hidden.oauth_rejected($1, $2, $3::inet)', [
      p,
      e.code,
      clientIp(c, d.cfg.trustProxyHops),
    ]).catch(() => {});
    c.header('Cache-Control', 'no-store');
    return c.json({ error: { code: e.code, message: e.message } }, e.status as 400);
  };

  routes.get('/auth/providers', (c) => c.json({ providers: [...d.providers.keys()] }));

  routes.get('/auth/:provider/start', async (c) => {
    const { p, client } = provider(c);
    // A registered native app (RFC 8252): checked here, answered with a code at the callback.
    const app = appRequest(c, d.cfg.apps);
    const tx: OAuthTransaction = {
      provider: p.name,
      state: randomState(),
      nonce: randomNonce(),
      verifier: randomVerifier(),
      intent: 'login',
      returnTo: safeReturnTo(c.req.query('returnTo'), d.postLoginRedirect),
      ...(app ? { app } : {}),
    };
    return c.redirect((await begin(c, p, client, tx)).toString(), 302);
  });

  // Linking is an unsafe action on an existing session: Origin, session and CSRF required,
  // and the transaction remembers the session so the callback can only finish it there (H2).
  routes.post('/auth/:provider/link', async (c) => {
    const { p, client } = provider(c);
    assertOrigin(c, d.allowed);
    const creds = await credentialsFromContext(c, d.keys, d.issuer.tokens, d.issuer.names);
    if (!creds.identity || creds.kind !== 'cookie') throw new AuthError('LOGIN');
    assertCsrf(c, d.cfg.csrfSecret, d.issuer.names, creds);
    const tx: OAuthTransaction = {
      provider: p.name,
      state: randomState(),
      nonce: randomNonce(),
      verifier: randomVerifier(),
      intent: 'link',
      returnTo: safeReturnTo(c.req.query('returnTo'), d.postLoginRedirect),
      sessionId: creds.identity.sessionId,
    };
    return c.json({ url: (await begin(c, p, client, tx)).toString() });
  });

  const callback = async (c: Context) => {
    const name = c.req.param('provider') ?? '';
    let tx: OAuthTransaction | null = null;
    try {
      const { p, client } = provider(c);
      const cookieName = txCookie(p);
      tx = await openTransaction(txKey, getCookie(c, cookieName));
      // One-shot: whatever happens next, this transaction cannot be used again.
      deleteCookie(c, cookieName.replace(/^__Host-/, ''), {
        path: '/',
        secure: d.cfg.secureCookies || p.formPost,
        ...(d.cfg.secureCookies ? { prefix: 'host' as const } : {}),
      });
      if (!tx) throw new AuthError('OAUTH', { message: 'Sign-in expired or was started in another browser' });
      // Mix-up defence: the code must come back to the callback of the provider it was sent to.
      if (tx.provider !== p.name) throw new AuthError('OAUTH', { message: 'Provider mismatch' });

      const params =
        c.req.method === 'POST'
          ? new URLSearchParams((await c.req.parseBody()) as Record<string, string>)
          : new URL(c.req.url).searchParams;
      let identity = null;
      if (tx.intent === 'link') {
        const creds = await credentialsFromContext(c, d.keys, d.issuer.tokens, d.issuer.names);
        if (!creds.identity || creds.identity.sessionId !== tx.sessionId) {
          throw new AuthError('OAUTH', { message: 'Linking must finish in the session that started it' });
        }
        identity = creds.identity;
      }
      const account = await client.callback(params, tx);

      const rowId = identityRowId(account.issuer, account.subject);
      const enc = (col: string, v: string | null) =>
        v && d.tokenKeys ? encryptToken(d.tokenKeys, rowId, col, v) : null;
      const [row] = await asEdge<Record<string, unknown>>(
        d.pool,
        identity,
        `select * from app_hidden.oauth_sign_in($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::inet, $12)`,
        [
          p.name,
          account.issuer,
          account.subject,
          account.email,
          JSON.stringify(account.profile),
          tx.intent === 'link',
          d.tokenKeys?.current ?? null,
          enc('access_token', account.accessToken),
          enc('refresh_token', account.refreshToken),
          account.expiresAt,
          clientIp(c, d.cfg.trustProxyHops),
          c.req.header('user-agent')?.slice(0, 512) ?? null,
        ],
      );
      if (!row) throw new AuthError('INTERNAL');
      if (row.error) {
        const code = isErrorCode(row.error) ? row.error : 'INTERNAL';
        if (tx.app) return redirectErrorToApp(c, d.cfg.publicOrigin, tx.app, code);
        c.header('Cache-Control', 'no-store');
        const e = new AuthError(code);
        return c.json({ error: { code, message: e.message } }, e.status as 400);
      }
      // A native app gets a one-time code at its redirect URI instead of cookies.
      if (tx.app) return redirectToApp(c, d.pool, d.cfg.publicOrigin, tx.app, String(row.session_id));
      if (tx.intent === 'login') d.issuer.setCookies(c, await d.issuer.sign(row as unknown as IssuedSession));
      c.header('Cache-Control', 'no-store');
      return c.redirect(tx.returnTo, 303);
    } catch (e) {
      const res = await fail(c, name, e);
      return tx?.app ? redirectErrorToApp(c, d.cfg.publicOrigin, tx.app, toAuthError(e).code) : res;
    }
  };
  routes.get('/auth/:provider/callback', callback);
  routes.post('/auth/:provider/callback', callback);
  return { routes, clients };
}
