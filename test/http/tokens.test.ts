// Access-token verification (E1, E2) and role changes on the next request (E3), through
// `Authorization: Bearer` against the real edge (an invalid bearer is HTTP 401 TOKEN).
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload, type JWK } from 'jose';
import { mkdtempSync, rmSync, unlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAccessToken, verifyAccessToken } from '../../proxy/core/tokens.ts';
import { loadKeys, rotateKey } from '../../proxy/core/keys.ts';
import { useServer } from './server.ts';
import { closeOwner, nativeUser, owner, rawPost, type NativeUser } from './helpers.ts';

const srv = useServer();
let user: NativeUser;
const ME = '{ currentUser { email } }';

beforeAll(async () => {
  user = await nativeUser(srv, 'tok');
});
afterAll(async () => {
  await closeOwner();
});

const b64 = (x: object | string) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

function claims(over: Record<string, unknown> = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const c: Record<string, unknown> = {
    iss: srv.cfg.publicOrigin,
    aud: srv.cfg.audience,
    sub: user.userId,
    sid: user.sessionId,
    role: 'app_user',
    iat: now,
    exp: now + 300,
    ...over,
  };
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  return c as JWTPayload;
}

/** Signs with the server's real signing key; header and claims can be overridden. */
function sign(over: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  return new SignJWT(claims(over))
    .setProtectedHeader({ alg: 'EdDSA', kid: srv.keys.signing.kid, typ: 'at+jwt', ...header } as never)
    .sign(srv.keys.signing.key);
}

async function asBearer(token: string, query = ME) {
  return rawPost(srv, { query }, { authorization: `Bearer ${token}` });
}

async function expectRefused(token: string) {
  const r = await asBearer(token);
  expect(r.status, r.raw).toBe(401);
  expect(r.json?.errors?.[0]?.extensions?.code).toBe('TOKEN');
  expect(r.raw).not.toContain(user.email);
}

describe('E1: access-token verification', () => {
  it('baseline: a well-formed token from the server key returns the user', async () => {
    const r = await asBearer(await sign());
    expect(r.json?.data?.currentUser?.email).toBe(user.email);
    const viaEdge = await signAccessToken(
      srv.keys,
      { issuer: srv.cfg.publicOrigin, audience: srv.cfg.audience, ttlSeconds: 60 },
      { sub: user.userId, sid: user.sessionId, role: 'app_user' },
    );
    expect((await asBearer(viaEdge)).json?.data?.currentUser?.email).toBe(user.email);
  });

  it('E1: alg none is refused', async () => {
    await expectRefused(`${b64({ alg: 'none', typ: 'at+jwt', kid: srv.keys.signing.kid })}.${b64(claims())}.`);
  });

  it('E1: HS256 signed with the public key bytes from the JWKS is refused', async () => {
    const jwks = (await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const pub = jwks.keys.find((k) => k.kid === srv.keys.signing.kid)!;
    const secrets = [Buffer.from(JSON.stringify(pub)), Buffer.from(pub.x!, 'base64url'), Buffer.from(pub.x!)];
    for (const secret of secrets) {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: pub.kid })}.${b64(claims())}`;
      await expectRefused(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
    }
  });

  it('E1: an unknown kid is refused, and so is a foreign key claiming the real kid', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const c = claims();
    await expectRefused(
      await new SignJWT(c).setProtectedHeader({ alg: 'EdDSA', kid: 'nope', typ: 'at+jwt' }).sign(privateKey),
    );
    await expectRefused(
      await new SignJWT(c)
        .setProtectedHeader({ alg: 'EdDSA', kid: srv.keys.signing.kid, typ: 'at+jwt' })
        .sign(privateKey),
    );
    await expectRefused(
      await new SignJWT(c).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).sign(srv.keys.signing.key),
    );
  });

  it('E1: an embedded jwk header is refused (even when it is the attacker key that signed)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(publicKey);
    await expectRefused(
      await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', jwk } as never).sign(privateKey),
    );
    // Even signed by the real key, a key hint in the header is not accepted.
    await expectRefused(await sign({}, { jwk }));
  });

  it('E1: a jku / x5u header is refused', async () => {
    await expectRefused(await sign({}, { jku: 'https://evil.example/jwks.json' }));
    await expectRefused(await sign({}, { x5u: 'https://evil.example/cert.pem' }));
  });

  it('E1: wrong iss or aud is refused', async () => {
    await expectRefused(await sign({ iss: 'https://evil.example' }));
    await expectRefused(await sign({ iss: undefined }));
    await expectRefused(await sign({ aud: 'someone-else' }));
    await expectRefused(await sign({ aud: undefined }));
  });

  it('E1: missing or past exp is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await sign({ exp: undefined }));
    await expectRefused(await sign({ exp: now - 60, iat: now - 960 }));
  });

  it('E1: missing sid, sub or iat, or malformed ids, are refused', async () => {
    await expectRefused(await sign({ sid: undefined }));
    await expectRefused(await sign({ sub: undefined }));
    await expectRefused(await sign({ iat: undefined }));
    await expectRefused(await sign({ sid: "' or 1=1 --" }));
    await expectRefused(await sign({ sub: 'not-a-uuid' }));
  });

  it('E1/E2: a token of another type (typ JWT, ID-token-like, no typ) signed with the real key is refused', async () => {
    await expectRefused(await sign({}, { typ: 'JWT' }));
    await expectRefused(await sign({ aud: 'client-id', nonce: 'n', email: user.email }, { typ: 'JWT' }));
    const c = claims();
    await expectRefused(
      await new SignJWT(c).setProtectedHeader({ alg: 'EdDSA', kid: srv.keys.signing.kid }).sign(srv.keys.signing.key),
    );
  });

  it('E1: a role outside the request-role allow-list (postgres, pgauth_owner, authenticator, anonymous) is refused', async () => {
    for (const role of ['postgres', 'pgauth_owner', 'pgauth_authenticator', 'anonymous', 'APP_USER', '', undefined]) {
      await expectRefused(await sign({ role }));
    }
  });

  it('E2: a refresh token (or any non-JWT string) in the bearer slot is refused', async () => {
    await expectRefused(user.refreshToken);
    const r = await rawPost(srv, { query: ME }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(r.status).toBe(401);
  });

  it('E1: a token signed by another RSA key with alg RS256 is refused', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectRefused(
      await new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', kid: srv.keys.signing.kid, typ: 'at+jwt' })
        .sign(privateKey),
    );
  });

  it('E1: the JWKS serves kid and alg EdDSA and never private material', async () => {
    const res = await fetch(`${srv.url}/.well-known/jwks.json`);
    const jwks = (await res.json()) as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(srv.keys.signing.kid);
    for (const k of jwks.keys) {
      expect(k.alg).toBe('EdDSA');
      expect(k.kty).toBe('OKP');
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(priv);
    }
  });
});

describe('E1: key rotation', () => {
  it('E1: after rotation the old key still verifies; once its file is removed, its tokens are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgauth-rot-'));
    try {
      const s = { issuer: 'https://rot.example', audience: 'pgauth', ttlSeconds: 300 };
      const c = { sub: user.userId, sid: user.sessionId, role: 'app_user' as const };
      const oldKid = await rotateKey(dir);
      utimesSync(join(dir, `${oldKid}.json`), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      const oldToken = await signAccessToken(await loadKeys(dir, { create: false }), s, c);
      const newKid = await rotateKey(dir);
      const both = await loadKeys(dir, { create: false });
      expect(both.signing.kid).toBe(newKid);
      expect(await verifyAccessToken(both, s, oldToken)).toMatchObject({ sub: user.userId });
      unlinkSync(join(dir, `${oldKid}.json`));
      const rotated = await loadKeys(dir, { create: false });
      expect(rotated.jwks.keys.map((k) => k.kid)).toEqual([newKid]);
      expect(await verifyAccessToken(rotated, s, oldToken)).toBeNull();
      expect(await verifyAccessToken(rotated, s, await signAccessToken(rotated, s, c))).toMatchObject({
        sid: user.sessionId,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('E3: role changes take effect on the next request', () => {
  const DOC = 'query ($id: UUID!) { documentByRowId(rowId: $id) { rowId } }';
  const CREATE = `mutation ($url: String!) { createDocument(input: { document: { fullUrl: $url } }) { document { rowId } } }`;

  it('E3: a demoted manager (still holding a manager token) loses staff reads on the next request', async () => {
    const author = await nativeUser(srv, 'author');
    const created = await asBearerVars(author.accessToken, CREATE, { url: 'https://e3.example/secret' });
    const docId = created.json?.data?.createDocument?.document?.rowId as string;
    expect(docId).toBeTruthy();

    const mgr = await nativeUser(srv, 'mgr');
    const ids = async (token: string) => {
      const r = await asBearerVars(token, DOC, { id: docId });
      expect(r.json?.errors, r.raw).toBeUndefined();
      return r.json?.data?.documentByRowId ? [r.json.data.documentByRowId.rowId] : [];
    };
    expect(await ids(mgr.accessToken)).not.toContain(docId);

    // Promotion: even the old app_user token sees the effect, because policies re-read the grants.
    await owner(`insert into app_public.role_grants (user_id, role) values ($1, 'manager')`, [mgr.userId]);
    expect(await ids(mgr.accessToken)).toContain(docId);

    // A token that says manager, as issued after the promotion.
    const managerToken = await signAccessToken(
      srv.keys,
      { issuer: srv.cfg.publicOrigin, audience: srv.cfg.audience, ttlSeconds: 300 },
      { sub: mgr.userId, sid: mgr.sessionId, role: 'manager' },
    );
    expect(await ids(managerToken)).toContain(docId);

    await owner(`delete from app_public.role_grants where user_id = $1`, [mgr.userId]);
    expect(await ids(managerToken)).not.toContain(docId);
  });

  it('E3: a demoted admin cannot use an admin token to list users or grant roles', async () => {
    const adm = await nativeUser(srv, 'adm');
    const bystander = await nativeUser(srv, 'bystander');
    await owner(`insert into app_public.role_grants (user_id, role) values ($1, 'admin')`, [adm.userId]);
    const adminToken = await signAccessToken(
      srv.keys,
      { issuer: srv.cfg.publicOrigin, audience: srv.cfg.audience, ttlSeconds: 300 },
      { sub: adm.userId, sid: adm.sessionId, role: 'admin' },
    );
    const USERS = '{ allUsers(first: 100, condition: { email: $e }) { nodes { email } } }';
    const find = (token: string) => asBearerVars(token, `query ($e: String!) ${USERS}`, { e: bystander.email });
    expect((await find(adminToken)).json?.data?.allUsers?.nodes).toEqual([{ email: bystander.email }]);

    await owner(`delete from app_public.role_grants where user_id = $1`, [adm.userId]);
    expect((await find(adminToken)).json?.data?.allUsers?.nodes).toEqual([]);
    const grant = await asBearerVars(
      adminToken,
      `mutation ($u: UUID!) { createRoleGrant(input: { roleGrant: { userId: $u, role: "admin" } }) { roleGrant { role } } }`,
      { u: adm.userId },
    );
    expect(grant.json?.errors?.length, grant.raw).toBeGreaterThan(0);
    const rows = await owner(`select role from app_public.role_grants where user_id = $1`, [adm.userId]);
    expect(rows).toEqual([]);
  });
});

function asBearerVars(token: string, query: string, variables: Record<string, unknown>) {
  return rawPost(srv, { query, variables }, { authorization: `Bearer ${token}` });
}
