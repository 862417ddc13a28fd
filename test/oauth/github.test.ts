// The plain OAuth 2 preset (GitHub) against a local server that behaves like GitHub:
// PKCE S256, client secret, profile from /user and the verified primary email from /user/emails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, freePort, startServer, type TestServer } from '../http/server.ts';
import { startFakeGitHub, type FakeGitHub } from './idp.ts';

let gh: FakeGitHub;
let srv: TestServer;

beforeAll(async () => {
  const port = await freePort();
  const callback = `http://127.0.0.1:${port}/auth/github/callback`;
  gh = await startFakeGitHub(callback, 'gh-client', 'gh-secret');
  srv = await startServer({
    PORT: String(port),
    OIDC_GITHUB_CLIENT_ID: 'gh-client',
    OIDC_GITHUB_CLIENT_SECRET: 'gh-secret',
    OIDC_GITHUB_AUTHORIZATION_ENDPOINT: `${gh.url}/login/oauth/authorize`,
    OIDC_GITHUB_TOKEN_ENDPOINT: `${gh.url}/login/oauth/access_token`,
    OIDC_GITHUB_USERINFO_ENDPOINT: `${gh.url}/user`,
    OIDC_GITHUB_EMAILS_ENDPOINT: `${gh.url}/user/emails`,
  });
});
afterAll(async () => {
  await srv?.close();
  await gh?.close();
});

describe('GitHub-like OAuth 2 preset', () => {
  it('signs in with PKCE and reads the verified primary email', async () => {
    gh.user = { id: 9001, login: 'octocat', email: 'octocat@gh.example' };
    const c = new Client(srv.url);
    const start = await c.fetch('/auth/github/start?returnTo=/after');
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('scope')).toBe('read:user user:email');
    expect(authorize.searchParams.has('nonce')).toBe(false); // no OpenID here
    const back = await fetch(authorize, { redirect: 'manual' });
    const cb = new URL(back.headers.get('location')!);
    const done = await c.fetch(cb.pathname + cb.search);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/after');
    const me = await c.gql<{
      currentUser: { email: string; displayName: string };
      myIdentities: { nodes: { provider: string; email: string }[] };
    }>('{ currentUser { email displayName } myIdentities { nodes { provider email } } }');
    expect(me.data?.currentUser).toEqual({ email: 'octocat@gh.example', displayName: 'The octocat' });
    expect(me.data?.myIdentities.nodes).toEqual([{ provider: 'github', email: 'octocat@gh.example' }]);
  });

  it('a code exchanged without the right verifier is refused (the fake checks PKCE)', async () => {
    gh.user = { id: 9002, login: 'mona', email: 'mona@gh.example' };
    const a = new Client(srv.url);
    const b = new Client(srv.url);
    const startA = await a.fetch('/auth/github/start');
    await b.fetch('/auth/github/start');
    const back = await fetch(startA.headers.get('location')!, { redirect: 'manual' });
    const cb = new URL(back.headers.get('location')!);
    // B presents A's code and state with its own transaction: state mismatch first.
    const res = await b.fetch(cb.pathname + cb.search);
    expect(res.status).toBe(400);
    expect(await b.cookie('pgauth-at')).toBeUndefined();
  });
});
