import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of anonymous sign-in. */
export const anonymousErrors = {
  ANOFF: {
    status: 403,
    message: 'Anonymous sign-in is not enabled',
    raisedBy: ['row'],
    doc: '`signInAnonymously` while `auth_config.anonymous_sign_in_enabled` is false (the default, Q4).',
  },
} as const satisfies ErrorTable;
