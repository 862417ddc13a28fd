import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of the email flows (verification, reset, sign-in by link or code, email change). */
export const emailErrors = {
  EMTOK: {
    status: 400,
    message: 'This link or code is invalid or has expired',
    raisedBy: ['row'],
    doc: 'A mailed token or 6-digit code is unknown, used, expired, revoked (a newer one was used, the password or the address changed) or, for a code, tried too often (M1, M5). Ask for a new mail.',
  },
  PWEXP: {
    status: 401,
    message: 'Your password has expired: reset it by email',
    raisedBy: ['row'],
    doc: 'The right password, older than `auth_config.password_max_age` (opt-in, off by default): `login` refuses it; ask for `requestPasswordReset`.',
  },
} as const satisfies ErrorTable;
