/**
 * The email flows over GraphQL. The rules are SQL (db/migrations/committed/000006-email-lifecycle.sql),
 * entry points executable only by auth_edge; a mutation moves values, turns result codes into
 * errors after the commit (so audit rows and counters persist), and starts sessions exactly
 * like `login` (graphql/edge-call.ts deliver(): cookies or body delivery, CSRF binding).
 */
import { constant, context, type FieldArgs } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { AuthError, isErrorCode } from '../../core/errors.ts';
import { deliver, makeCall, type Row, resultOf, safe } from '../../graphql/edge-call.ts';

/** `{ success: true }`, or the code SQL returned in `error` (committed) as a GraphQL error. */
const success = (r: Row | undefined) => {
  if (r?.error) throw safe(new AuthError(isErrorCode(r.error) ? r.error : 'INTERNAL'));
  return { success: true };
};

export const EmailPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main!;
  // Every one takes the client address for its limits, so every one is an edge call over HTTP.
  const call = (sql: string, args: Parameters<typeof makeCall>[2]) =>
    makeCall(executor, sql, args, { credential: true, edge: true });
  const verifyEmail = call('select app_hidden.verify_email($1, $2::inet) as error', (i, a) => [i.token, a.ip]);
  const resend = call('select app_hidden.resend_verification_email($1::inet) as error', (_i, a) => [a.ip]);
  const requestReset = call('select app_hidden.request_password_reset($1, $2::inet) as error', (i, a) => [
    i.email,
    a.ip,
  ]);
  const resetPassword = call('select app_hidden.reset_password($1, $2, $3::inet) as error', (i, a) => [
    i.token,
    i.newPassword,
    a.ip,
  ]);
  const requestSignIn = call('select app_hidden.request_sign_in_email($1, $2::inet) as error', (i, a) => [
    i.email,
    a.ip,
  ]);
  const signInToken = call('select * from app_hidden.sign_in_with_email_token($1, $2::inet, $3)', (i, a) => [
    i.token,
    a.ip,
    a.userAgent,
  ]);
  const signInCode = call('select * from app_hidden.sign_in_with_email_code($1, $2, $3::inet, $4)', (i, a) => [
    i.email,
    i.code,
    a.ip,
    a.userAgent,
  ]);
  const changeEmail = call('select app_hidden.change_email($1, $2, $3::inet) as error', (i, a) => [
    i.newEmail,
    i.password,
    a.ip,
  ]);
  const confirmChange = call('select app_hidden.confirm_email_change($1, $2::inet) as error', (i, a) => [
    i.token,
    a.ip,
  ]);

  const flag = (c: typeof verifyEmail) => (_$root: unknown, args: FieldArgs) => {
    const $auth = context().get('auth');
    return resultOf(c(args.getRaw('input'), $auth), $auth, success);
  };
  const session = (c: typeof verifyEmail) => (_$root: unknown, args: FieldArgs) => {
    const $auth = context().get('auth');
    return deliver(c(args.getRaw('input'), $auth), $auth);
  };
  return {
    typeDefs: gql`
      input VerifyEmailInput { token: String! }
      input RequestPasswordResetInput { email: String! }
      input ResetPasswordInput { token: String!, newPassword: String! }
      input RequestSignInEmailInput { email: String! }
      input SignInWithEmailTokenInput { token: String! }
      input SignInWithEmailCodeInput { email: String!, code: String! }
      input ChangeEmailInput { newEmail: String!, password: String! }
      input ConfirmEmailChangeInput { token: String! }
      extend type Mutation {
        "Verify your email address with the token of the verification link."
        verifyEmail(input: VerifyEmailInput!): SuccessPayload
        "Mail a new verification link to your unverified address (limited: 3 per hour, 60 s apart)."
        resendVerificationEmail: SuccessPayload
        "Mail a password-reset link if the address has an account; the answer is the same either way."
        requestPasswordReset(input: RequestPasswordResetInput!): SuccessPayload
        "Set a new password with a reset link's token; signs out every session."
        resetPassword(input: ResetPasswordInput!): SuccessPayload
        "Mail a sign-in link and a 6-digit code if the address has an account; the answer is the same either way."
        requestSignInEmail(input: RequestSignInEmailInput!): SuccessPayload
        "Sign in with the token of a mailed sign-in link."
        signInWithEmailToken(input: SignInWithEmailTokenInput!): AuthPayload
        "Sign in with the 6-digit code of a sign-in mail."
        signInWithEmailCode(input: SignInWithEmailCodeInput!): AuthPayload
        "Ask to change your email (needs your password): the new address gets a confirmation link, the old one a notice."
        changeEmail(input: ChangeEmailInput!): SuccessPayload
        "Confirm an email change with the token mailed to the new address."
        confirmEmailChange(input: ConfirmEmailChangeInput!): SuccessPayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          verifyEmail: flag(verifyEmail),
          resendVerificationEmail() {
            const $auth = context().get('auth');
            return resultOf(resend(constant({}), $auth), $auth, success);
          },
          requestPasswordReset: flag(requestReset),
          resetPassword: flag(resetPassword),
          requestSignInEmail: flag(requestSignIn),
          signInWithEmailToken: session(signInToken),
          signInWithEmailCode: session(signInCode),
          changeEmail: flag(changeEmail),
          confirmEmailChange: flag(confirmChange),
        },
      },
    },
  };
});

/** Root mutation fields of this feature that spend a credential or a mailed token (one per request: C6). */
export const emailCredentialMutations = [
  'verifyEmail',
  'resendVerificationEmail',
  'requestPasswordReset',
  'resetPassword',
  'requestSignInEmail',
  'signInWithEmailToken',
  'signInWithEmailCode',
  'changeEmail',
  'confirmEmailChange',
];
