/**
 * Signing keys for access tokens: EdDSA (Ed25519) JWKs in a directory, one file per key
 * (`<kid>.json`, mode 0600). The newest key signs; every key in the directory verifies, so
 * rotation is: add a key (`npm start` or `rotateKey`), wait one access-token lifetime,
 * delete the old file. Private keys are never logged or served.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';

export const ALG = 'EdDSA';

export interface KeyRing {
  /** The key that signs new tokens. */
  signing: { kid: string; key: CryptoKey };
  /** Public keys by kid, for verification and the JWKS endpoint. */
  verify: Map<string, CryptoKey>;
  jwks: { keys: JWK[] };
}

/** Creates a new key in `dir` and returns its kid. */
export async function rotateKey(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(ALG, { extractable: true, crv: 'Ed25519' });
  const jwk = await exportJWK(privateKey);
  const kid = `${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}-${Math.random().toString(36).slice(2, 8)}`;
  const file = join(dir, `${kid}.json`);
  writeFileSync(file, JSON.stringify({ ...jwk, kid, alg: ALG }), { mode: 0o600 });
  chmodSync(file, 0o600);
  return kid;
}

/** Loads every key in `dir`; with `create`, makes the first one when there is none. */
export async function loadKeys(dir: string, opts: { create: boolean }): Promise<KeyRing> {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  if (files.length === 0) {
    if (!opts.create) throw new Error(`no signing keys in ${dir}`);
    await rotateKey(dir);
    return loadKeys(dir, { create: false });
  }
  const entries = files
    .map((f) => ({
      f,
      mtime: statSync(join(dir, f)).mtimeMs,
      jwk: JSON.parse(readFileSync(join(dir, f), 'utf8')) as JWK,
    }))
    .sort((a, b) => b.mtime - a.mtime || String(b.jwk.kid).localeCompare(String(a.jwk.kid)));
  const verify = new Map<string, CryptoKey>();
  const publics: JWK[] = [];
  for (const { jwk } of entries) {
    if (!jwk.kid || !jwk.d) throw new Error(`key file for ${jwk.kid ?? '?'} is not a private JWK with a kid`);
    const { d: _d, ...pub } = jwk;
    verify.set(jwk.kid, (await importJWK({ ...pub, alg: ALG }, ALG)) as CryptoKey);
    publics.push({ kty: pub.kty, crv: pub.crv, x: pub.x, kid: jwk.kid, alg: ALG, use: 'sig' });
  }
  const newest = entries[0]!.jwk;
  return {
    signing: { kid: newest.kid!, key: (await importJWK({ ...newest, alg: ALG }, ALG)) as CryptoKey },
    verify,
    jwks: { keys: publics },
  };
}
