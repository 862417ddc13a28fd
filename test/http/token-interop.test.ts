// Issue item 20: access tokens a third-party resource server can verify. JWT_ALG=ES256 for
// verifiers without EdDSA, RFC 9068's client_id, and RFC 8414 / OpenID discovery documents
// that lead a verifier from the issuer to the JWKS. E1 still holds for ES256: the algorithm
// is bound to the key named by kid, so no token chooses another one.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../proxy/core/config.ts';
import { loadKeys, rotateKey } from '../../proxy/core/keys.ts';
import { signAccessToken, verifyAccessToken } from '../../proxy/core/tokens.ts';
import { closeOwner, type NativeUser, nativeUser, rawPost } from './helpers.ts';
import { useServer } from './server.ts';

const srv = useServer({ JWT_ALG: 'ES256', JWT_CLIENT_ID: 'interop-web' });
let user: NativeUser;
const ME = '{ currentUser { email } }';

beforeAll(async () => {
  user = await nativeUser(srv, 'interop');
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
    client_id: 'interop-web',
    iat: now,
    exp: now + 300,
    ...over,
  };
  return c as JWTPayload;
}

async function expectRefused(token: string) {
  const r = await rawPost(srv, { query: ME }, { authorization: `Bearer ${token}` });
  expect(r.status, r.raw).toBe(401);
  expect(r.json?.errors?.[0]?.extensions?.code).toBe('TOKEN');
}

describe('item 20: discovery and ES256 access tokens', () => {
  it('item 20: RFC 8414 and OpenID discovery name the issuer and the JWKS', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await fetch(`${srv.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const meta = (await res.json()) as Record<string, unknown>;
      expect(meta.issuer).toBe(srv.cfg.publicOrigin);
      expect(meta.jwks_uri).toBe(`${srv.cfg.publicOrigin}/.well-known/jwks.json`);
      // RFC 8414: response_types_supported is required; there is no authorization endpoint.
      expect(meta.response_types_supported).toEqual([]);
    }
  });

  it('item 20: a resource server that knows only the issuer verifies a session token with jose (ES256, client_id)', async () => {
    const meta = (await (await fetch(`${srv.url}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    const jwks = createRemoteJWKSet(new URL(meta.jwks_uri));
    expect(decodeProtectedHeader(user.accessToken)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const { payload } = await jwtVerify(user.accessToken, jwks, {
      issuer: meta.issuer,
      audience: srv.cfg.audience,
      algorithms: ['ES256'],
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ sub: user.userId, client_id: 'interop-web', sid: user.sessionId });
    for (const k of ['iss', 'aud', 'exp', 'iat', 'jti']) expect(payload).toHaveProperty(k);
    // The edge accepts the same token.
    const r = await rawPost(srv, { query: ME }, { authorization: `Bearer ${user.accessToken}` });
    expect(r.json?.data?.currentUser?.email).toBe(user.email);
  });

  it('item 20: the JWKS serves P-256 public keys with alg ES256 and no private members', async () => {
    const { keys } = (await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    expect(keys.map((k) => k.kid)).toContain(srv.keys.signing.kid);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(priv);
    }
  });

  it('item 20: client_id defaults to pgauth-web', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgauth-cid-'));
    try {
      const ring = await loadKeys(dir, { create: true });
      const token = await signAccessToken(
        ring,
        { issuer: 'https://cid.example', audience: 'pgauth', ttlSeconds: 60 },
        { sub: user.userId, sid: user.sessionId, role: 'app_user' },
      );
      const { payload } = await jwtVerify(token, ring.verify.get(ring.signing.kid)!.key, { algorithms: ['EdDSA'] });
      expect(payload.client_id).toBe('pgauth-web');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('item 20: JWT_ALG and JWT_CLIENT_ID are checked at start', () => {
    const base = { PORT: '3999' };
    expect(() => loadConfig({ ...base, JWT_ALG: 'RS256' })).toThrow(/JWT_ALG must be EdDSA or ES256/);
    expect(() => loadConfig({ ...base, JWT_ALG: 'es256' })).toThrow(/JWT_ALG/);
    expect(() => loadConfig({ ...base, JWT_CLIENT_ID: 'has space' })).toThrow(/JWT_CLIENT_ID/);
  });
});

describe('E1 with ES256', () => {
  it('E1: a token signed with the real ES256 key verifies (baseline)', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: srv.keys.signing.kid, typ: 'at+jwt' })
      .sign(srv.keys.signing.key);
    const r = await rawPost(srv, { query: ME }, { authorization: `Bearer ${token}` });
    expect(r.json?.data?.currentUser?.email).toBe(user.email);
  });

  it('E1: alg none is refused', async () => {
    await expectRefused(`${b64({ alg: 'none', typ: 'at+jwt', kid: srv.keys.signing.kid })}.${b64(claims())}.`);
  });

  it('E1: HS256 keyed with the published ES256 public key is refused', async () => {
    const { keys } = (await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const pub = keys.find((k) => k.kid === srv.keys.signing.kid)!;
    const secrets = [
      Buffer.from(JSON.stringify(pub)),
      Buffer.from(pub.x!, 'base64url'),
      Buffer.concat([Buffer.from([4]), Buffer.from(pub.x!, 'base64url'), Buffer.from(pub.y!, 'base64url')]),
    ];
    for (const secret of secrets) {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: pub.kid })}.${b64(claims())}`;
      await expectRefused(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
    }
  });

  it('E1: another algorithm under the ES256 kid is refused (EdDSA, RS256, ES384 keys of an attacker)', async () => {
    const kid = srv.keys.signing.kid;
    const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const es384 = await generateKeyPair('ES384');
    const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectRefused(
      await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' }).sign(ed.privateKey),
    );
    await expectRefused(
      await new SignJWT(claims()).setProtectedHeader({ alg: 'ES384', kid, typ: 'at+jwt' }).sign(es384.privateKey),
    );
    await expectRefused(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(rsa));
  });

  it('E1: a foreign P-256 key claiming the real kid, or an unknown kid, is refused', async () => {
    const foreign = await generateKeyPair('ES256');
    const c = claims();
    await expectRefused(
      await new SignJWT(c)
        .setProtectedHeader({ alg: 'ES256', kid: srv.keys.signing.kid, typ: 'at+jwt' })
        .sign(foreign.privateKey),
    );
    await expectRefused(
      await new SignJWT(c).setProtectedHeader({ alg: 'ES256', kid: 'nope', typ: 'at+jwt' }).sign(foreign.privateKey),
    );
  });

  it('E1: wrong iss, aud or typ, or missing exp, are refused for ES256 too', async () => {
    const sign = (over: Record<string, unknown>, typ = 'at+jwt') =>
      new SignJWT(claims(over))
        .setProtectedHeader({ alg: 'ES256', kid: srv.keys.signing.kid, typ })
        .sign(srv.keys.signing.key);
    await expectRefused(await sign({ iss: 'https://evil.example' }));
    await expectRefused(await sign({ aud: 'someone-else' }));
    await expectRefused(await sign({ exp: undefined }));
    await expectRefused(await sign({}, 'JWT'));
  });
});

describe('E1: switching JWT_ALG is a rotation', () => {
  it('E1: EdDSA tokens verify until the EdDSA file is removed; a key never verifies with the other algorithm', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgauth-alg-'));
    try {
      const s = { issuer: 'https://alg.example', audience: 'pgauth', ttlSeconds: 300 };
      const c = { sub: user.userId, sid: user.sessionId, role: 'app_user' as const };
      const edKid = await rotateKey(dir, 'EdDSA');
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(join(dir, `${edKid}.json`), hourAgo, hourAgo);
      const edRing = await loadKeys(dir, { create: false, alg: 'EdDSA' });
      const edToken = await signAccessToken(edRing, s, c);

      // Production does not create keys: the switch needs `npm run keys -- rotate` first.
      await expect(loadKeys(dir, { create: false, alg: 'ES256' })).rejects.toThrow(/no ES256 signing key/);
      const esKid = await rotateKey(dir, 'ES256');
      const both = await loadKeys(dir, { create: false, alg: 'ES256' });
      expect(both.signing).toMatchObject({ kid: esKid, alg: 'ES256' });
      expect(both.jwks.keys.map((k) => [k.kid, k.alg]).sort()).toEqual(
        [
          [edKid, 'EdDSA'],
          [esKid, 'ES256'],
        ].sort(),
      );
      const esToken = await signAccessToken(both, s, c);
      expect(decodeProtectedHeader(esToken).alg).toBe('ES256');
      expect(await verifyAccessToken(both, s, esToken)).toMatchObject({ sub: user.userId });
      expect(await verifyAccessToken(both, s, edToken)).toMatchObject({ sub: user.userId });

      // The ring's ES256 key signing under the EdDSA kid (or claiming EdDSA) is refused.
      const now = Math.floor(Date.now() / 1000);
      const payload = { ...c, iss: s.issuer, aud: s.audience, iat: now, exp: now + 60 };
      const swapped = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'ES256', kid: edKid, typ: 'at+jwt' })
        .sign(both.signing.key);
      expect(await verifyAccessToken(both, s, swapped)).toBeNull();
      const [h, p, sig] = esToken.split('.');
      const relabelled = `${b64({ ...JSON.parse(Buffer.from(h!, 'base64url').toString()), alg: 'EdDSA' })}.${p}.${sig}`;
      expect(await verifyAccessToken(both, s, relabelled)).toBeNull();

      unlinkSync(join(dir, `${edKid}.json`));
      const esOnly = await loadKeys(dir, { create: false, alg: 'ES256' });
      expect(await verifyAccessToken(esOnly, s, edToken)).toBeNull();
      expect(await verifyAccessToken(esOnly, s, esToken)).toMatchObject({ sid: user.sessionId });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
