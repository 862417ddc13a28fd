import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of multi-factor sign-in (TOTP, SMS, recovery codes, trusted devices, step-up). */
export const mfaErrors = {
  MFAEX: {
    status: 401,
    message: 'The second-factor challenge has expired: sign in again',
    raisedBy: ['row'],
    doc: 'A session pending MFA gets its second factor within `auth_config.mfa_challenge_ttl` (5 minutes) of signing in (N5); after that only sign-out helps.',
  },
} as const satisfies ErrorTable;
