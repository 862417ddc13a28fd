/**
 * One error vocabulary for the edge. Every failure a client can see carries a `code` from
 * this closed union (the SQL side raises the same five-character codes; see
 * docs/error_codes.md). Anything else is masked as INTERNAL.
 */
export const ERROR_CODES = {
  // Raised by SQL functions (SQLSTATE) or returned in their result rows.
  LOGIN: 401, // a session is required
  CREDS: 401, // bad email/password (any reason)
  RATEL: 429, // too many attempts from this address
  TOKEN: 401, // refresh token unknown, expired or revoked
  REUSE: 401, // refresh token reuse: the session was revoked
  NTFND: 404, // no such object, or not visible to you
  DNIED: 403, // visible but not allowed
  LASTO: 409, // would remove the last owner
  WEAKP: 400, // password does not meet the policy
  EMAIL: 400, // invalid email address
  EMTKN: 409, // email already registered
  LASTM: 409, // would remove the last way to sign in
  EMCOL: 409, // OAuth email belongs to an existing account: sign in and link instead
  IDLNK: 409, // provider account already linked to another user
  PRVLN: 409, // you already linked an account of this provider
  DSBLD: 403, // account disabled
  OAUTH: 400, // the OAuth callback failed validation (state, issuer, nonce, ...)
  UPSTREAM: 502, // the identity provider failed or timed out
  // Raised by the edge itself.
  CSRF: 403, // missing or wrong X-CSRF-Token
  ORIGIN: 403, // cross-site request refused
  BADREQ: 400, // malformed request
  TOOBIG: 413, // body over the limit
  LIMIT: 400, // query depth/alias/auth-mutation limit
  UNAVAILABLE: 503, // database unreachable or overloaded
  INTERNAL: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

const MESSAGES: Record<ErrorCode, string> = {
  LOGIN: 'You must sign in',
  CREDS: 'Incorrect email or password',
  RATEL: 'Too many attempts, try again later',
  TOKEN: 'Your session has ended, sign in again',
  REUSE: 'Your session has ended, sign in again',
  NTFND: 'Not found',
  DNIED: 'Permission denied',
  LASTO: 'An owner must remain',
  WEAKP: 'Password does not meet the requirements (at least 10 characters)',
  EMAIL: 'Invalid email address',
  EMTKN: 'An account with this email already exists',
  LASTM: 'This is your last way to sign in',
  EMCOL: 'An account with this email exists: sign in to it and link this provider',
  IDLNK: 'This provider account is linked to another user',
  PRVLN: 'You already linked an account of this provider',
  DSBLD: 'This account is disabled',
  OAUTH: 'Sign-in with the provider failed',
  UPSTREAM: 'The identity provider did not answer correctly',
  CSRF: 'Missing or invalid CSRF token',
  ORIGIN: 'Cross-site request refused',
  BADREQ: 'Malformed request',
  TOOBIG: 'Request too large',
  LIMIT: 'Query exceeds the allowed limits',
  UNAVAILABLE: 'Service temporarily unavailable',
  INTERNAL: 'Internal error',
};

/** An error safe to show a client: a stable code, a fixed message, an HTTP status. */
export class AuthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? MESSAGES[code], { cause: options?.cause });
    this.name = 'AuthError';
    this.code = code;
    this.status = ERROR_CODES[code];
  }
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.hasOwn(ERROR_CODES, x);
}

// Connection-level failures (class 08, admin shutdown, lock timeout, too many connections).
const UNAVAILABLE_SQLSTATES = /^(08|57P0|55P03|53300|40001|40P01)/;

/**
 * Maps anything thrown while talking to Postgres to an AuthError: our registered SQLSTATEs
 * pass through with their fixed message, outages become UNAVAILABLE, the rest INTERNAL
 * (never SQL text, constraint or policy names: J3).
 */
export function toAuthError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (isErrorCode(code) && code !== 'INTERNAL') return new AuthError(code, { cause: err });
  if (typeof code === 'string' && UNAVAILABLE_SQLSTATES.test(code)) return new AuthError('UNAVAILABLE', { cause: err });
  const msg = String((err as Error | null)?.message ?? '');
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect/i.test(msg)) {
    return new AuthError('UNAVAILABLE', { cause: err });
  }
  if (code === '42501') return new AuthError('DNIED', { cause: err });
  if (code === '22P02' || code === '22021' || code === '23514' || code === '22001')
    return new AuthError('BADREQ', { cause: err });
  return new AuthError('INTERNAL', { cause: err });
}
