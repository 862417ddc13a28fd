/**
 * Impersonation over GraphQL (issue 12, O4). The admin API itself is SQL exposed by
 * PostGraphile (adminUsers, banUser, mergeUsers, ... in db/migrations/committed/000010-administration-and-webhooks.sql);
 * only the two mutations that start or end a session live here:
 *
 * - `impersonateUser(input: {userId, reason})`: app_hidden.impersonate_user (edge only) opens a
 *   time-limited session as the user whose row names the admin; it is delivered like a sign-in
 *   (cookies, or the body for native clients), and every access token of it carries
 *   `act: {sub: <admin>}` (session_claims). The admin's own session is left as it was.
 * - `stopImpersonating`: ends the impersonation session and clears its cookies.
 */
import { context, lambda, sideEffect } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { deliver, makeCall, safe } from '../../graphql/edge-call.ts';

export const AdminPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main!;
  const impersonate = makeCall(
    executor,
    'select * from app_hidden.impersonate_user($1::uuid, $2, $3::inet, $4)',
    (i, a) => [i.userId, i.reason, a.ip, a.userAgent],
    { credential: true, edge: true },
  );
  const stop = makeCall(executor, 'select app_hidden.stop_impersonating() as success', () => []);
  return {
    typeDefs: gql`
      input ImpersonateUserInput {
        userId: UUID!
        "Why (audited on both users)."
        reason: String!
      }
      extend type Mutation {
        """
        Admin: sign in as a user of a lower role for a limited time (auth_config.impersonation_ttl).
        Every access token of the session carries act.sub = you; SQL sees you in
        app_hidden.current_actor_id(). Needs admin:impersonate; audited on both users.
        """
        impersonateUser(input: ImpersonateUserInput!): AuthPayload
        "End the impersonation session you are in (NOIMP otherwise) and clear its cookies."
        stopImpersonating: SuccessPayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          impersonateUser(_$root, args) {
            const $auth = context().get('auth');
            return deliver(impersonate(args.getRaw('input'), $auth), $auth);
          },
          stopImpersonating() {
            const $auth = context().get('auth');
            const $row = stop(
              lambda(null, () => ({})),
              $auth,
            );
            return sideEffect([$row, $auth], ([r, auth]) => {
              if (r instanceof Error) throw safe(r, auth);
              auth?.clear();
              return { success: Boolean(r?.success) };
            });
          },
        },
      },
    },
  };
});

/** Root mutation fields that start a session (one per request, never over WebSockets: C6). */
export const adminCredentialMutations = ['impersonateUser'];
