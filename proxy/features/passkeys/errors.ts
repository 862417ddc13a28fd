import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of passkeys (WebAuthn registration and sign-in; N8). */
export const passkeyErrors = {
  PKCHL: {
    status: 400,
    message: 'This passkey challenge is unknown, used or expired: start again',
    raisedBy: ['row'],
    doc: 'The response answers no pending challenge of this session (registration, second factor) or of this `challengeId` (first factor): it was used already (each challenge once, whatever the outcome), it expired (5 minutes), or it belongs to another session (N8). Call the start mutation again.',
  },
  PKREF: {
    status: 401,
    message: 'This passkey cannot be used here',
    raisedBy: ['row'],
    doc: "An unknown credential, another user's credential (a sign-in started with an email or a second factor accepts only that user's), a disabled user, or registering a credential that is registered already (N8). Audited.",
  },
  PKCTR: {
    status: 401,
    message: 'This passkey cannot be used here',
    raisedBy: ['row'],
    doc: "The authenticator's signature counter did not move forward: the key may have been cloned (N8). Refused and audited (`passkey_counter_regression`); the same message as PKREF for the client.",
  },
  PASSKEY: {
    status: 401,
    message: 'The passkey response could not be verified',
    raisedBy: ['edge'],
    doc: 'The WebAuthn response failed verification at the edge: signature, origin (must be `PUBLIC_ORIGIN`), RP ID (its hostname), user verification when `PASSKEY_USER_VERIFICATION=required`, or a user handle of another user (N8). Audited; the challenge is spent.',
  },
} as const satisfies ErrorTable;
