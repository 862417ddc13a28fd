// Sign in with a real OpenID Provider (oidc-provider) in a real browser (Chromium), then the
// same flows over HTTP for linking and unlinking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import pg from 'pg';
import { Client, freePort, signedIn, startServer, type TestServer } from '../http/server.ts';
import { authorizeOverHttp, CLIENT_ID, CLIENT_SECRET, startIdp, type Idp } from './idp.ts';

let idp: Idp;
let srv: TestServer;
let browser: Browser;
let owner: pg.Client;

beforeAll(async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  idp = await startIdp([`${base}/auth/testidp/callback`]);
  srv = await startServer({
    PORT: String(port),
    OIDC_TESTIDP_ISSUER: idp.issuer,
    OIDC_TESTIDP_CLIENT_ID: CLIENT_ID,
    OIDC_TESTIDP_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_TESTIDP_SCOPES: 'openid email profile offline_access',
    POST_LOGIN_REDIRECT: '/healthz',
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await browser?.close();
  await owner?.end();
  await srv?.close();
  await idp?.close();
});

// Unique per run: each run's IdP has a new issuer, so reused emails would collide (EMCOL).
const RUN = Date.now().toString(36);
const L = (name: string) => `${name}-${RUN}`;

/** Starts a sign-in over HTTP and returns the IdP's redirect back to our callback. */
async function startAndAuthorize(
  client: Client,
  login: string,
  path = '/auth/testidp/start?returnTo=/welcome',
): Promise<URL> {
  const res = await client.fetch(path);
  expect(res.status).toBe(302);
  return authorizeOverHttp(res.headers.get('location')!, login);
}

describe('OIDC sign-in', () => {
  it('a browser signs in: start, IdP login and consent, callback, cookies, currentUser', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/auth/testidp/start?returnTo=/healthz`);
    await page.fill('input[name=login]', L('alice'));
    await page.fill('input[name=password]', 'whatever');
    await page.click('button[type=submit]');
    await page.click('button[type=submit]'); // consent
    await page.waitForURL(`${srv.url}/healthz`);
    const cookies = await ctx.cookies(srv.url);
    const access = cookies.find((c) => c.name === 'pgauth-at');
    expect(access?.httpOnly).toBe(true);
    expect(cookies.find((c) => c.name === 'pgauth-rt')?.httpOnly).toBe(true);
    // The front end's way of calling the API: csrf cookie echoed in a header.
    const me = await page.evaluate(async () => {
      const csrf = document.cookie
        .split('; ')
        .find((c) => c.startsWith('pgauth-csrf='))!
        .split('=')[1]!;
      const res = await fetch('/graphql', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ query: '{ currentUser { email } myIdentities { nodes { provider email } } }' }),
      });
      return res.json();
    });
    expect(me.data.currentUser.email).toBe(`${L('alice')}@idp.example`);
    expect(me.data.myIdentities.nodes).toEqual([{ provider: 'testidp', email: `${L('alice')}@idp.example` }]);
    await ctx.close();
  });

  it('signing in again finds the same user by (issuer, subject), and provider tokens are stored encrypted', async () => {
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, L('carol'));
    const done = await c.fetch(back.pathname + back.search);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/welcome');
    const first = await c.gql<{ currentUser: { rowId: string } }>('{ currentUser { rowId } }');
    const again = new Client(srv.url);
    const back2 = await startAndAuthorize(again, L('carol'));
    await again.fetch(back2.pathname + back2.search);
    const second = await again.gql<{ currentUser: { rowId: string } }>('{ currentUser { rowId } }');
    expect(second.data?.currentUser.rowId).toBe(first.data?.currentUser.rowId);

    const { rows } = await owner.query(
      `select t.key_id, t.access_token_enc, t.refresh_token_enc from app_private.user_identity_tokens t
      join app_public.user_identities i on i.id = t.identity_id where i.subject = $1`,
      [L('carol')],
    );
    expect(rows[0].key_id).toBeTruthy();
    expect(rows[0].access_token_enc.length).toBeGreaterThan(28);
    expect(rows[0].refresh_token_enc).not.toBeNull();
  });

  it('H1: an email that belongs to a password account is not linked automatically', async () => {
    const pw = new Client(srv.url);
    await pw.csrf();
    await pw.gql(
      `mutation ($e: String!) { register(input: { email: $e, password: "a long enough password" }) { userId } }`,
      { e: `${L('dave')}@idp.example` },
    );
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, L('dave'));
    const res = await c.fetch(back.pathname + back.search);
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('EMCOL');
    expect(await c.cookie('pgauth-at')).toBeUndefined();
    const { rows } = await owner.query(`select count(*)::int n from app_public.user_identities where subject = $1`, [
      L('dave'),
    ]);
    expect(rows[0].n).toBe(0);
  });
});

describe('linking and unlinking (H2, H5)', () => {
  it('a signed-in user links a provider with CSRF, sees it, and can unlink it while a password remains', async () => {
    const { client } = await signedIn(srv, 'linker');
    const noCsrf = await client.fetch('/auth/testidp/link', { method: 'POST', csrf: false });
    expect(noCsrf.status).toBe(403);
    const start = await client.fetch('/auth/testidp/link', { method: 'POST' });
    expect(start.status).toBe(200);
    const back = await authorizeOverHttp((await start.json()).url, L('erin'));
    const done = await client.fetch(back.pathname + back.search);
    expect(done.status).toBe(303);
    const ids = await client.gql<{ myIdentities: { nodes: { provider: string }[] } }>(
      '{ myIdentities { nodes { provider } } }',
    );
    expect(ids.data?.myIdentities.nodes.map((n) => n.provider)).toEqual(['testidp']);

    // H5: the same provider account cannot be linked by someone else...
    const other = await signedIn(srv, 'other');
    const start2 = await other.client.fetch('/auth/testidp/link', { method: 'POST' });
    const back2 = await authorizeOverHttp((await start2.json()).url, L('erin'));
    const res2 = await other.client.fetch(back2.pathname + back2.search);
    expect((await res2.json()).error.code).toBe('IDLNK');

    const un = await client.gql<{ unlinkProvider: { result: boolean } }>(
      'mutation { unlinkProvider(input: { provider: "testidp" }) { result } }',
    );
    expect(un.data?.unlinkProvider.result).toBe(true);
  });

  it('H2: a link started in one session cannot be finished in another', async () => {
    const a = await signedIn(srv, 'sessA');
    const b = await signedIn(srv, 'sessB');
    const start = await a.client.fetch('/auth/testidp/link', { method: 'POST' });
    const back = await authorizeOverHttp((await start.json()).url, L('frank'));
    // B replays A's transaction cookie with its own session.
    const tx = (await a.client.jar.getCookies(srv.url)).find((c) => c.key === 'pgauth-oauth-testidp')!;
    await b.client.jar.setCookie(`${tx.key}=${tx.value}`, srv.url);
    const res = await b.client.fetch(back.pathname + back.search);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('OAUTH');
  });

  it('H5: the last way to sign in cannot be unlinked', async () => {
    const c = new Client(srv.url);
    const back = await startAndAuthorize(c, L('gina'));
    await c.fetch(back.pathname + back.search);
    const un = await c.gql('mutation { unlinkProvider(input: { provider: "testidp" }) { result } }');
    expect(un.errors?.[0]?.extensions?.code).toBe('LASTM');
  });
});
