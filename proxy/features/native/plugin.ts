/**
 * `signInWithIdToken(input: { provider, idToken, nonce })`: a credential mutation (one per
 * request, HTTP only) that signs in or registers with an ID token a native SDK obtained
 * (id-token.ts verifies it), through the same SQL as the redirect flow
 * (app_hidden.oauth_sign_in as auth_edge: linking rules, EMCOL), and delivers the session like
 * `login`: cookies for browsers, the body for native clients (X-Token-Delivery: body).
 * Refused tokens are audited like refused redirect sign-ins (oauth_rejected).
 */
import type pg from 'pg';
import { context, sideEffect } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { asEdge } from '../../core/db.ts';
import { AuthError, toAuthError } from '../../core/errors.ts';
import type { AuthRequest } from '../../core/request.ts';
import { deliver, makeCall, safe } from '../../graphql/edge-call.ts';
import type { IdTokenVerifier } from './id-token.ts';

export function idTokenPlugin(d: { verifier: IdTokenVerifier; pool: pg.Pool }) {
  return extendSchema((build) => {
    const executor = build.input.pgRegistry.pgExecutors.main!;
    const signIn = makeCall(
      executor,
      `select * from app_hidden.oauth_sign_in($1, $2, $3, $4, $5::jsonb, false, null, null, null, null, $6::inet, $7)`,
      (v, a) => [v.provider, v.issuer, v.subject, v.email, JSON.stringify(v.profile), a.ip, a.userAgent],
      { credential: true, edge: true },
    );
    return {
      typeDefs: gql`
        input SignInWithIdTokenInput {
          "A configured OpenID provider's name (google, apple, ...)."
          provider: String!
          "The ID token the provider's SDK returned to the app."
          idToken: String!
          "The raw nonce: the provider was given its SHA-256 in lower-case hex, which the token must carry."
          nonce: String!
        }
        extend type Mutation {
          "Sign in (or register) with an ID token from a provider's native SDK (Google, Apple, any configured OpenID provider)."
          signInWithIdToken(input: SignInWithIdTokenInput!): AuthPayload
        }
      `,
      objects: {
        Mutation: {
          plans: {
            signInWithIdToken(_$root, args) {
              const $auth = context().get('auth');
              const $verified = sideEffect([args.getRaw('input'), $auth], async ([input, auth]) => {
                const a = auth as AuthRequest | undefined;
                if (!a?.canAuthenticate) throw safe(new AuthError('BADREQ'), a);
                const i = (input ?? {}) as { provider: string; idToken: string; nonce: string };
                try {
                  const v = await d.verifier.verify(i.provider, i.idToken, i.nonce);
                  const [use] = await asEdge<{ first: boolean }>(
                    d.pool,
                    null,
                    'select app_hidden.id_token_first_use($1, $2) as first',
                    [v.useHash, v.expiresAt],
                  );
                  if (!use?.first) throw new AuthError('IDTOKEN');
                  return v;
                } catch (e) {
                  const code = toAuthError(e).code;
                  await asEdge(d.pool, null, 'select app_hidden.oauth_rejected($1, $2, $3::inet)', [
                    String(i.provider).slice(0, 100),
                    code,
                    a.ip,
                  ]).catch(() => {});
                  throw safe(e, a);
                }
              });
              return deliver(signIn($verified, $auth), $auth);
            },
          },
        },
      },
    };
  }, 'NativeIdTokenPlugin');
}

/** Root mutation fields of this feature that spend a credential (one per request: C6). */
export const nativeCredentialMutations = ['signInWithIdToken'];
