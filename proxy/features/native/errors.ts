import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of app-initiated OAuth (RFC 8252) and ID-token sign-in (issue 15, Q1-Q2). */
export const nativeErrors = {
  GRANT: {
    status: 400,
    message: 'The authorization code is not valid',
    raisedBy: ['row'],
    doc: 'POST /auth/token `authorization_code`: unknown, used, expired, or another app, redirect URI or PKCE verifier (`native_code_exchange`; answered as RFC 6749 `invalid_grant`, Q1).',
  },
  IDTOKEN: {
    status: 401,
    message: 'The ID token was not accepted',
    raisedBy: ['edge'],
    doc: '`signInWithIdToken`: signature, issuer, audience, expiry or nonce did not verify (Q2). Get a new ID token with a new nonce.',
  },
  NATIVE: {
    status: 400,
    message: 'Unknown app or redirect URI, or PKCE S256 missing',
    raisedBy: ['edge'],
    doc: 'GET /auth/<provider>/start?client=...: the app is not registered, its redirect_uri is not one of its registered URIs, or code_challenge/code_challenge_method=S256 is missing (Q1). Not redirected to the app.',
  },
} as const satisfies ErrorTable;
