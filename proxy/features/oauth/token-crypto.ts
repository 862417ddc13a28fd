/**
 * Provider tokens at rest (H3): AES-256-GCM with a random 96-bit IV, a key id, and the row
 * identity plus the column name as associated data, so a ciphertext moved to another row or
 * column fails to decrypt. Layout: iv (12) | tag (16) | ciphertext. Keys come from
 * OAUTH_TOKEN_KEYS="kid:base64key[,kid:base64key...]" (first encrypts, all decrypt), so a
 * new key can be added in front while old rows stay readable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TokenKeys {
  current: string;
  keys: Map<string, Buffer>;
}

export function parseTokenKeys(spec: string): TokenKeys {
  const keys = new Map<string, Buffer>();
  let current = '';
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [kid, b64] = part.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!kid || key.length !== 32) throw new Error('OAUTH_TOKEN_KEYS entries must be kid:base64(32 bytes)');
    keys.set(kid, key);
    current ||= kid;
  }
  if (!current) throw new Error('OAUTH_TOKEN_KEYS is empty');
  return { current, keys };
}

/** Production requires OAUTH_TOKEN_KEYS (`spec`); development keeps a generated key on disk. */
export function loadTokenKeys(spec: string | undefined, production: boolean, devFile: string): TokenKeys {
  if (spec) return parseTokenKeys(spec);
  if (production) throw new Error('OAUTH_TOKEN_KEYS is required in production when providers are configured');
  if (!existsSync(devFile)) {
    mkdirSync(dirname(devFile), { recursive: true });
    writeFileSync(devFile, `dev1:${randomBytes(32).toString('base64')}`, { mode: 0o600 });
  }
  return parseTokenKeys(readFileSync(devFile, 'utf8'));
}

const aad = (rowId: string, column: string) => Buffer.from(`${rowId}\u0000${column}`);

export function encryptToken(k: TokenKeys, rowId: string, column: string, plaintext: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k.keys.get(k.current)!, iv);
  cipher.setAAD(aad(rowId, column));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

/** Throws if the key is unknown or the ciphertext, row or column do not match. */
export function decryptToken(k: TokenKeys, keyId: string, rowId: string, column: string, blob: Buffer): string {
  const key = k.keys.get(keyId);
  if (!key) throw new Error(`unknown token key ${keyId}`);
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
  decipher.setAAD(aad(rowId, column));
  decipher.setAuthTag(blob.subarray(12, 28));
  return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
}

/** The row identity used as associated data: the identity's natural key. */
export const identityRowId = (issuer: string, subject: string) => `${issuer}|${subject}`;
