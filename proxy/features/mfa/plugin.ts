/**
 * Multi-factor sign-in over GraphQL: enrollTotp / verifyTotpEnrollment, verifyMfa (TOTP or
 * SMS, optionally trusting the device), useRecoveryCode, enrollPhone / verifyPhone,
 * sendMfaSmsCode, and AuthPayload.mfaRequired / mfaFactors. The rules are SQL
 * (db/migrations/committed/000009-multi-factor-authentication-and-passkeys.sql: limited sessions, attempts, replay, step-up);
 * the edge only does what SQL cannot: TOTP arithmetic on a secret it alone can decrypt,
 * sending SMS, signing the device cookie. myMfaFactors, removeMfaFactor,
 * regenerateRecoveryCodes, myTrustedDevices and forgetTrustedDevice are app_public functions.
 */
import { randomUUID } from 'node:crypto';
import { sideEffectWithPgClient } from 'postgraphile/@dataplan/pg';
import { context, lambda, object, SafeError, type Step } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { BECOME_EDGE } from '../../core/db.ts';
import { AuthError, isErrorCode } from '../../core/errors.ts';
import type { AuthRequest } from '../../core/request.ts';
import { deliver, type Row, resultOf, safe } from '../../graphql/edge-call.ts';
import type { TokenKeys } from '../oauth/token-crypto.ts';
import type { DeviceCookies } from './device-cookie.ts';
import { type SmsSender, smsText } from './sms.ts';
import { matchedStep, newTotp } from './totp.ts';

export interface MfaPluginDeps {
  secretKeys: TokenKeys | null;
  totpIssuer: string;
  site: string;
  sms: SmsSender;
  devices: DeviceCookies;
}

interface Tx {
  query<R extends Row = Row>(q: { text: string; values?: unknown[] }): Promise<{ rows: R[] }>;
}

const FINISH = (fn: string) => `select (r.auth).*, r.recovery_codes from app_hidden.${fn} r`;

function requireAuth(auth: AuthRequest | undefined): AuthRequest {
  if (!auth?.canAuthenticate) throw new SafeError('Not available over this transport', { code: 'BADREQ' });
  return auth;
}

export function mfaPlugin(d: MfaPluginDeps) {
  const keys = () => {
    // Production without OAUTH_TOKEN_KEYS: no key to encrypt TOTP secrets with.
    if (!d.secretKeys) throw new AuthError('UNAVAILABLE');
    return d.secretKeys;
  };

  /** Checks one code against one factor in the caller's session: mfa_begin counts the
   * attempt (committed with the answer), then the kind's finish function decides. */
  async function verify(tx: Tx, factorId: unknown, code: unknown): Promise<Row> {
    if (typeof factorId !== 'string') return { error: 'NTFND' };
    const b = (await tx.query({ text: 'select * from app_hidden.mfa_begin($1::uuid)', values: [factorId] })).rows[0]!;
    if (b.error) return { error: b.error };
    if (b.kind === 'totp') {
      const step = matchedStep(keys(), factorId, b.key_id as string, b.secret as Buffer, code);
      return (await tx.query({ text: FINISH('mfa_finish_totp($1::uuid, $2::bigint)'), values: [factorId, step] }))
        .rows[0]!;
    }
    if (b.kind === 'sms') {
      return (await tx.query({ text: FINISH('mfa_finish_sms($1::uuid, $2)'), values: [factorId, String(code ?? '')] }))
        .rows[0]!;
    }
    // Passkeys are verified by their own ceremony (features/passkeys).
    return { error: 'NTFND' };
  }

  return extendSchema((build) => {
    const executor = build.input.pgRegistry.pgExecutors.main!;
    /** One edge transaction (as auth_edge, the request's claims still in effect). */
    const edgeTx =
      (fn: (tx: Tx, input: Row, auth: AuthRequest) => Promise<Row | undefined>) =>
      (input: Step, $auth: Step<AuthRequest | undefined>) =>
        sideEffectWithPgClient(executor, object({ input, auth: $auth }), async (client, v) => {
          try {
            const auth = requireAuth(v.auth as AuthRequest | undefined);
            return await client.withTransaction(async (tx) => {
              await tx.query({ text: BECOME_EDGE });
              return fn(tx as unknown as Tx, (v.input ?? {}) as Row, auth);
            });
          } catch (e) {
            return e instanceof Error ? e : new Error(String(e));
          }
        });

    const enrollTotp = edgeTx(async (tx, i) => {
      const id = randomUUID();
      const label = (
        await tx.query<{ email: string | null }>({ text: 'select app_hidden.mfa_account_email() as email' })
      ).rows[0]?.email;
      const t = await newTotp(keys(), id, d.totpIssuer, label ?? 'account');
      await tx.query({
        text: 'select app_hidden.enroll_totp($1::uuid, $2, $3, $4)',
        values: [id, typeof i.friendlyName === 'string' ? i.friendlyName : null, t.keyId, t.ciphertext],
      });
      return { factorId: id, uri: t.uri, qrCode: t.qrCode, secret: t.secret };
    });
    const verifyFactor = edgeTx(async (tx, i, a) => {
      const row = await verify(tx, i.factorId, i.code);
      if (!row.error && i.trustDevice === true && !a.bodyDelivery && a.addCookie) {
        const dev = (await tx.query({ text: 'select * from app_hidden.trust_device($1)', values: [a.userAgent] }))
          .rows[0]!;
        a.addCookie(d.devices.serialize(dev.token as string, new Date(dev.expires_at as string)));
      }
      return row;
    });
    const useRecoveryCode = edgeTx(
      async (tx, i) =>
        (await tx.query({ text: FINISH('use_recovery_code($1)'), values: [String(i.code ?? '')] })).rows[0],
    );
    const enrollPhone = edgeTx(async (tx, i, a) => {
      const r = (
        await tx.query({ text: 'select * from app_hidden.enroll_phone($1, $2::inet)', values: [i.phone, a.ip] })
      ).rows[0]!;
      await sendOrFail(r.phone as string, r.code as string);
      return { factorId: r.factor_id };
    });
    const verifyPhone = edgeTx(async (tx, i) => {
      const f = (await tx.query({ text: 'select app_hidden.pending_phone_factor() as id' })).rows[0]?.id;
      if (!f) return { error: 'NTFND' };
      return verify(tx, f, i.code);
    });
    const sendCode = edgeTx(async (tx, i, a) => {
      const r = (
        await tx.query({
          text: 'select * from app_hidden.send_sms_code($1::uuid, $2::inet)',
          values: [i.factorId, a.ip],
        })
      ).rows[0]!;
      await sendOrFail(r.phone as string, r.code as string);
      return { success: true };
    });

    async function sendOrFail(to: string, code: string) {
      try {
        await d.sms(to, smsText(d.site, code));
      } catch (e) {
        // Rolled back with the transaction: no code outstanding that was never sent.
        throw new AuthError('UNAVAILABLE', { cause: e });
      }
    }

    const plain = ($row: Step<Row | Error | undefined>, $auth: Step<AuthRequest | undefined>) =>
      resultOf($row, $auth, (r) => {
        if (r?.error) throw safe(new AuthError(isErrorCode(r.error) ? r.error : 'INTERNAL'));
        return r;
      });

    return {
      typeDefs: gql`
        "A second factor to offer when signing in."
        type MfaFactorRef {
          id: UUID!
          kind: String!
          friendlyName: String
        }
        extend type AuthPayload {
          "True when this session waits for a second factor: call verifyMfa or useRecoveryCode (or sign out)."
          mfaRequired: Boolean!
          "When mfaRequired: your active factors."
          mfaFactors: [MfaFactorRef!]
        }
        input EnrollTotpInput {
          friendlyName: String
        }
        type EnrollTotpPayload {
          factorId: UUID!
          "otpauth:// URI for authenticator apps."
          uri: String!
          "The URI as a QR code (PNG data URL)."
          qrCode: String!
          "The base32 secret, shown this once."
          secret: String!
        }
        input VerifyTotpEnrollmentInput {
          factorId: UUID!
          code: String!
        }
        type MfaEnrollmentPayload {
          "Ten recovery codes, shown this once (empty when you already had a set)."
          recoveryCodes: [String!]!
          session: AuthPayload!
        }
        input VerifyMfaInput {
          factorId: UUID!
          code: String!
          "Set an HttpOnly cookie that skips the second factor on this device (auth_config.trusted_device_ttl)."
          trustDevice: Boolean
        }
        input UseRecoveryCodeInput {
          code: String!
        }
        input EnrollPhoneInput {
          "E.164, e.g. +15551234567"
          phone: String!
        }
        type EnrollPhonePayload {
          factorId: UUID!
        }
        input VerifyPhoneInput {
          code: String!
        }
        input SendMfaSmsCodeInput {
          factorId: UUID!
        }
        extend type Mutation {
          "Start enrolling an authenticator app (TOTP)."
          enrollTotp(input: EnrollTotpInput): EnrollTotpPayload
          "Finish enrolling with a code from the app: activates the factor, raises the session to aal2."
          verifyTotpEnrollment(input: VerifyTotpEnrollmentInput!): MfaEnrollmentPayload
          "Give a second factor (sign-in pending MFA, or step-up): aal2 and new tokens."
          verifyMfa(input: VerifyMfaInput!): AuthPayload
          "Use a recovery code instead of a factor (each once)."
          useRecoveryCode(input: UseRecoveryCodeInput!): AuthPayload
          "Start enrolling a phone: a code is sent by SMS."
          enrollPhone(input: EnrollPhoneInput!): EnrollPhonePayload
          "Finish enrolling the phone with the code."
          verifyPhone(input: VerifyPhoneInput!): MfaEnrollmentPayload
          "Send a sign-in code to one of your verified phones."
          sendMfaSmsCode(input: SendMfaSmsCodeInput!): SuccessPayload
        }
      `,
      objects: {
        Mutation: {
          plans: {
            enrollTotp(_$root, args) {
              const $auth = context().get('auth');
              return plain(enrollTotp(args.getRaw('input'), $auth), $auth);
            },
            verifyTotpEnrollment(_$root, args) {
              const $auth = context().get('auth');
              const $row = verifyFactor(args.getRaw('input'), $auth);
              return object({
                session: deliver($row, $auth),
                recoveryCodes: lambda($row, (r) => (r instanceof Error ? [] : ((r?.recovery_codes as string[]) ?? []))),
              });
            },
            verifyMfa(_$root, args) {
              const $auth = context().get('auth');
              return deliver(verifyFactor(args.getRaw('input'), $auth), $auth);
            },
            useRecoveryCode(_$root, args) {
              const $auth = context().get('auth');
              return deliver(useRecoveryCode(args.getRaw('input'), $auth), $auth);
            },
            enrollPhone(_$root, args) {
              const $auth = context().get('auth');
              return plain(enrollPhone(args.getRaw('input'), $auth), $auth);
            },
            verifyPhone(_$root, args) {
              const $auth = context().get('auth');
              const $row = verifyPhone(args.getRaw('input'), $auth);
              return object({
                session: deliver($row, $auth),
                recoveryCodes: lambda($row, (r) => (r instanceof Error ? [] : ((r?.recovery_codes as string[]) ?? []))),
              });
            },
            sendMfaSmsCode(_$root, args) {
              const $auth = context().get('auth');
              return plain(sendCode(args.getRaw('input'), $auth), $auth);
            },
          },
        },
      },
    };
  });
}

/** Root mutation fields that try a credential or set cookies (at most one per request: C6). */
export const mfaCredentialMutations = [
  'verifyTotpEnrollment',
  'verifyMfa',
  'useRecoveryCode',
  'verifyPhone',
  'enrollPhone',
  'sendMfaSmsCode',
];
