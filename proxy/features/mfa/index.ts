/**
 * Multi-factor sign-in (issue 10): the GraphQL plugin, the trusted-device cookie reader that
 * the request's auth context uses at sign-in, and the SMS sender. Configured by
 * core/config.ts (cfg.mfa); the rules are SQL (db/migrations/committed/000009-multi-factor-authentication-and-passkeys.sql).
 */
import type { Config } from '../../core/config.ts';
import { deviceCookies } from './device-cookie.ts';
import { mfaCredentialMutations, mfaPlugin } from './plugin.ts';
import { smsSender } from './sms.ts';

export function mfaFeature(cfg: Config) {
  const devices = deviceCookies(cfg.csrfSecret, cfg.secureCookies);
  const plugin = mfaPlugin({
    secretKeys: cfg.mfa.secretKeys,
    totpIssuer: cfg.mfa.totpIssuer,
    site: new URL(cfg.publicOrigin).hostname,
    sms: smsSender(cfg.mfa.sms, cfg.production),
    devices,
  });
  return {
    plugin,
    credentialMutations: mfaCredentialMutations,
    /** For the auth context: the verified trusted-device token of a request's cookies. */
    trustedDevice: (cookies: Record<string, string>) => devices.read(cookies),
  };
}
