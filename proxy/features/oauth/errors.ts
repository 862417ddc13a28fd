import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of OAuth/OIDC sign-in and account linking. */
export const oauthErrors = {
  EMCOL: {
    status: 409,
    message: 'An account with this email exists: sign in to it and link this provider',
    raisedBy: ['row'],
    doc: "The provider's email belongs to an existing account: sign in and link (H1).",
  },
  IDLNK: {
    status: 409,
    message: 'This provider account is linked to another user',
    raisedBy: ['row'],
    doc: 'That provider account is linked to another user (H5).',
  },
  PRVLN: {
    status: 409,
    message: 'You already linked an account of this provider',
    raisedBy: ['row'],
    doc: 'You already linked an account of this provider (H5).',
  },
  DSBLD: {
    status: 403,
    message: 'This account is disabled',
    raisedBy: ['row'],
    doc: 'The account is disabled (`oauth_sign_in`).',
  },
  LASTM: {
    status: 409,
    message: 'This is your last way to sign in',
    raisedBy: ['sql'],
    doc: 'The provider is your last way to sign in (`unlink_provider`, H5).',
  },
  OAUTH: {
    status: 400,
    message: 'Sign-in with the provider failed',
    detailed: true,
    raisedBy: ['edge'],
    doc: 'The OAuth callback failed validation: transaction cookie, state, issuer, nonce, ID token (G2-G4).',
  },
  UPSTREAM: {
    status: 502,
    message: 'The identity provider did not answer correctly',
    raisedBy: ['edge'],
    doc: 'The provider failed or timed out (G7).',
  },
} as const satisfies ErrorTable;
