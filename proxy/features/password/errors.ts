import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of password sign-in, registration and password change. */
export const passwordErrors = {
  CREDS: {
    status: 401,
    message: 'Incorrect email or password',
    raisedBy: ['row', 'edge'],
    doc: 'Wrong email or password, no password, or a locked account: one answer for all (C4). `login` returns it in its result row so the failure counters commit (C5); `change_password` answers it for a wrong current password.',
  },
  RATEL: {
    status: 429,
    message: 'Too many attempts, try again later',
    raisedBy: ['row', 'sql'],
    doc: 'Too many failed logins for this address or account, or too many registrations (C6, C7). Wait and retry.',
  },
  WEAKP: {
    status: 400,
    message: 'Password does not meet the requirements',
    detailed: true,
    raisedBy: ['sql'],
    doc: 'The password breaks a rule of the policy in `auth_config` (`register`, `changePassword`, `resetPassword`); the message names the rule (SQL sends only its name: too_short, too_long, common, personal, reused, composition), never the password.',
    reasons: {
      too_short: 'Password is too short',
      too_long: 'Password is too long',
      common: 'Password is too common: it appears in lists of passwords attackers try first',
      personal: 'Password must not contain your email address or name',
      reused: 'Password was used recently: choose one you have not used before',
      composition: 'Password needs more kinds of characters (lower case, upper case, digits, symbols)',
    },
  },
  EMAIL: {
    status: 400,
    message: 'Invalid email address',
    raisedBy: ['sql'],
    doc: 'Not an email address we can mail: one @, a dot in the domain, no spaces, control characters or header syntax (`register`, `requestPasswordReset`, `requestSignInEmail`, `changeEmail`).',
  },
  EMTKN: {
    status: 409,
    message: 'An account with this email already exists',
    raisedBy: ['sql'],
    doc: 'The address was taken by another account between `changeEmail` and `confirmEmailChange`. (`register` never answers it: a taken address gets the same answer as a free one, M2.)',
  },
} as const satisfies ErrorTable;
