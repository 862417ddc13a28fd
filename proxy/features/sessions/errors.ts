import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of the refresh-token ledger. */
export const sessionErrors = {
  TOKEN: {
    status: 401,
    message: 'Your session has ended, sign in again',
    raisedBy: ['row', 'edge'],
    doc: 'Refresh token unknown, expired or revoked (`refresh`), or an invalid bearer access token (edge). Sign in again.',
  },
  REUSE: {
    status: 401,
    message: 'Your session has ended, sign in again',
    raisedBy: ['row'],
    doc: 'A rotated refresh token was replayed: the whole session was revoked (F2). Sign in again.',
  },
} as const satisfies ErrorTable;
