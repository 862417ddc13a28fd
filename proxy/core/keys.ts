/**
 * Signing keys for access tokens: JWKs in a directory, one file per key (`<kid>.json`, mode
 * 0600), each EdDSA (Ed25519, the default) or ES256 (P-256, for verifiers without EdDSA such
 * as `jsonwebtoken` + `jwks-rsa`). Every key in the directory verifies, each only with its own
 * algorithm (the one in its file, bound to its kid), so no token can choose another algorithm
 * for a key (E1). Private keys are never logged or served.
 *
 * Rotation across instances publishes before it signs (docs/deployment.md, `npm run keys`):
 *
 * 1. `add`: a new key with `"status": "next"`: it verifies and is served in the JWKS, but
 *    never signs. Every instance picks it up without a restart (the directory is re-read every
 *    JWT_KEYS_RELOAD_MS, and at once, at most once a second, when a token names an unknown kid).
 * 2. `promote <kid>`: once every instance has it, the key becomes `active` with a newer
 *    `promoted_at` than any other: it signs from each instance's next reload. A token it signs
 *    verifies everywhere, since everywhere already knew the key.
 * 3. `retire <kid>`: after one access-token lifetime, the old key's file is removed; its
 *    tokens stop verifying on each instance's next reload, cached verifications included.
 *
 * The signer is the active key of JWT_ALG promoted last (files without `promoted_at`: by
 * modification time, as before). Switching JWT_ALG is such a rotation too.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const SIGNING_ALGS = ['EdDSA', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** The key type each algorithm takes; nothing else is loaded. */
const KEY_TYPES: Record<SigningAlg, { kty: string; crv: string; publicMembers: (keyof JWK)[] }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519', publicMembers: ['kty', 'crv', 'x'] },
  ES256: { kty: 'EC', crv: 'P-256', publicMembers: ['kty', 'crv', 'x', 'y'] },
};

/** `next`: published (verifies, in the JWKS), not yet signing. `active`: may sign. */
export type KeyStatus = 'next' | 'active';

/** A key file: the private JWK plus our own members. */
type KeyFile = JWK & { status?: KeyStatus; promoted_at?: string };

export interface VerifyKey {
  alg: SigningAlg;
  key: CryptoKey;
}

export interface KeyRing {
  /** The key that signs new tokens (the active key of the configured algorithm promoted last). */
  signing: { kid: string; alg: SigningAlg; key: CryptoKey };
  /** Public keys by kid, each with the only algorithm it verifies. Replaced, never mutated,
   * by a reload: a verification cache keyed by this map never outlives a retired key. */
  verify: Map<string, VerifyKey>;
  /** What /.well-known/jwks.json serves: public members, kid, alg, use. */
  jwks: { keys: JWK[] };
  /** Re-reads the directory now (at most once a second; concurrent calls share one read).
   * A directory that does not load (no signer, a broken file) keeps the current keys. */
  reload?(): Promise<void>;
  /** Stops the periodic reload. */
  stop?(): void;
}

export interface KeyInfo {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  signing: boolean;
}

function newKid(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14);
  return `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Writes a key file atomically (a reader never sees half a file), mode 0600. */
function writeKeyFile(dir: string, jwk: KeyFile): void {
  const file = join(dir, `${jwk.kid}.json`);
  const tmp = join(dir, `.${jwk.kid}.json.tmp`);
  writeFileSync(tmp, JSON.stringify(jwk), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

const KID = /^[A-Za-z0-9_-]{1,100}$/;

function keyFile(dir: string, kid: string): string {
  if (!KID.test(kid)) throw new Error(`not a key id: ${kid}`);
  const file = join(dir, `${kid}.json`);
  if (!existsSync(file)) throw new Error(`no key ${kid} in ${dir}`);
  return file;
}

/** Publishes a new key of `alg` in `dir`: it verifies from each instance's next reload but
 * does not sign until promoted. Returns its kid. */
export async function addKey(dir: string, alg: SigningAlg = 'EdDSA', status: KeyStatus = 'next'): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: KEY_TYPES[alg].crv });
  const jwk = await exportJWK(privateKey);
  const kid = newKid();
  // An active key without promoted_at signs by its file's modification time (newest first).
  writeKeyFile(dir, { ...jwk, kid, alg, status });
  return kid;
}

/** Makes `kid` the signer (from each instance's next reload). */
export function promoteKey(dir: string, kid: string): void {
  const file = keyFile(dir, kid);
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  algOf(jwk, file);
  writeKeyFile(dir, { ...jwk, status: 'active', promoted_at: new Date().toISOString() });
}

/** Removes `kid`; refuses the key that signs now (promote another one first). */
export async function retireKey(dir: string, kid: string, alg: SigningAlg): Promise<void> {
  const file = keyFile(dir, kid);
  const ring = await loadKeys(dir, { create: false, alg });
  if (ring.signing.kid === kid) throw new Error(`${kid} signs: promote another key first`);
  unlinkSync(file);
}

/** Single instance or development: a new key that signs from the next reload or start. */
export function rotateKey(dir: string, alg: SigningAlg = 'EdDSA'): Promise<string> {
  return addKey(dir, alg, 'active');
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

interface Entry {
  jwk: KeyFile;
  alg: SigningAlg;
  status: KeyStatus;
  /** When it became a signer: promoted_at, else the file's modification time. */
  since: number;
}

function readDir(dir: string): Entry[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')) : [];
  return files
    .map((f) => {
      const path = join(dir, f);
      const jwk = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
      if (jwk.status !== undefined && jwk.status !== 'next' && jwk.status !== 'active') {
        throw new Error(`key file ${path}: status must be "next" or "active"`);
      }
      const since = jwk.promoted_at ? Date.parse(jwk.promoted_at) : statSync(path).mtimeMs;
      return { jwk, alg: algOf(jwk, path), status: jwk.status ?? 'active', since };
    })
    .sort((a, b) => b.since - a.since || String(b.jwk.kid).localeCompare(String(a.jwk.kid)));
}

/** The keys in `dir` as a ring, or an error naming what is missing. */
async function readRing(dir: string, alg: SigningAlg): Promise<Omit<KeyRing, 'reload' | 'stop'> | null> {
  const entries = readDir(dir);
  const signer = entries.find((e) => e.alg === alg && e.status === 'active');
  if (!signer) return null;
  const verify = new Map<string, VerifyKey>();
  const publics: JWK[] = [];
  for (const { jwk, alg: keyAlg } of entries) {
    if (!jwk.kid || !jwk.d) throw new Error(`key file for ${jwk.kid ?? '?'} is not a private JWK with a kid`);
    const pub: JWK = Object.fromEntries(KEY_TYPES[keyAlg].publicMembers.map((m) => [m, jwk[m]]));
    verify.set(jwk.kid, { alg: keyAlg, key: (await importJWK({ ...pub, alg: keyAlg }, keyAlg)) as CryptoKey });
    publics.push({ ...pub, kid: jwk.kid, alg: keyAlg, use: 'sig' });
  }
  const priv: JWK = Object.fromEntries(
    [...KEY_TYPES[alg].publicMembers, 'd'].map((m) => [m, signer.jwk[m as keyof JWK]]),
  );
  return {
    signing: { kid: signer.jwk.kid!, alg, key: (await importJWK({ ...priv, alg }, alg)) as CryptoKey },
    verify,
    jwks: { keys: publics },
  };
}

/** Every key in `dir` with its state (`npm run keys -- list`). */
export async function listKeys(dir: string, alg: SigningAlg): Promise<KeyInfo[]> {
  const ring = await readRing(dir, alg);
  return readDir(dir).map((e) => ({
    kid: e.jwk.kid!,
    alg: e.alg,
    status: e.status,
    signing: ring?.signing.kid === e.jwk.kid,
  }));
}

/** The least time between two reads of the directory (an unknown kid asks for one). */
const RELOAD_MIN_MS = 1000;

/**
 * Loads every key in `dir`. The active key of `alg` promoted last signs; with `create`, an
 * active key of `alg` is made when there is none (first start, or JWT_ALG just changed in
 * development). With `reloadMs`, the directory is re-read that often (unref'd timer).
 */
export async function loadKeys(
  dir: string,
  opts: { create: boolean; alg?: SigningAlg; reloadMs?: number; reloadMinMs?: number; log?: (line: string) => void },
): Promise<KeyRing> {
  const alg = opts.alg ?? 'EdDSA';
  let first = await readRing(dir, alg);
  if (!first && opts.create) {
    await rotateKey(dir, alg);
    first = await readRing(dir, alg);
  }
  if (!first) {
    throw new Error(
      `no ${alg} signing key in ${dir} (JWT_ALG=${alg}): create one with \`npm run keys -- rotate\`, or promote one with \`npm run keys -- promote <kid>\``,
    );
  }
  const ring: KeyRing = { ...first };
  const log = opts.log ?? ((line: string) => console.error(line));
  let last = Date.now();
  let running: Promise<void> | null = null;
  ring.reload = () => {
    if (running) return running;
    if (Date.now() - last < (opts.reloadMinMs ?? RELOAD_MIN_MS)) return Promise.resolve();
    last = Date.now();
    running = readRing(dir, alg)
      .then((next) => {
        if (!next) throw new Error(`no active ${alg} key`);
        const changed =
          next.signing.kid !== ring.signing.kid ||
          next.verify.size !== ring.verify.size ||
          [...next.verify.keys()].some((k) => !ring.verify.has(k));
        if (!changed) return;
        ring.signing = next.signing;
        ring.verify = next.verify;
        ring.jwks = next.jwks;
        log(
          JSON.stringify({
            level: 'info',
            event: 'keys-reloaded',
            signing: next.signing.kid,
            keys: [...next.verify.keys()],
          }),
        );
      })
      .catch((e: unknown) => {
        // A half-copied directory or a mistake must not take signing down: keep what works.
        log(
          JSON.stringify({
            level: 'error',
            event: 'keys-reload-failed',
            dir,
            message: e instanceof Error ? e.message : String(e),
          }),
        );
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  if (opts.reloadMs && opts.reloadMs > 0) {
    const timer = setInterval(() => void ring.reload?.(), opts.reloadMs);
    timer.unref();
    ring.stop = () => clearInterval(timer);
  } else {
    ring.stop = () => {};
  }
  return ring;
}
