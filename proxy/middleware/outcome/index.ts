/**
 * What GraphQL reported about this request (core/request.ts Outcome, filled by
 * graphql/errors.ts), acted on after it ran: a database outage becomes a 503 the client can
 * retry, cookies untouched (L1, F6); a request whose every field failed takes its error's
 * status; a document that did not parse or validate has its errors coded; refused operations
 * are audited once each, in their own transaction, through the edge's entry point (K2),
 * because the refused statement rolled back with its request. Per request: no process-wide
 * counters.
 */
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import type { Identity, Outcome } from '../../core/request.ts';
import { codePlain, type PlainError } from '../../graphql/errors.ts';

/** At most this many denials are recorded per request. */
const MAX_DENIALS = 5;

/** What the client gets. */
export interface Settled {
  status: number;
  /** A new body (a 400 whose errors were coded), else undefined: the body stands. */
  body?: string;
  /** Whether the request ran, so its refusals are audited (recordDenials). */
  audit: boolean;
}

/**
 * The status the client gets for GraphQL's `status`. `json` returns the body when it is JSON
 * (else null); it is read only for a 400: a document that did not parse or validate, whose
 * errors are coded here.
 */
export function settleOutcome(out: Outcome, status: number, json: () => string | null, production: boolean): Settled {
  if (status === 400) {
    const text = json();
    if (text !== null) {
      const payload = JSON.parse(text) as { errors?: PlainError[] };
      if (Array.isArray(payload.errors)) payload.errors = payload.errors.map((e) => codePlain(e, production));
      return { status: 400, body: JSON.stringify(payload), audit: false };
    }
  }
  if (out.unavailable) return { status: 503, audit: false };
  // A request that achieved nothing answers its error's status (C9: invalid input is a 4xx);
  // partial results stay 200, as GraphQL over HTTP has it.
  return { status: out.status && status === 200 ? out.status : status, audit: true };
}

/** Audits the request's refused operations (K2), as its caller; failures to audit are ignored. */
export async function recordDenials(pool: pg.Pool, identity: Identity | null, out: Outcome): Promise<void> {
  for (const d of out.denials.slice(0, MAX_DENIALS)) {
    await asEdge(pool, identity, 'select app_hidden.record_denied($1, $2)', [d.field, d.code]).catch(() => {});
  }
}
