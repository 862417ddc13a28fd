// Rotating the CSRF key across instances (issue 18): CSRF_SECRET lists several keys, the
// first signs and every one verifies, so instances can be moved to a new key one by one.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../proxy/core/config.ts';
import { issueCsrfToken, verifyCsrf } from '../../proxy/core/csrf-token.ts';

const OLD = 'ab'.repeat(32);
const NEW = 'ef'.repeat(32);
const cfg = (CSRF_SECRET: string) => loadConfig({ CSRF_SECRET });
const SID = '00000000-0000-4000-8000-000000000001';

describe('D2: CSRF key rotation', () => {
  it('D2: with "new,old" tokens of both keys verify and new ones are signed with the first', () => {
    const before = cfg(OLD);
    const during = cfg(`${NEW},${OLD}`);
    const oldToken = issueCsrfToken(before.csrfSecret, SID);
    const newToken = issueCsrfToken(during.csrfSecret, SID);
    expect(during.csrfSecrets.map((b) => b.toString('hex'))).toEqual([NEW, OLD]);
    expect(verifyCsrf(during.csrfSecret, oldToken, oldToken)).toBe(SID);
    expect(verifyCsrf(during.csrfSecret, newToken, newToken)).toBe(SID);
    // Signed with the new key: an instance still on the old key alone refuses it.
    expect(verifyCsrf(before.csrfSecret, newToken, newToken)).toBeNull();
  });

  it('D2: once the old key is dropped, its tokens are refused', () => {
    const oldToken = issueCsrfToken(cfg(OLD).csrfSecret, SID);
    const after = cfg(NEW);
    expect(verifyCsrf(after.csrfSecret, oldToken, oldToken)).toBeNull();
  });

  it('D2: every listed key must be 64+ hex characters', () => {
    expect(() => cfg(`${NEW},short`)).toThrow(/CSRF_SECRET/);
    expect(() => cfg(`${NEW},`)).toThrow(/CSRF_SECRET/);
  });
});
