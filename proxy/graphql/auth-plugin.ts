/**
 * Login, registration, refresh, logout and session management as GraphQL mutations. The
 * logic is SQL (app_hidden.*); this plugin only moves values: it calls the function with
 * the request's own role and claims, turns result codes into errors after the transaction
 * has committed (so failure counters and reuse revocations persist: C5, F2), and asks the
 * edge to sign an access token and set cookies. Token values reach the response body only
 * for native clients that opted in (AuthRequest.bodyDelivery).
 */
import { extendSchema, gql } from 'postgraphile/utils';
import { context, lambda, object, sideEffect, SafeError, type Step } from 'postgraphile/grafast';
import { sideEffectWithPgClient } from 'postgraphile/@dataplan/pg';
import { AuthError, toAuthError, type ErrorCode } from '../errors.ts';
import type { AuthRequest, IssuedSession } from './context.ts';

type Row = Record<string, unknown>;
type Outcome = { error: ErrorCode } | { session: IssuedSession };

function safe(err: unknown): SafeError {
  if (err instanceof SafeError) return err;
  const e = toAuthError(err);
  return new SafeError(e.message, { code: e.code });
}

function requireAuth(auth: AuthRequest | undefined, credential = false): AuthRequest {
  if (!auth || (credential && !auth.canAuthenticate)) {
    throw new SafeError('Not available over this transport', { code: 'BADREQ' });
  }
  return auth;
}

function outcome(row: Row | undefined): Outcome {
  if (!row) return { error: 'INTERNAL' };
  if (row.error) return { error: row.error as ErrorCode };
  return { session: row as unknown as IssuedSession };
}

/** Signs and delivers after commit; errors become SafeErrors with a stable code. */
function deliver($outcome: Step<Outcome | Error>, $auth: Step<AuthRequest | undefined>) {
  const $issued = sideEffect([$outcome, $auth], async ([o, auth]) => {
    if (o instanceof Error) throw safe(o);
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
    };
  });
  return $issued;
}

export const AuthMutationsPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main!;
  // `credential`: the statement checks a password or token (refused over WebSockets).
  const call =
    (sql: string, args: (input: Row, auth: AuthRequest) => unknown[], credential = false) =>
    (input: Step, $auth: Step<AuthRequest | undefined>) =>
      sideEffectWithPgClient(executor, object({ input, auth: $auth }), async (client, { input, auth }) => {
        try {
          const a = requireAuth(auth as AuthRequest | undefined, credential);
          const { rows } = await client.query<Row>({ text: sql, values: args((input ?? {}) as Row, a) });
          return rows[0];
        } catch (e) {
          return e instanceof Error ? e : new Error(String(e));
        }
      });

  return {
    typeDefs: gql`
      input RegisterInput { email: String!, password: String!, name: String }
      input LoginInput { email: String!, password: String! }
      input RefreshInput {
        "Native clients only (X-Token-Delivery: body); browsers send the refresh cookie."
        refreshToken: String
      }
      input LogoutInput { refreshToken: String }
      input ChangePasswordInput { oldPassword: String!, newPassword: String! }
      input RevokeSessionInput { id: UUID! }
      """
      A new or rotated session. Browsers receive the tokens as HttpOnly cookies and the
      token fields are null; native clients that sent X-Token-Delivery: body get them here.
      """
      type AuthPayload {
        userId: UUID!
        sessionId: UUID!
        role: String!
        accessTokenExpiresAt: Datetime!
        accessToken: String
        refreshToken: String
      }
      type SuccessPayload { success: Boolean! }
      type RevokeSessionsPayload { count: Int! }
      extend type Mutation {
        "Create a password account and sign in."
        register(input: RegisterInput!): AuthPayload
        "Sign in with email and password."
        login(input: LoginInput!): AuthPayload
        "Rotate the refresh token and get a new access token."
        refresh(input: RefreshInput): AuthPayload
        "End this session."
        logout(input: LogoutInput): SuccessPayload
        "End every other session of yours."
        logoutOtherSessions: RevokeSessionsPayload
        "End one of your sessions."
        revokeSession(input: RevokeSessionInput!): RevokeSessionsPayload
        "Change your password (needs the current one); ends your other sessions."
        changePassword(input: ChangePasswordInput!): SuccessPayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          register(_$root, fieldArgs) {
            const $auth = context().get('auth');
            // One statement, so registration and the first session commit or fail together.
            const $row = call(
              `with u as (select app_hidden.register($1, $2, $3) as id)
               select r.* from u, app_hidden.login($1, $2, $4::inet, $5) r`,
              (i, a) => [i.email, i.password, i.name ?? null, a.ip, a.userAgent],
              true,
            )(fieldArgs.getRaw('input'), $auth);
            return deliver(
              lambda($row, (r) => (r instanceof Error ? r : outcome(r))),
              $auth,
            );
          },
          login(_$root, fieldArgs) {
            const $auth = context().get('auth');
            const $row = call(
              'select * from app_hidden.login($1, $2, $3::inet, $4)',
              (i, a) => [i.email, i.password, a.ip, a.userAgent],
              true,
            )(fieldArgs.getRaw('input'), $auth);
            return deliver(
              lambda($row, (r) => (r instanceof Error ? r : outcome(r))),
              $auth,
            );
          },
          refresh(_$root, fieldArgs) {
            const $auth = context().get('auth');
            const $row = call(
              'select * from app_hidden.refresh($1, $2::inet, $3, $4::uuid)',
              (i, a) => [
                a.bodyDelivery ? (i.refreshToken ?? null) : a.refreshCookie,
                a.ip,
                a.userAgent,
                a.bodyDelivery ? null : a.csrfSessionId,
              ],
              true,
            )(fieldArgs.getRaw('input'), $auth);
            return deliver(
              lambda($row, (r) => (r instanceof Error ? r : outcome(r))),
              $auth,
            );
          },
          logout(_$root, fieldArgs) {
            const $auth = context().get('auth');
            const $row = call('select app_hidden.logout($1, $2::uuid) as success', (i, a) => [
              a.bodyDelivery ? (i.refreshToken ?? null) : a.refreshCookie,
              a.bodyDelivery ? null : a.csrfSessionId,
            ])(fieldArgs.getRaw('input'), $auth);
            return sideEffect([$row, $auth], ([r, auth]) => {
              if (r instanceof Error) throw safe(r);
              auth?.clear();
              return { success: Boolean(r?.success) };
            });
          },
          logoutOtherSessions(_$root) {
            const $auth = context().get('auth');
            const $row = call('select app_hidden.revoke_sessions(null, true) as count', () => [])(
              lambda(null, () => ({})),
              $auth,
            );
            return lambda($row, (r) => {
              if (r instanceof Error) throw safe(r);
              return { count: Number(r?.count ?? 0) };
            });
          },
          revokeSession(_$root, fieldArgs) {
            const $auth = context().get('auth');
            const $row = call('select app_hidden.revoke_sessions($1, false) as count', (i) => [i.id])(
              fieldArgs.getRaw('input'),
              $auth,
            );
            return lambda($row, (r) => {
              if (r instanceof Error) throw safe(r);
              return { count: Number(r?.count ?? 0) };
            });
          },
          changePassword(_$root, fieldArgs) {
            const $auth = context().get('auth');
            const $row = call(
              'select app_hidden.change_password($1, $2) as success',
              (i) => [i.oldPassword, i.newPassword],
              true,
            )(fieldArgs.getRaw('input'), $auth);
            return lambda($row, (r) => {
              if (r instanceof Error) throw safe(r);
              if (!r?.success) throw safe(new AuthError('CREDS'));
              return { success: true };
            });
          },
        },
      },
    },
  };
});

/** Root mutation fields that try a credential; at most one per request (C6). */
export const CREDENTIAL_MUTATIONS = new Set(['register', 'login', 'refresh', 'changePassword']);
