/**
 * Password accounts over GraphQL: register, login, changePassword. The rules (bcrypt cost,
 * pre-hashing, lockout, limits) are SQL: app_hidden.register / login / change_password.
 */
import { context } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { AuthError } from '../../core/errors.ts';
import { deliver, makeCall, resultOf, safe } from '../../graphql/edge-call.ts';

export const PasswordPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main!;
  // Registration starts the first session itself: one bcrypt hash, one transaction.
  const register = makeCall(
    executor,
    'select * from app_hidden.register($1, $2, $3, $4::inet, $5)',
    (i, a) => [i.email, i.password, i.name ?? null, a.ip, a.userAgent],
    { credential: true, edge: true },
  );
  const login = makeCall(
    executor,
    'select * from app_hidden.login($1, $2, $3::inet, $4, $5)',
    // The trusted-device cookie (features/mfa) may stand in for the second factor (N10).
    (i, a) => [i.email, i.password, a.ip, a.userAgent, a.trustedDeviceToken ?? null],
    { credential: true, edge: true },
  );
  const changePassword = makeCall(
    executor,
    'select app_hidden.change_password($1, $2) as success',
    (i) => [i.oldPassword, i.newPassword],
    { credential: true },
  );
  return {
    typeDefs: gql`
      input RegisterInput { email: String!, password: String!, name: String }
      input LoginInput { email: String!, password: String! }
      input ChangePasswordInput { oldPassword: String!, newPassword: String! }
      extend type Mutation {
        "Create a password account and sign in."
        register(input: RegisterInput!): AuthPayload
        "Sign in with email and password."
        login(input: LoginInput!): AuthPayload
        "Change your password (needs the current one); ends your other sessions."
        changePassword(input: ChangePasswordInput!): SuccessPayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          register(_$root, args) {
            const $auth = context().get('auth');
            return deliver(register(args.getRaw('input'), $auth), $auth);
          },
          login(_$root, args) {
            const $auth = context().get('auth');
            return deliver(login(args.getRaw('input'), $auth), $auth);
          },
          changePassword(_$root, args) {
            const $auth = context().get('auth');
            return resultOf(changePassword(args.getRaw('input'), $auth), $auth, (r) => {
              if (!r?.success) throw safe(new AuthError('CREDS'));
              return { success: true };
            });
          },
        },
      },
    },
  };
});

/** Root mutation fields of this feature that try a credential (at most one per request: C6). */
export const passwordCredentialMutations = ['register', 'login', 'changePassword'];
