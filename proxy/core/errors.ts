/**
 * The one registry of error codes a client can see (docs/error_codes.md is generated from
 * it: `npm run docs:errors`; test/meta/error-codes.test.ts keeps both honest against the
 * migrations). Each feature declares its own codes in `features/<name>/errors.ts`; the codes
 * below belong to the edge and the authorization core. Every failure reaches the client as
 * an AuthError: a registered code, that code's one message, an HTTP status. Anything else is
 * masked as INTERNAL with a random error id that is logged (J3).
 */
import { adminErrors } from '../features/admin/errors.ts';
import { anonymousErrors } from '../features/anonymous/errors.ts';
import { deviceErrors } from '../features/device/errors.ts';
import { emailErrors } from '../features/email/errors.ts';
import { mfaErrors } from '../features/mfa/errors.ts';
import { nativeErrors } from '../features/native/errors.ts';
import { oauthErrors } from '../features/oauth/errors.ts';
import { passkeyErrors } from '../features/passkeys/errors.ts';
import { passwordErrors } from '../features/password/errors.ts';
import { permissionErrors } from '../features/permissions/errors.ts';
import { realtimeErrors } from '../features/realtime/errors.ts';
import { sessionErrors } from '../features/sessions/errors.ts';
import { webhookErrors } from '../features/webhooks/errors.ts';
import type { ErrorSpec, ErrorTable } from './error-spec.ts';

const coreErrors = {
  LOGIN: {
    status: 401,
    message: 'You must sign in',
    raisedBy: ['sql', 'row', 'edge'],
    doc: 'A live session is required: no access token, an expired one (call `refresh`), or an operation the anonymous role may not run (also returned by `oauth_sign_in` when a link has no session).',
  },
  NTFND: {
    status: 404,
    message: 'Not found',
    raisedBy: ['sql', 'edge'],
    doc: 'No such object, or one you cannot see: the two are indistinguishable (I1, I2). Also an update or delete that matched no visible row.',
  },
  DNIED: {
    status: 403,
    message: 'Permission denied',
    raisedBy: ['sql', 'edge'],
    doc: 'You are signed in but may not do this (e.g. a viewer sharing, a table your role cannot write).',
  },
  LASTO: {
    status: 409,
    message: 'An owner must remain',
    raisedBy: ['sql'],
    doc: 'The creator or last owner of a document cannot be removed or demoted (I2).',
  },
  AUDIT: {
    status: 403,
    message: 'Audit rows cannot be changed',
    raisedBy: ['sql'],
    doc: 'Audit rows are append-only (K1); request roles cannot even reach the trigger that raises it.',
  },
  CSRF: {
    status: 403,
    message: 'Missing or invalid CSRF token',
    raisedBy: ['edge'],
    doc: 'Missing, mismatched or foreign X-CSRF-Token on a request that carries cookies (D2). Get one from `GET /auth/csrf`.',
  },
  ORIGIN: {
    status: 403,
    message: 'Cross-site request refused',
    raisedBy: ['edge'],
    doc: 'Origin or Sec-Fetch-Site names a site that is not allowed (D4).',
  },
  BADREQ: {
    status: 400,
    message: 'Malformed request',
    detailed: true,
    raisedBy: ['edge'],
    doc: 'Malformed request or input: content type, GET for GraphQL, invalid encoding or NUL bytes, a value the database refuses (check, length, format), a bad cursor (C9).',
  },
  BADRQ: {
    status: 400,
    message: 'Malformed request',
    raisedBy: ['sql'],
    doc: "An edge-only function refused a malformed argument (e.g. `record_denied`'s field name or code); SQLSTATEs have five characters, so SQL cannot raise `BADREQ`. Never expected by a client.",
  },
  TOOBIG: { status: 413, message: 'Request too large', raisedBy: ['edge'], doc: 'Body over `BODY_LIMIT_BYTES`.' },
  LIMIT: {
    status: 400,
    message: 'Query exceeds the allowed limits',
    detailed: true,
    raisedBy: ['edge'],
    doc: 'Depth, breadth, alias, cost, page-size, nesting or one-credential-mutation limit, or a statement that ran past `STATEMENT_TIMEOUT_MS` (J2, C6).',
  },
  GQLVAL: {
    status: 400,
    message: 'Invalid GraphQL document',
    detailed: true,
    raisedBy: ['edge'],
    doc: 'The document does not parse or does not validate against the schema (unknown field or argument, wrong variable type, invalid literal); the message says which.',
  },
  TRUSTED: {
    status: 403,
    message: 'Only trusted documents are accepted',
    raisedBy: ['edge'],
    doc: 'Production with `GRAPHQL_TRUSTED_DOCUMENTS`: the request sent a document as text, or a `documentId` (or `extensions.persistedQuery.sha256Hash`) that is not in the allow-list, or a text that differs from the document of its id. Send the hash of a document built with the client.',
  },
  UNAVAILABLE: {
    status: 503,
    message: 'Service temporarily unavailable',
    raisedBy: ['edge'],
    doc: 'Database unreachable, lock timeout or overload (L1, F6). Retry; cookies are left untouched.',
  },
  INTERNAL: {
    status: 500,
    message: 'Internal error',
    raisedBy: ['edge'],
    doc: 'Anything else. `extensions.errorId` matches a server log line; no detail reaches the client (J3).',
  },
} as const satisfies ErrorTable;

/** Every registered code: the core's and each feature's. */
export const ERRORS = {
  ...coreErrors,
  ...passwordErrors,
  ...passkeyErrors,
  ...sessionErrors,
  ...oauthErrors,
  ...emailErrors,
  ...permissionErrors,
  ...mfaErrors,
  ...nativeErrors,
  ...deviceErrors,
  ...anonymousErrors,
  ...realtimeErrors,
  ...adminErrors,
  ...webhookErrors,
} as const;
export type ErrorCode = keyof typeof ERRORS;
/** The feature that declares each code (for docs/error_codes.md). */
export const ERROR_OWNERS: Record<string, ErrorTable> = {
  core: coreErrors,
  password: passwordErrors,
  passkeys: passkeyErrors,
  sessions: sessionErrors,
  oauth: oauthErrors,
  email: emailErrors,
  permissions: permissionErrors,
  mfa: mfaErrors,
  native: nativeErrors,
  device: deviceErrors,
  anonymous: anonymousErrors,
  realtime: realtimeErrors,
  admin: adminErrors,
  webhooks: webhookErrors,
};

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.hasOwn(ERRORS, x);
}

export function errorSpec(code: ErrorCode): ErrorSpec {
  return ERRORS[code];
}

/** An error safe to show a client: a stable code, that code's message, an HTTP status. */
export class AuthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Set for INTERNAL: the id logged with the real error. */
  errorId?: string;
  /** `message` is kept only for codes registered as `detailed` (edge text, never SQL text). */
  constructor(code: ErrorCode, options?: { cause?: unknown; message?: string }) {
    const spec: ErrorSpec = ERRORS[code];
    super(spec.detailed && options?.message ? options.message : spec.message, { cause: options?.cause });
    this.name = 'AuthError';
    this.code = code;
    this.status = spec.status;
  }
}

// Connection-level failures (class 08, admin shutdown, lock timeout, too many connections,
// serialization failures, PgBouncer's "server conn crashed" family).
const UNAVAILABLE_SQLSTATES = /^(08|57P0|57P1|57P2|57P3|55P03|53300|53400|40001|40P01)/;
const UNAVAILABLE_MESSAGES =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|server conn crashed|terminating connection/i;
// Input the database refused as invalid: bad encoding/NUL, bad text representation, string
// too long, numeric out of range, not-null/check/unique/foreign-key/exclusion violations,
// invalid datetime, array subscript and similar data exceptions (class 22, class 23).
const BAD_INPUT_SQLSTATES = /^(22|23)/;

export interface ErrorContext {
  /** The caller has a verified session: 42501 means DNIED for them, LOGIN for anonymous. */
  signedIn?: boolean;
}

/**
 * Maps anything thrown while talking to Postgres to an AuthError: registered codes pass
 * through with their one message, outages become UNAVAILABLE, refused privileges DNIED (or
 * LOGIN when not signed in), refused input BADREQ, runaway statements LIMIT; the rest
 * INTERNAL (never SQL text, constraint or policy names: J3).
 */
export function toAuthError(err: unknown, ctx: ErrorContext = {}): AuthError {
  if (err instanceof AuthError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (isErrorCode(code) && code !== 'INTERNAL') {
    // A code with `reasons` takes the edge's message for the word SQL put in DETAIL (WEAKP).
    const reasons: Readonly<Record<string, string>> | undefined = (ERRORS[code] as ErrorSpec).reasons;
    const detail = (err as { detail?: unknown }).detail;
    const message =
      reasons && typeof detail === 'string' && Object.hasOwn(reasons, detail) ? reasons[detail] : undefined;
    return new AuthError(code, { cause: err, message });
  }
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.test(code)) return new AuthError('UNAVAILABLE', { cause: err });
    if (code === '42501') return new AuthError(ctx.signedIn ? 'DNIED' : 'LOGIN', { cause: err });
    if (BAD_INPUT_SQLSTATES.test(code)) return new AuthError('BADREQ', { cause: err });
    if (code === '57014') return new AuthError('LIMIT', { cause: err, message: 'The query took too long' });
    if (code === '54001') return new AuthError('LIMIT', { cause: err, message: 'The query is too complex' });
  }
  const msg = String((err as Error | null)?.message ?? '');
  if (UNAVAILABLE_MESSAGES.test(msg)) return new AuthError('UNAVAILABLE', { cause: err });
  if (err instanceof RangeError && /call stack/i.test(msg)) {
    return new AuthError('LIMIT', { cause: err, message: 'The document is nested too deeply' });
  }
  return new AuthError('INTERNAL', { cause: err });
}
