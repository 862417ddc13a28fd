import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of the device authorization grant (the device itself gets RFC 8628 error bodies). */
export const deviceErrors = {
  DVCOD: {
    status: 400,
    message: 'This code is invalid or has expired',
    raisedBy: ['row'],
    doc: 'The user code entered at `/auth/device` or given to `approveDevice` is unknown, expired or already decided. Each wrong code counts against the guessing limits (Q3: `RATEL` beyond them, even for a right code).',
  },
} as const satisfies ErrorTable;
