import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of multi-factor sign-in (TOTP, SMS, recovery codes, trusted devices, step-up). */
export const mfaErrors = {
  MFAEX: {
    status: 401,
    message: 'The second-factor challenge has expired: sign in again',
    raisedBy: ['sql', 'row'],
    doc: 'A session pending MFA gets its second factor within `auth_config.mfa_challenge_ttl` (5 minutes) of signing in (N5); after that only sign-out helps.',
  },
  MFAIN: {
    status: 401,
    message: 'Invalid code',
    raisedBy: ['row'],
    doc: 'A wrong, expired or already used second-factor code (TOTP, SMS or recovery code: N2). Each attempt counts against the factor and the account (N3); the user is mailed a notice.',
  },
  MFARQ: {
    status: 403,
    message: 'Verify a second factor first',
    raisedBy: ['sql'],
    doc: 'Step-up needed (N6): removing a factor, regenerating recovery codes, changing email or password, enrolling another factor or trusting a device needs an aal2 session: call `verifyMfa` (or `useRecoveryCode`) in this session first.',
  },
  PHONE: {
    status: 400,
    message: 'Invalid phone number',
    raisedBy: ['sql'],
    doc: 'Phone numbers are E.164: `+` and 7 to 15 digits (`+15551234567`) (N9).',
  },
} as const satisfies ErrorTable;
