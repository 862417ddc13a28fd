/**
 * Anonymous users over GraphQL: `signInAnonymously` creates a user with no email and signs it
 * in (SQL: app_hidden.sign_in_anonymously, edge only; off unless
 * auth_config.anonymous_sign_in_enabled, limited per address: Q4). The user later keeps its
 * id by registering (`register` while signed in anonymously) or by linking a provider.
 */
import { constant, context } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { deliver, makeCall } from '../../graphql/edge-call.ts';

export const AnonymousPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main!;
  const signIn = makeCall(
    executor,
    'select * from app_hidden.sign_in_anonymously($1::inet, $2)',
    (_i, a) => [a.ip, a.userAgent],
    { credential: true, edge: true },
  );
  return {
    typeDefs: gql`
      extend type Mutation {
        """
        Sign in as a new anonymous user (no email; tokens say is_anonymous: true). Off unless
        enabled in auth_config (ANOFF). Register or link a provider later to keep the user.
        """
        signInAnonymously: AuthPayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          signInAnonymously() {
            const $auth = context().get('auth');
            return deliver(signIn(constant(null), $auth), $auth);
          },
        },
      },
    },
  };
});

/** Root mutation fields of this feature that sign in (at most one per request: C6). */
export const anonymousCredentialMutations = ['signInAnonymously'];
