/**
 * Sessions over GraphQL: refresh (rotate the refresh token, new access token), logout,
 * logoutOtherSessions, revokeSession, and the payload types the sign-in features share.
 * The ledger is SQL: app_hidden.refresh / logout / revoke_sessions.
 */
import { context, lambda, sideEffect } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { deliver, makeCall, resultOf, safe } from '../../graphql/edge-call.ts';
import type { AuthRequest } from '../../core/request.ts';

/** Browsers send the refresh cookie; native clients (body delivery) send the token. */
const refreshTokenOf = (i: Record<string, unknown>, a: AuthRequest) =>
  a.bodyDelivery ? (i.refreshToken ?? null) : a.refreshCookie;
const csrfSessionOf = (a: AuthRequest) => (a.bodyDelivery ? null : a.csrfSessionId);

export const SessionsPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main!;
  const refresh = makeCall(
    executor,
    'select * from app_hidden.refresh($1, $2::inet, $3, $4::uuid)',
    (i, a) => [refreshTokenOf(i, a), a.ip, a.userAgent, csrfSessionOf(a)],
    { credential: true, edge: true },
  );
  const logout = makeCall(
    executor,
    'select app_hidden.logout($1, $2::uuid) as success',
    (i, a) => [refreshTokenOf(i, a), csrfSessionOf(a)],
    { edge: true },
  );
  const revokeOthers = makeCall(executor, 'select app_hidden.revoke_sessions(null, true) as count', () => []);
  const revokeOne = makeCall(executor, 'select app_hidden.revoke_sessions($1, false) as count', (i) => [i.id]);
  return {
    typeDefs: gql`
      input RefreshInput {
        "Native clients only (X-Token-Delivery: body); browsers send the refresh cookie."
        refreshToken: String
      }
      input LogoutInput { refreshToken: String }
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
        "Rotate the refresh token and get a new access token."
        refresh(input: RefreshInput): AuthPayload
        "End this session."
        logout(input: LogoutInput): SuccessPayload
        "End every other session of yours."
        logoutOtherSessions: RevokeSessionsPayload
        "End one of your sessions."
        revokeSession(input: RevokeSessionInput!): RevokeSessionsPayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          refresh(_$root, args) {
            const $auth = context().get('auth');
            return deliver(refresh(args.getRaw('input'), $auth), $auth);
          },
          logout(_$root, args) {
            const $auth = context().get('auth');
            return sideEffect([logout(args.getRaw('input'), $auth), $auth], ([r, auth]) => {
              if (r instanceof Error) throw safe(r, auth);
              auth?.clear();
              return { success: Boolean(r?.success) };
            });
          },
          logoutOtherSessions() {
            const $auth = context().get('auth');
            return resultOf(
              revokeOthers(
                lambda(null, () => ({})),
                $auth,
              ),
              $auth,
              (r) => ({ count: Number(r?.count ?? 0) }),
            );
          },
          revokeSession(_$root, args) {
            const $auth = context().get('auth');
            return resultOf(revokeOne(args.getRaw('input'), $auth), $auth, (r) => ({ count: Number(r?.count ?? 0) }));
          },
        },
      },
    },
  };
});

/** Root mutation fields of this feature that try a credential (at most one per request: C6). */
export const sessionCredentialMutations = ['refresh'];
