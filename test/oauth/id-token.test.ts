// Sign in with a provider's ID token (issue 15, Q2): tokens signed by a real OpenID Provider
// (oidc-provider, obtained the way a native SDK would: its own PKCE flow with a nonce) and by a
// local key set served as JWKS (with a discovery document) from a node:http server on loopback.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, freePort, PASSWORD, REFRESH, startServer, type TestServer } from '../http/server.ts';
import { authorizeOverHttp, CLIENT_ID, CLIENT_SECRET, startIdp, type Idp } from './idp.ts';

const NATIVE_REDIRECT = 'http://127.0.0.1:9/native';
const OTHER = { id: 'someone-else', secret: 'someone-else-secret-0123456789abcdef' };
const LOCAL_APP = 'com.example.localkeys';

let idp: Idp;
let srv: TestServer;
let owner: pg.Client;
let jwksServer: Server;
let localIssuer: string;
let localKey: CryptoKey;
let strangerKey: CryptoKey;

const RUN = Date.now().toString(36);
const L = (name: string) => `idt-${name}-${RUN}`;
const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
const rawNonce = () => randomBytes(24).toString('base64url');

beforeAll(async () => {
  idp = await startIdp([NATIVE_REDIRECT], [OTHER]);
  // The local provider: a discovery document and a key set, nothing else.
  const pair = await generateKeyPair('ES256', { extractable: true });
  localKey = pair.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'local-1', alg: 'ES256', use: 'sig' };
  jwksServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(
        JSON.stringify({
          issuer: localIssuer,
          jwks_uri: `${localIssuer}/jwks`,
          authorization_endpoint: `${localIssuer}/authorize`,
          token_endpoint: `${localIssuer}/token`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['ES256'],
        }),
      );
    } else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', () => r()));
  localIssuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;

  srv = await startServer({
    PORT: String(await freePort()),
    OIDC_TESTIDP_ISSUER: idp.issuer,
    OIDC_TESTIDP_CLIENT_ID: CLIENT_ID,
    OIDC_TESTIDP_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_LOCALKEYS_ISSUER: localIssuer,
    OIDC_LOCALKEYS_CLIENT_ID: 'localkeys-web',
    OIDC_LOCALKEYS_CLIENT_SECRET: 'unused-secret',
    OIDC_LOCALKEYS_ID_TOKEN_AUDIENCES: `localkeys-web,${LOCAL_APP}`,
  });
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await srv?.close();
  await new Promise((r) => jwksServer?.close(r));
  await idp?.close();
});

/** What a native SDK does with the provider: its own code flow with PKCE and the hashed nonce. */
async function idpToken(login: string, nonce: string | null, client = { id: CLIENT_ID, secret: CLIENT_SECRET }) {
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(`${idp.issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: client.id,
    redirect_uri: NATIVE_REDIRECT,
    response_type: 'code',
    scope: 'openid email profile',
    state: 'st',
    ...(nonce === null ? {} : { nonce }),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const back = await authorizeOverHttp(auth.href, login);
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: NATIVE_REDIRECT,
      code_verifier: verifier,
      client_id: client.id,
      client_secret: client.secret,
    }),
  });
  const body = (await res.json()) as { id_token?: string };
  if (!body.id_token) throw new Error(`no id_token: ${JSON.stringify(body)}`);
  return body.id_token;
}

/** A token from the local key set; `over` changes claims, `key`/`kid`/`alg` the signature. */
async function localToken(
  sub: string,
  nonce: string,
  over: Record<string, unknown> = {},
  opts: { key?: CryptoKey; kid?: string; exp?: number; iat?: number } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    nonce: sha256hex(nonce),
    email: `${sub}@local.example`,
    email_verified: true,
    name: `Local ${sub}`,
    ...over,
  })
    .setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? 'local-1' })
    .setIssuer((over.iss as string) ?? localIssuer)
    .setAudience((over.aud as string | string[]) ?? LOCAL_APP)
    .setSubject(sub)
    .setIssuedAt(opts.iat ?? now)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(opts.key ?? localKey);
}

const SIGN_IN = `mutation ($p: String!, $t: String!, $n: String!) {
  signInWithIdToken(input: { provider: $p, idToken: $t, nonce: $n }) { userId sessionId accessToken refreshToken }
}`;
type SignIn = {
  signInWithIdToken: { userId: string; sessionId: string; accessToken: string | null; refreshToken: string | null };
};

/** A native client: tokens in the body. */
async function nativeSignIn(provider: string, idToken: string, nonce: string) {
  const res = await fetch(`${srv.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-token-delivery': 'body' },
    body: JSON.stringify({ query: SIGN_IN, variables: { p: provider, t: idToken, n: nonce } }),
  });
  const json = (await res.json()) as { data?: SignIn; errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, data: json.data, code: json.errors?.[0]?.extensions?.code, res };
}

describe('signInWithIdToken', () => {
  it('Q2: an ID token from the OpenID provider signs a native client in (body), and again as the same user', async () => {
    const n = rawNonce();
    const first = await nativeSignIn('testidp', await idpToken(L('ivy'), sha256hex(n)), n);
    expect(first.code).toBeUndefined();
    expect(first.res.headers.getSetCookie()).toEqual([]);
    const s = first.data!.signInWithIdToken;
    expect(s.accessToken).toBeTruthy();
    expect(s.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await fetch(`${srv.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.accessToken}` },
      body: JSON.stringify({ query: '{ currentUser { rowId } myIdentities { nodes { provider } } }' }),
    });
    // (oidc-provider puts email claims in UserInfo, not in the ID token: the account has none.)
    expect((await me.json()).data).toEqual({
      currentUser: { rowId: s.userId },
      myIdentities: { nodes: [{ provider: 'testidp' }] },
    });
    // Refresh works like any native client's.
    const r = await fetch(`${srv.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-token-delivery': 'body' },
      body: JSON.stringify({ query: REFRESH, variables: { t: s.refreshToken } }),
    });
    expect((await r.json()).data.refresh.userId).toBe(s.userId);

    const n2 = rawNonce();
    const again = await nativeSignIn('testidp', await idpToken(L('ivy'), sha256hex(n2)), n2);
    expect(again.data?.signInWithIdToken.userId).toBe(s.userId);
  });

  it('Q2: a browser gets cookies, like login', async () => {
    const browser = new Client(srv.url);
    await browser.csrf();
    const n = rawNonce();
    const r = await browser.gql<SignIn>(SIGN_IN, { p: 'localkeys', t: await localToken(L('bea'), n), n });
    expect(r.errors).toBeUndefined();
    expect(r.data?.signInWithIdToken.accessToken).toBeNull();
    expect(await browser.cookie('pgauth-at')).toBeTruthy();
    const me = await browser.gql<{ currentUser: { email: string } }>('{ currentUser { email } }');
    expect(me.data?.currentUser.email).toBe(`${L('bea')}@local.example`);
  });

  it('Q2: an ID token for another audience is refused (IDTOKEN)', async () => {
    const n = rawNonce();
    const other = await nativeSignIn('testidp', await idpToken(L('aud'), sha256hex(n), OTHER), n);
    expect(other.code).toBe('IDTOKEN');
    expect(other.status).toBe(401);
    const n2 = rawNonce();
    expect((await nativeSignIn('localkeys', await localToken(L('aud2'), n2, { aud: 'not-ours' }), n2)).code).toBe(
      'IDTOKEN',
    );
    // Several audiences: the authorized party must be ours.
    const n3 = rawNonce();
    const multi = await localToken(L('aud3'), n3, { aud: [LOCAL_APP, 'not-ours'], azp: 'not-ours' });
    expect((await nativeSignIn('localkeys', multi, n3)).code).toBe('IDTOKEN');
    // The web client id is in the allow-list too (the default), so the same account can come from either.
    const n4 = rawNonce();
    expect(
      (await nativeSignIn('localkeys', await localToken(L('aud4'), n4, { aud: 'localkeys-web' }), n4)).code,
    ).toBeUndefined();
  });

  it('Q2: a wrong nonce, a missing nonce and the nonce claim itself sent back are refused', async () => {
    const n = rawNonce();
    expect((await nativeSignIn('testidp', await idpToken(L('nonce'), sha256hex(n)), rawNonce())).code).toBe('IDTOKEN');
    // The provider saw the raw nonce (not its hash): sending it is the token's own claim, refused.
    const n2 = rawNonce();
    expect((await nativeSignIn('testidp', await idpToken(L('nonce2'), n2), n2)).code).toBe('IDTOKEN');
    const n3 = rawNonce();
    expect((await nativeSignIn('testidp', await idpToken(L('nonce3'), null), n3)).code).toBe('IDTOKEN');
    const n4 = rawNonce();
    const t = await localToken(L('nonce4'), n4);
    expect((await nativeSignIn('localkeys', t, sha256hex(n4))).code).toBe('IDTOKEN');
  });

  it('Q2: an expired token, a wrong issuer, an unknown key and alg none are refused', async () => {
    const n = rawNonce();
    const now = Math.floor(Date.now() / 1000);
    const expired = await localToken(L('exp'), n, {}, { iat: now - 3600, exp: now - 120 });
    expect((await nativeSignIn('localkeys', expired, n)).code).toBe('IDTOKEN');
    const wrongIss = await localToken(L('iss'), n, { iss: idp.issuer });
    expect((await nativeSignIn('localkeys', wrongIss, n)).code).toBe('IDTOKEN');
    // A token of one configured provider is not accepted as another's.
    expect((await nativeSignIn('testidp', await localToken(L('iss2'), n), n)).code).toBe('IDTOKEN');
    const unknownKid = await localToken(L('kid'), n, {}, { key: strangerKey, kid: 'not-published' });
    expect((await nativeSignIn('localkeys', unknownKid, n)).code).toBe('IDTOKEN');
    const forged = await localToken(L('forged'), n, {}, { key: strangerKey });
    expect((await nativeSignIn('localkeys', forged, n)).code).toBe('IDTOKEN');
    const good = await localToken(L('none'), n);
    const [, payload] = good.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect((await nativeSignIn('localkeys', none, n)).code).toBe('IDTOKEN');
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'local-1' })).toString('base64url')}.${payload}.${randomBytes(32).toString('base64url')}`;
    expect((await nativeSignIn('localkeys', hs, n)).code).toBe('IDTOKEN');
    const { rows } = await owner.query(
      `select count(*)::int n from app_public.user_identities where subject = any($1)`,
      [[L('exp'), L('iss'), L('iss2'), L('kid'), L('forged'), L('none')]],
    );
    expect(rows[0].n).toBe(0);
    const audit = await owner.query(
      `select count(*)::int n from app_public.audit_log where event = 'oauth_rejected' and detail ->> 'reason' = 'IDTOKEN'`,
    );
    expect(audit.rows[0].n).toBeGreaterThan(0);
  });

  it('Q2: an ID token signs in once: the same token and nonce again are refused', async () => {
    const n = rawNonce();
    const t = await localToken(L('replay'), n);
    expect((await nativeSignIn('localkeys', t, n)).code).toBeUndefined();
    expect((await nativeSignIn('localkeys', t, n)).code).toBe('IDTOKEN');
  });

  it('Q2: an unknown provider is NTFND', async () => {
    const n = rawNonce();
    expect((await nativeSignIn('nosuch', await localToken(L('np'), n), n)).code).toBe('NTFND');
  });

  it('H1: the same linking rules as the redirect flow: an email that has a password account is EMCOL', async () => {
    const pw = new Client(srv.url);
    await pw.csrf();
    await pw.gql(`mutation ($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { userId } }`, {
      e: `${L('col')}@local.example`,
      p: PASSWORD,
    });
    const n = rawNonce();
    const r = await nativeSignIn('localkeys', await localToken(L('col'), n), n);
    expect(r.code).toBe('EMCOL');
    expect(r.status).toBe(409);
    // An unverified email is not used: a new account without it.
    const n2 = rawNonce();
    const unverified = await localToken(L('col2'), n2, { email: `${L('col')}@local.example`, email_verified: false });
    const ok = await nativeSignIn('localkeys', unverified, n2);
    expect(ok.code).toBeUndefined();
    const { rows } = await owner.query(`select email::text from app_public.users where id = $1`, [
      ok.data!.signInWithIdToken.userId,
    ]);
    expect(rows[0].email).not.toBe(`${L('col')}@local.example`);
  });
});
