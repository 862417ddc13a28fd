// G5 (docs/security.md): the UserInfo `sub` must equal the ID token's. The provider is a
// real OpenID Provider (oidc-provider, configured like test/oauth/idp.ts) whose UserInfo
// answers can be made to speak for another subject (a compromised or mixed-up UserInfo
// endpoint); the edge must refuse the sign-in rather than take that profile for the account.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, freePort, startServer, type TestServer } from '../http/server.ts';
import { authorizeOverHttp, CLIENT_ID, CLIENT_SECRET } from './idp.ts';

let idp: Server;
let srv: TestServer;
let owner: pg.Client;
/** When set, UserInfo answers name this subject instead of the account's own. */
let otherSubject: string | null = null;
let tampered = 0;
const USERINFO = '/me';
type KoaContext = { path: string; body: unknown };

/** oidc-provider on loopback whose UserInfo answers for `otherSubject` while it is set. */
async function startIdp(redirectUri: string): Promise<{ issuer: string; server: Server }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@idp.example`, email_verified: true, name: `User ${sub}` }),
    }),
    routes: { userinfo: USERINFO },
    features: { devInteractions: { enabled: true } },
  } as never) as unknown as Provider & { use(fn: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void };
  (provider as unknown as { on(e: string, f: () => void): void }).on('server_error', () => {});
  // oidc-provider always answers UserInfo with the account's own sub; this post-middleware
  // rewrites the JSON answer on its way out, as a compromised endpoint or a proxy would.
  provider.use(async (ctx, next) => {
    await next();
    if (otherSubject && ctx.path === USERINFO && ctx.body && typeof ctx.body === 'object') {
      ctx.body = { ...(ctx.body as object), sub: otherSubject };
      tampered++;
    }
  });
  const server = createServer(provider.callback());
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { issuer, server };
}

beforeAll(async () => {
  const port = await freePort();
  const started = await startIdp(`http://127.0.0.1:${port}/auth/testidp/callback`);
  idp = started.server;
  srv = await startServer({
    PORT: String(port),
    OIDC_TESTIDP_ISSUER: started.issuer,
    OIDC_TESTIDP_CLIENT_ID: CLIENT_ID,
    OIDC_TESTIDP_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_TESTIDP_SCOPES: 'openid email profile',
    POST_LOGIN_REDIRECT: '/healthz',
  });
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await srv?.close();
  await new Promise((r) => idp?.close(r));
});

const login = (tag: string) => `${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Starts a sign-in in a fresh browser, logs in at the IdP as `who`, and delivers the callback. */
async function signInAs(who: string): Promise<{ res: Response; client: Client }> {
  const client = new Client(srv.url);
  const start = await client.fetch('/auth/testidp/start');
  expect(start.status).toBe(302);
  const back = await authorizeOverHttp(start.headers.get('location')!, who);
  return { res: await client.fetch(back.pathname + back.search), client };
}

async function identities(subject: string): Promise<number> {
  const { rows } = await owner.query('select count(*)::int n from app_public.user_identities where subject = $1', [
    subject,
  ]);
  return rows[0].n;
}

describe('G5: UserInfo speaks for the ID token subject', () => {
  it('G5 (control): with an honest UserInfo the same sign-in succeeds', async () => {
    const who = login('g5ok');
    const { res, client } = await signInAs(who);
    expect(res.status).toBe(303);
    expect(await client.cookie('pgauth-at')).toBeTruthy();
    expect(await identities(who)).toBe(1);
  });

  it('G5: a UserInfo answer for another subject is refused with 400 OAUTH; no account, identity or session', async () => {
    const who = login('g5victim');
    otherSubject = login('g5other');
    const before = tampered;
    try {
      const { res, client } = await signInAs(who);
      expect(tampered).toBeGreaterThan(before); // the edge did call UserInfo and got the other sub
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error?: { code?: string } };
      expect(body.error?.code).toBe('OAUTH');
      expect(res.headers.getSetCookie().some((c) => /^(__Host-)?pgauth-(at|rt)=[^;]+/.test(c))).toBe(false);
      expect(await client.cookie('pgauth-at')).toBeUndefined();
      expect(await identities(who)).toBe(0);
      expect(await identities(otherSubject)).toBe(0);
    } finally {
      otherSubject = null;
    }
  });
});
