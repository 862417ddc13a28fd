/**
 * Signing keys for access tokens: JWKs in a directory, one file per key (`<kid>.json`, mode
 * 0600), each EdDSA (Ed25519, the default) or ES256 (P-256, for verifiers without EdDSA such
 * as `jsonwebtoken` + `jwks-rsa`). JWT_ALG chooses the algorithm new keys get and the newest
 * key of that algorithm signs. Every key in the directory verifies, each only with its own
 * algorithm (the one in its file, bound to its kid), so switching JWT_ALG is a rotation like
 * any other: add a key of the new algorithm, wait one access-token lifetime, delete the old
 * files; until then tokens of both verify and no token can choose another algorithm for a
 * key (E1). Private keys are never logged or served.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const SIGNING_ALGS = ['EdDSA', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** The key type each algorithm takes; nothing else is loaded. */
const KEY_TYPES: Record<SigningAlg, { kty: string; crv: string; publicMembers: (keyof JWK)[] }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519', publicMembers: ['kty', 'crv', 'x'] },
  ES256: { kty: 'EC', crv: 'P-256', publicMembers: ['kty', 'crv', 'x', 'y'] },
};

export interface VerifyKey {
  alg: SigningAlg;
  key: CryptoKey;
}

export interface KeyRing {
  /** The key that signs new tokens (the newest of the configured algorithm). */
  signing: { kid: string; alg: SigningAlg; key: CryptoKey };
  /** Public keys by kid, each with the only algorithm it verifies. */
  verify: Map<string, VerifyKey>;
  /** What /.well-known/jwks.json serves: public members, kid, alg, use. */
  jwks: { keys: JWK[] };
}

/** Creates a new key of `alg` in `dir` and returns its kid. */
export async function rotateKey(dir: string, alg: SigningAlg = 'EdDSA'): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: KEY_TYPES[alg].crv });
  const jwk = await exportJWK(privateKey);
  const kid = `${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}-${Math.random().toString(36).slice(2, 8)}`;
  const file = join(dir, `${kid}.json`);
  writeFileSync(file, JSON.stringify({ ...jwk, kid, alg }), { mode: 0o600 });
  chmodSync(file, 0o600);
  return kid;
}

/** The algorithm of a stored key: its `alg`, or (files written before `alg` was kept) its type. */
function algOf(jwk: JWK, file: string): SigningAlg {
  const alg = (jwk.alg ?? (jwk.kty === 'OKP' ? 'EdDSA' : jwk.kty === 'EC' ? 'ES256' : undefined)) as SigningAlg;
  const type = KEY_TYPES[alg];
  if (!type || jwk.kty !== type.kty || jwk.crv !== type.crv) {
    throw new Error(
      `key file ${file}: ${jwk.alg ?? jwk.kty} ${jwk.crv ?? ''} is not supported (EdDSA with Ed25519, or ES256 with P-256)`,
    );
  }
  return alg;
}

/**
 * Loads every key in `dir`. The newest key of `alg` signs; with `create`, a key of `alg` is
 * made when there is none (first start, or JWT_ALG just changed in development).
 */
export async function loadKeys(dir: string, opts: { create: boolean; alg?: SigningAlg }): Promise<KeyRing> {
  const alg = opts.alg ?? 'EdDSA';
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  const entries = files
    .map((f) => {
      const jwk = JSON.parse(readFileSync(join(dir, f), 'utf8')) as JWK;
      return { f, mtime: statSync(join(dir, f)).mtimeMs, jwk, alg: algOf(jwk, join(dir, f)) };
    })
    .sort((a, b) => b.mtime - a.mtime || String(b.jwk.kid).localeCompare(String(a.jwk.kid)));
  const newest = entries.find((e) => e.alg === alg);
  if (!newest) {
    if (!opts.create) {
      throw new Error(`no ${alg} signing key in ${dir} (JWT_ALG=${alg}): create one with \`npm run keys -- rotate\``);
    }
    await rotateKey(dir, alg);
    return loadKeys(dir, { create: false, alg });
  }
  const verify = new Map<string, VerifyKey>();
  const publics: JWK[] = [];
  for (const { jwk, alg: keyAlg } of entries) {
    if (!jwk.kid || !jwk.d) throw new Error(`key file for ${jwk.kid ?? '?'} is not a private JWK with a kid`);
    const pub: JWK = Object.fromEntries(KEY_TYPES[keyAlg].publicMembers.map((m) => [m, jwk[m]]));
    verify.set(jwk.kid, { alg: keyAlg, key: (await importJWK({ ...pub, alg: keyAlg }, keyAlg)) as CryptoKey });
    publics.push({ ...pub, kid: jwk.kid, alg: keyAlg, use: 'sig' });
  }
  return {
    signing: {
      kid: newest.jwk.kid!,
      alg,
      key: (await importJWK({ ...newest.jwk, alg }, alg)) as CryptoKey,
    },
    verify,
    jwks: { keys: publics },
  };
}
