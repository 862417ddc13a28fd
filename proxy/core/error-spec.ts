/**
 * The shape of an error-registry entry. Each feature declares its codes in its own
 * `errors.ts` (a table of these); proxy/core/errors.ts composes them into the one registry.
 */
export type RaisedBy =
  /** `raise ... using errcode = 'CODE'` in a migration */
  | 'sql'
  /** returned in a function's result row (`error` column), so the transaction commits */
  | 'row'
  /** thrown by the edge (TypeScript) */
  | 'edge';

export interface ErrorSpec {
  /** HTTP status when the error decides the response (edge errors, 503s; see docs/error_codes.md). */
  status: number;
  /** The one message a client sees for this code, whichever path raised it. */
  message: string;
  /** When the code is raised with a message of the edge's own (never SQL text) that is kept. */
  detailed?: boolean;
  raisedBy: readonly RaisedBy[];
  /** For `detailed` SQL codes: the message for each word SQL may put in the exception's
   * DETAIL (a closed vocabulary; the text is the edge's, never SQL's). */
  reasons?: Readonly<Record<string, string>>;
  /** When a client gets it and what to do, for docs/error_codes.md. */
  doc: string;
}

export type ErrorTable = Record<string, ErrorSpec>;
