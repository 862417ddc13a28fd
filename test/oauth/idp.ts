/**
 * Real identity providers for the OAuth tests, on loopback:
 * - `startIdp`: oidc-provider (a certified OpenID Provider) with PKCE, refresh tokens,
 *   RFC 9207 `iss`, and its development login/consent pages.
 * - `startFakeGitHub`: a small OAuth 2 server that behaves like GitHub's (authorize, token
 *   with PKCE check, /user, /user/emails), for the plain-OAuth 2 preset.
 * - `authorizeOverHttp`: drives the IdP's login and consent forms over HTTP with its own
 *   cookie jar and returns the callback URL the IdP redirects to (not followed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { CookieJar } from 'tough-cookie';
import { freePort } from '../http/server.ts';

export interface Idp {
  issuer: string;
  provider: InstanceType<typeof Provider>;
  close(): Promise<void>;
}

export const CLIENT_ID = 'pgauth-test';
export const CLIENT_SECRET = 'pgauth-test-secret-0123456789abcdef';

export async function startIdp(redirectUris: string[], clients: { id: string; secret: string }[] = []): Promise<Idp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{ id: CLIENT_ID, secret: CLIENT_SECRET }, ...clients].map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Every login name is an account; its email is <login>@idp.example, verified.
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@idp.example`, email_verified: true, name: `User ${sub}` }),
    }),
    issueRefreshToken: async () => true,
    features: { devInteractions: { enabled: true } },
    ttl: { AccessToken: 3600, IdToken: 3600, Grant: 3600, Session: 3600, Interaction: 600, AuthorizationCode: 60 },
  } as never);
  (provider as unknown as { on(e: string, f: () => void): void }).on('server_error', () => {});
  const server: Server = createServer(provider.callback());
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { issuer, provider, close: () => new Promise((r) => server.close(() => r())) };
}

/** Logs in as `login` and consents; returns the redirect to the client's callback. */
export async function authorizeOverHttp(authorizationUrl: string, login: string, jar = new CookieJar()): Promise<URL> {
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let i = 0; i < 12; i++) {
    const headers = new Headers(init.headers);
    const cookie = await jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) await jar.setCookie(sc, url);
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (!next.href.startsWith(new URL(authorizationUrl).origin)) return next;
      url = next.href;
      init = {};
      continue;
    }
    const html = await res.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action) throw new Error(`unexpected IdP page (${res.status}): ${html.slice(0, 300)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    const body = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login, password: 'any' } : {}) });
    init = { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('too many redirects at the IdP');
}

export interface FakeGitHub {
  url: string;
  close(): Promise<void>;
  /** The GitHub account the next authorization signs in as. */
  user: { id: number; login: string; email: string };
}

/** A GitHub-like OAuth 2 server: it checks client credentials, redirect_uri and PKCE S256. */
export async function startFakeGitHub(
  redirectUri: string,
  clientId: string,
  clientSecret: string,
): Promise<FakeGitHub> {
  const port = await freePort();
  const codes = new Map<string, { challenge: string; redirect: string; user: FakeGitHub['user'] }>();
  const tokens = new Map<string, FakeGitHub['user']>();
  const gh: FakeGitHub = {
    url: `http://127.0.0.1:${port}`,
    close: async () => {},
    user: { id: 4242, login: 'octo', email: 'octo@gh.example' },
  };
  const app = new Hono();
  app.get('/login/oauth/authorize', (c) => {
    const q = c.req.query();
    if (q.client_id !== clientId || q.redirect_uri !== redirectUri || q.response_type !== 'code')
      return c.text('bad request', 400);
    if (q.code_challenge_method !== 'S256' || !q.code_challenge) return c.text('PKCE required', 400);
    const code = randomBytes(16).toString('hex');
    codes.set(code, { challenge: q.code_challenge, redirect: q.redirect_uri!, user: { ...gh.user } });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.state ?? '');
    return c.redirect(back.toString(), 302);
  });
  app.post('/login/oauth/access_token', async (c) => {
    const body = Object.fromEntries(new URLSearchParams(await c.req.text()));
    const entry = codes.get(body.code ?? '');
    codes.delete(body.code ?? '');
    const verifierOk =
      entry &&
      createHash('sha256')
        .update(body.code_verifier ?? '')
        .digest('base64url') === entry.challenge;
    if (
      !entry ||
      body.client_id !== clientId ||
      body.client_secret !== clientSecret ||
      body.redirect_uri !== entry.redirect ||
      !verifierOk
    ) {
      return c.json({ error: 'bad_verification_code' }, 400);
    }
    const token = `gho_${randomBytes(16).toString('hex')}`;
    tokens.set(token, entry.user);
    return c.json({ access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
  });
  const who = (c: { req: { header(n: string): string | undefined } }) =>
    tokens.get((c.req.header('authorization') ?? '').replace(/^Bearer /, ''));
  app.get('/user', (c) => {
    const u = who(c);
    return u
      ? c.json({ id: u.id, login: u.login, name: `The ${u.login}`, email: null })
      : c.json({ message: 'Bad credentials' }, 401);
  });
  app.get('/user/emails', (c) => {
    const u = who(c);
    return u
      ? c.json([
          { email: 'old@gh.example', primary: false, verified: true },
          { email: u.email, primary: true, verified: true },
        ])
      : c.json({ message: 'Bad credentials' }, 401);
  });
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  gh.close = () => new Promise((r) => server.close(() => r()));
  return gh;
}
