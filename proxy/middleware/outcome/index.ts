/**
 * What GraphQL reported about this request (core/request.ts Outcome, filled by
 * graphql/errors.ts), acted on after it ran: a database outage becomes a 503 the client can
 * retry, cookies untouched (L1, F6); a request whose every field failed takes its error's
 * status; refused operations are audited once each, in their own
 * transaction, through the edge's entry point (K2), because the refused statement rolled
 * back with its request. Per request, on the context: no process-wide counters.
 */
import type { MiddlewareHandler } from 'hono';
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import { newOutcome } from '../../core/request.ts';
import { codePlain, type PlainError } from '../../graphql/errors.ts';

/** At most this many denials are recorded per request. */
const MAX_DENIALS = 5;

export function outcome(pool: pg.Pool, production: boolean): MiddlewareHandler {
  return async (c, next) => {
    const out = newOutcome();
    c.set('outcome', out);
    await next();
    // A document that did not parse or validate (400, before execution): code its errors.
    if (c.res.status === 400 && c.res.headers.get('content-type')?.includes('json')) {
      const payload = (await c.res.json()) as { errors?: PlainError[] };
      if (Array.isArray(payload.errors)) payload.errors = payload.errors.map((e) => codePlain(e, production));
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      c.res = new Response(JSON.stringify(payload), { status: 400, headers });
      return;
    }
    if (out.unavailable) {
      c.res = new Response(c.res.body, { status: 503, headers: c.res.headers });
      return;
    }
    // A request that achieved nothing answers its error's status (C9: invalid input is a 4xx);
    // partial results stay 200, as GraphQL over HTTP has it.
    if (out.status && c.res.status === 200)
      c.res = new Response(c.res.body, { status: out.status, headers: c.res.headers });
    const identity = c.get('auth')?.identity ?? null;
    for (const d of out.denials.slice(0, MAX_DENIALS)) {
      await asEdge(pool, identity, 'select app_hidden.record_denied($1, $2)', [d.field, d.code]).catch(() => {});
    }
  };
}
