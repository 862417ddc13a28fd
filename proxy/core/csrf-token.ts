/**
 * Signed double-submit CSRF tokens bound to the session (D2): `<sid>.<nonce>.<mac>` where
 * mac = HMAC-SHA256(secret, sid "." nonce). A request that rides on cookies must send
 * X-CSRF-Token equal to the csrf cookie, with a valid mac, for the session of its access
 * token. Sign-in issues a new token for the new session (D5); anonymous tokens use sid
 * "anon" and are only good for signing in (never for driving a refresh cookie).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';

const ANON = 'anon';

function mac(secret: Buffer, sid: string, nonce: string): string {
  return createHmac('sha256', secret).update(`${sid}.${nonce}`).digest('base64url');
}

export function issueCsrfToken(secret: Buffer, sessionId: string | null): string {
  const sid = sessionId ?? ANON;
  const nonce = randomBytes(18).toString('base64url');
  return `${sid}.${nonce}.${mac(secret, sid, nonce)}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks header against cookie and signature; returns the session id the token is bound to
 * ('anon' for anonymous), or null when invalid.
 */
export function verifyCsrf(secret: Buffer, cookie: string | undefined, header: string | undefined): string | null {
  if (!cookie || !header || !safeEqual(cookie, header)) return null;
  let cache = verified.get(secret);
  if (!cache) {
    cache = new LRUCache({ max: 10_000 });
    verified.set(secret, cache);
  }
  const known = cache.get(header);
  if (known) return known;
  const parts = header.split('.');
  if (parts.length !== 3) return null;
  const [sid, nonce, sig] = parts as [string, string, string];
  if (!(rings.get(secret) ?? [secret]).some((k) => safeEqual(sig, mac(k, sid, nonce)))) return null;
  cache.set(header, sid);
  return sid;
}

// Rotation (CSRF_SECRET lists several keys): the signing key, as passed around, stands for
// every key that verifies. Fixed once by the configuration; nothing else is module-level.
const rings = new WeakMap<Buffer, readonly Buffer[]>();

/** Returns `keys[0]` (the key that signs), which then also verifies tokens of the others. */
export function csrfKeyRing(keys: readonly Buffer[]): Buffer {
  const signing = keys[0];
  if (!signing) throw new Error('no CSRF key');
  rings.set(signing, [...keys]);
  return signing;
}

// Tokens whose MAC was already checked under this secret: a token is immutable, so the
// answer cannot change; the cookie/header equality is still checked on every request.
const verified = new WeakMap<Buffer, LRUCache<string, string>>();
