/**
 * Typed errors: every failure the client reports is an AuthClientError whose `code` is one
 * of the edge's registered codes (client/src/codes.ts, generated from the edge's registry)
 * or NETWORK when no answer arrived.
 */
import { ERROR_CODES, type ErrorCode } from './codes.ts';

export { ERROR_CODES, type ErrorCode };

/** A GraphQL error as the edge sends it. */
export interface GraphQLErrorLike {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export type ClientErrorCode = ErrorCode | 'NETWORK';

export class AuthClientError extends Error {
  override readonly name = 'AuthClientError';
  constructor(
    /** The edge's code (`extensions.code`), or NETWORK when the request got no answer. */
    readonly code: ClientErrorCode,
    message: string,
    /** The HTTP status of the response (0 for NETWORK). */
    readonly status = 0,
    /** Every GraphQL error of the response. */
    readonly errors: readonly GraphQLErrorLike[] = [],
  ) {
    super(message);
  }
}

/** True when `code` is one the edge registers (a code from a newer edge is INTERNAL here). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** The first error of a response as an AuthClientError. */
export function toClientError(errors: readonly GraphQLErrorLike[], status: number): AuthClientError {
  const first = errors[0];
  const raw = first?.extensions?.code;
  const code: ErrorCode = isErrorCode(raw) ? raw : 'INTERNAL';
  return new AuthClientError(code, first?.message ?? ERROR_CODES[code].message, status, errors);
}
