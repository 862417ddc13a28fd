// A7/H1: a plain OAuth 2 preset hands the sign-in an email only when its provider verified it,
// because a verified email is what domain rules trust (role_domain_rules).
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../proxy/features/oauth/providers.ts';

describe('A7: OAuth 2 presets keep only verified emails', () => {
  it('A7: Spotify and Facebook emails (not verified by the provider) are never used', () => {
    for (const name of ['spotify', 'facebook']) {
      expect(PRESETS[name]!.endpoints!.email?.({ id: '1', email: 'ceo@corp.test' }), name).toBeUndefined();
    }
  });

  it('A7: Discord keeps the email only when the account says it is verified', () => {
    const email = PRESETS.discord!.endpoints!.email!;
    expect(email({ id: '1', email: 'a@b.test', verified: false })).toBeUndefined();
    expect(email({ id: '1', email: 'a@b.test', verified: true })).toBe('a@b.test');
  });

  it('A7: GitHub reads the primary verified address from its emails endpoint', () => {
    expect(PRESETS.github!.endpoints!.emails).toMatch(/\/user\/emails$/);
  });
});
