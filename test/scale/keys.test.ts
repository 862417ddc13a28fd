// Rolling key rotation without restarts (issue 18): an instance re-reads its key directory,
// at once when a token names a key it does not know, and a retired key's tokens stop
// verifying even when their verification was cached (E1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { addKey, listKeys, loadKeys, promoteKey, retireKey, rotateKey } from '../../proxy/core/keys.ts';
import { signAccessToken, verifyAccessToken } from '../../proxy/core/tokens.ts';

const s = { issuer: 'https://scale.example', audience: 'pgauth', ttlSeconds: 300 };
const claims = {
  sub: '00000000-0000-4000-8000-000000000001',
  sid: '00000000-0000-4000-8000-000000000002',
  role: 'app_user' as const,
};
const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'pgauth-keys-'));
  dirs.push(d);
  return d;
};
const quiet = { log: () => {}, reloadMinMs: 0 };
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('E1: rolling key rotation', () => {
  it('E1: an added key verifies but does not sign until promoted; `retire` refuses the signer', async () => {
    const d = dir();
    const first = await rotateKey(d);
    const next = await addKey(d);
    const ring = await loadKeys(d, { create: false, ...quiet });
    expect(ring.signing.kid).toBe(first);
    expect([...ring.verify.keys()].sort()).toEqual([first, next].sort());
    expect(ring.jwks.keys.map((k) => k.kid).sort()).toEqual([first, next].sort());
    expect(await listKeys(d, 'EdDSA')).toContainEqual({ kid: next, alg: 'EdDSA', status: 'next', signing: false });
    promoteKey(d, next);
    await ring.reload!();
    expect(ring.signing.kid).toBe(next);
    await expect(retireKey(d, next, 'EdDSA')).rejects.toThrow(/signs/);
  });

  it('E1: a token naming a key this instance has not loaded yet verifies after an immediate reload', async () => {
    const d = dir();
    await rotateKey(d);
    const here = await loadKeys(d, { create: false, ...quiet });
    // Another instance publishes and promotes a key, then signs with it.
    const kid = await addKey(d);
    promoteKey(d, kid);
    const there = await loadKeys(d, { create: false, ...quiet });
    const token = await signAccessToken(there, s, claims);
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    expect(here.verify.has(kid)).toBe(false);
    expect(await verifyAccessToken(here, s, token)).toMatchObject({ sid: claims.sid });
    expect(here.signing.kid).toBe(kid);
  });

  it('E1: once a key is retired and the directory re-read, its tokens are refused, cached verifications included', async () => {
    const d = dir();
    const old = await rotateKey(d);
    const ring = await loadKeys(d, { create: false, ...quiet });
    const token = await signAccessToken(ring, s, claims);
    expect(await verifyAccessToken(ring, s, token)).not.toBeNull(); // now cached
    const kid = await addKey(d);
    promoteKey(d, kid);
    await ring.reload!();
    expect(await verifyAccessToken(ring, s, token)).not.toBeNull(); // old key still listed
    await retireKey(d, old, 'EdDSA');
    await ring.reload!();
    expect(ring.verify.has(old)).toBe(false);
    expect(await verifyAccessToken(ring, s, token)).toBeNull();
  });

  it('E1: a directory that does not load keeps the keys in use', async () => {
    const d = dir();
    const kid = await rotateKey(d);
    const lines: string[] = [];
    const ring = await loadKeys(d, { create: false, log: (l) => lines.push(l), reloadMinMs: 0 });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(d, 'broken.json'), '{ not json');
    await ring.reload!();
    expect(ring.signing.kid).toBe(kid);
    expect(lines.join('\n')).toMatch(/keys-reload-failed/);
  });
});
