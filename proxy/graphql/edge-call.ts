/**
 * How the auth features' GraphQL mutations reach SQL. The logic is SQL (app_hidden.*); a
 * mutation only moves values: it calls one function in the request's transaction (as the
 * request role, or switched to the edge role for the edge's own entry points), turns result
 * codes into errors after the transaction has committed (so failure counters and reuse
 * revocations persist: C5, F2), and asks the edge to sign an access token and set cookies.
 * Token values reach the response body only for native clients that opted in.
 */
import { sideEffectWithPgClient } from 'postgraphile/@dataplan/pg';
import { type ExecutableStep, lambda, object, SafeError, type Step, sideEffect } from 'postgraphile/grafast';
import { BECOME_EDGE } from '../core/db.ts';
import { AuthError, type ErrorCode, toAuthError } from '../core/errors.ts';
import type { AuthRequest, IssuedSession } from '../core/request.ts';

export type Row = Record<string, unknown>;
type Outcome = { error: ErrorCode } | { session: IssuedSession };

/** A registered error to throw from a plan; anything unknown is thrown as it is, so
 * graphql/errors.ts masks it as INTERNAL and logs it with an error id. */
export function safe(err: unknown, auth?: AuthRequest): Error {
  if (err instanceof SafeError) return err;
  const e = toAuthError(err, { signedIn: Boolean(auth?.identity) });
  if (e.code === 'INTERNAL') return err instanceof Error ? err : e;
  return new SafeError(e.message, { code: e.code });
}

function requireAuth(auth: AuthRequest | undefined, credential = false): AuthRequest {
  if (!auth || (credential && !auth.canAuthenticate)) {
    throw new SafeError('Not available over this transport', { code: 'BADREQ' });
  }
  return auth;
}

export interface CallOptions {
  /** The statement checks a password or token: refused over WebSockets, one per request (C6). */
  credential?: boolean;
  /** One of the edge's entry points: run as the edge role (db/CONVENTIONS.md). */
  edge?: boolean;
}

/** A plan that runs `sql` once with values from the input and the request. */
export type Call = (input: Step, $auth: Step<AuthRequest | undefined>) => ExecutableStep<Row | Error | undefined>;

export function makeCall(
  executor: Parameters<typeof sideEffectWithPgClient>[0],
  sql: string,
  args: (input: Row, auth: AuthRequest) => unknown[],
  opts: CallOptions = {},
): Call {
  return (input, $auth) =>
    sideEffectWithPgClient(executor, object({ input, auth: $auth }), async (client, { input, auth }) => {
      try {
        const a = requireAuth(auth as AuthRequest | undefined, opts.credential);
        const values = args((input ?? {}) as Row, a);
        // Two statements in one transaction: the role switch must hold for the call.
        if (opts.edge) {
          return await client.withTransaction(async (tx) => {
            await tx.query({ text: BECOME_EDGE });
            return (await tx.query<Row>({ text: sql, values })).rows[0];
          });
        }
        return (await client.query<Row>({ text: sql, values })).rows[0];
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    });
}

function outcome(row: Row | Error | undefined): Outcome | Error {
  if (row instanceof Error) return row;
  if (!row) return { error: 'INTERNAL' };
  if (row.error) return { error: row.error as ErrorCode };
  return { session: row as unknown as IssuedSession };
}

/** Signs and delivers a session after commit; errors become SafeErrors with a stable code. */
export function deliver($row: Step<Row | Error | undefined>, $auth: Step<AuthRequest | undefined>) {
  return sideEffect([lambda($row, outcome), $auth], async ([o, auth]) => {
    if (o instanceof Error) throw safe(o, auth);
    if ('error' in o) {
      if (o.error === 'REUSE' || o.error === 'TOKEN') auth?.clear();
      throw safe(new AuthError(o.error));
    }
    const tokens = await requireAuth(auth).issue(o.session);
    const body = auth!.bodyDelivery;
    return {
      userId: o.session.user_id,
      sessionId: o.session.session_id,
      role: o.session.role,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
      accessToken: body ? tokens.accessToken : null,
      refreshToken: body ? tokens.refreshToken : null,
      // features/mfa: the session waits for a second factor (AuthPayload.mfaRequired).
      mfaRequired: Boolean(o.session.mfa_required),
      mfaFactors: o.session.mfa_required ? (o.session.mfa_factors ?? []) : null,
    };
  });
}

/** The result of a call that answers a count or a flag. */
export function resultOf<T>(
  $row: Step<Row | Error | undefined>,
  $auth: Step<AuthRequest | undefined>,
  f: (r: Row | undefined) => T,
) {
  return lambda([$row, $auth], ([r, auth]) => {
    if (r instanceof Error) throw safe(r, auth);
    return f(r);
  });
}
