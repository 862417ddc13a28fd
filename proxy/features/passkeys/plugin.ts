/**
 * Passkeys over GraphQL (issue 10, N8): startPasskeyRegistration / finishPasskeyRegistration
 * for a signed-in user, startPasskeySignIn / finishPasskeySignIn as a passwordless first factor
 * (anonymous caller) or as the second factor of the caller's session (signed in, e.g. pending
 * MFA after a password). The edge runs the WebAuthn checks with @simplewebauthn/server (origin,
 * RP ID, signature, user verification); SQL (db/migrations/committed/000009-multi-factor-authentication-and-passkeys.sql) keeps the
 * challenges, credentials and counters and decides the sign-in.
 *
 * A finish is one transaction as auth_edge: take the challenge (spent whatever follows), verify
 * here, then store the credential or sign in. Refusals are result rows, so the spent challenge
 * and the audit rows commit; the error is thrown after the commit.
 */
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { sideEffectWithPgClient } from 'postgraphile/@dataplan/pg';
import { constant, context, lambda, object, SafeError, type Step } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { BECOME_EDGE } from '../../core/db.ts';
import { AuthError, type ErrorCode, isErrorCode } from '../../core/errors.ts';
import type { AuthRequest } from '../../core/request.ts';
import { deliver, type Row, resultOf, safe } from '../../graphql/edge-call.ts';

export interface PasskeySettings {
  /** PUBLIC_ORIGIN: the only origin a response may come from. */
  origin: string;
  /** Its hostname: the WebAuthn RP ID. */
  rpId: string;
  /** PASSKEY_USER_VERIFICATION: `required` refuses responses without user verification. */
  userVerification: 'preferred' | 'required';
}

/** The edge's refusal of a response (signature, origin, RP ID, user verification). */
const REFUSED: ErrorCode = 'PASSKEY';

type Tx = { query<T>(q: { text: string; values?: unknown[] }): Promise<{ rows: readonly T[] }> };
type Ceremony = (tx: Tx, input: Row, auth: AuthRequest) => Promise<Row>;

const b64url = (s: unknown): Buffer => {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]{1,4096}$/.test(s)) throw new AuthError('BADREQ');
  return Buffer.from(s, 'base64url');
};

/** The WebAuthn response the browser produced (JSON text, as @simplewebauthn/browser returns it). */
function parseResponse<T extends { id: string; rawId: string; response: { clientDataJSON: string } }>(
  raw: unknown,
): { response: T; challenge: string; credentialId: Buffer } {
  try {
    const response = JSON.parse(String(raw)) as T;
    const client = JSON.parse(b64url(response.response.clientDataJSON).toString('utf8')) as { challenge?: unknown };
    if (typeof client.challenge !== 'string' || client.challenge.length > 200) throw new Error('challenge');
    return { response, challenge: client.challenge, credentialId: b64url(response.rawId ?? response.id) };
  } catch {
    throw new AuthError('BADREQ', { message: 'response: not a WebAuthn response (JSON)' });
  }
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');

export function passkeysPlugin(s: PasskeySettings) {
  const requireUV = s.userVerification === 'required';

  const startRegistration: Ceremony = async (tx) => {
    const [row] = (await tx.query<Row>({ text: 'select * from app_hidden.start_passkey_registration()' })).rows;
    const r = row as {
      challenge: string;
      user_id: string;
      user_name: string;
      display_name: string;
      credentials: Cred[];
    };
    const options = await generateRegistrationOptions({
      rpName: s.rpId,
      rpID: s.rpId,
      userName: r.user_name,
      userDisplayName: r.display_name,
      userID: uuidBytes(r.user_id),
      challenge: Buffer.from(r.challenge, 'base64url'),
      attestationType: 'none',
      excludeCredentials: r.credentials,
      authenticatorSelection: { residentKey: 'preferred', userVerification: s.userVerification },
    });
    return { challengeId: null, optionsJSON: JSON.stringify(options) };
  };

  const finishRegistration: Ceremony = async (tx, input, auth) => {
    const { response, challenge, credentialId } = parseResponse<RegistrationResponseJSON>(input.response);
    const [taken] = (
      await tx.query<Row>({
        text: 'select * from app_hidden.take_passkey_challenge(null, $1, $2, true, $3::inet)',
        values: [challenge, credentialId, auth.ip],
      })
    ).rows;
    if (taken?.error) return taken;
    let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>['registrationInfo'];
    try {
      const v = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: s.origin,
        expectedRPID: s.rpId,
        requireUserVerification: requireUV,
      });
      if (v.verified) info = v.registrationInfo;
    } catch {
      // refused below: the library's message is not for the client
    }
    if (!info) {
      await tx.query({
        text: `select app_hidden.passkey_refused('registration', 'verification', $1, $2, $3::inet)`,
        values: [taken?.user_id, credentialId, auth.ip],
      });
      return { error: REFUSED };
    }
    const [row] = (
      await tx.query<Row>({
        // The factor, its recovery codes, and the session's new tokens (auth_result's fields).
        text: `select coalesce(r.error, (r.mfa).auth.error) as error, r.factor_id, (r.mfa).recovery_codes,
                      ((r.mfa).auth).user_id, ((r.mfa).auth).session_id, ((r.mfa).auth).role,
                      ((r.mfa).auth).refresh_token, ((r.mfa).auth).session_expires_at
                 from app_hidden.finish_passkey_registration($1, $2, $3, $4, $5::uuid, $6, $7, $8, $9::inet) r`,
        values: [
          Buffer.from(info.credential.id, 'base64url'),
          Buffer.from(info.credential.publicKey),
          info.credential.counter,
          info.credential.transports ?? [],
          /^[0-9a-f-]{36}$/.test(info.aaguid) ? info.aaguid : null,
          info.credentialBackedUp,
          info.credentialDeviceType,
          input.friendlyName ?? null,
          auth.ip,
        ],
      })
    ).rows;
    return row ?? { error: 'INTERNAL' };
  };

  const startSignIn: Ceremony = async (tx, input) => {
    const [row] = (
      await tx.query<Row>({ text: 'select * from app_hidden.start_passkey_sign_in($1)', values: [input.email ?? null] })
    ).rows;
    const r = row as { challenge_id: string; challenge: string; purpose: string; credentials: Cred[] };
    const options = await generateAuthenticationOptions({
      rpID: s.rpId,
      challenge: Buffer.from(r.challenge, 'base64url'),
      allowCredentials: r.credentials,
      userVerification: s.userVerification,
    });
    // A second factor is bound to the session: no id to carry.
    return { challengeId: r.purpose === 'sign_in' ? r.challenge_id : null, optionsJSON: JSON.stringify(options) };
  };

  const finishSignIn: Ceremony = async (tx, input, auth) => {
    const { response, challenge, credentialId } = parseResponse<AuthenticationResponseJSON>(input.response);
    const [taken] = (
      await tx.query<Row>({
        text: 'select * from app_hidden.take_passkey_challenge($1::uuid, $2, $3, false, $4::inet)',
        values: [input.challengeId ?? null, challenge, credentialId, auth.ip],
      })
    ).rows;
    if (!taken || taken.error) return taken ?? { error: 'INTERNAL' };
    const t = taken as { purpose: string; user_id: string; public_key: Buffer; transports: string[] };
    let info: Awaited<ReturnType<typeof verifyAuthenticationResponse>>['authenticationInfo'] | undefined;
    try {
      // The user handle, when the authenticator returns one, must name the credential's user.
      const handle = response.response.userHandle;
      if (!handle || b64url(handle).equals(uuidBytes(t.user_id))) {
        const v = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: s.origin,
          expectedRPID: s.rpId,
          // The counter is checked in SQL, under the credential's row lock.
          credential: {
            id: response.id,
            publicKey: new Uint8Array(t.public_key),
            counter: 0,
            transports: t.transports as AuthenticatorTransport[],
          },
          requireUserVerification: requireUV,
        });
        if (v.verified) info = v.authenticationInfo;
      }
    } catch {
      // refused below
    }
    if (!info) {
      await tx.query({
        text: `select app_hidden.passkey_refused($1, 'verification', $2, $3, $4::inet)`,
        values: [t.purpose, t.user_id, credentialId, auth.ip],
      });
      return { error: REFUSED };
    }
    const [row] = (
      await tx.query<Row>({
        text: 'select * from app_hidden.finish_passkey_sign_in($1, $2, $3, $4, $5, $6, $7::inet, $8)',
        values: [
          t.purpose,
          credentialId,
          info.newCounter,
          info.userVerified,
          info.credentialBackedUp,
          info.credentialDeviceType,
          auth.ip,
          auth.userAgent,
        ],
      })
    ).rows;
    return row ?? { error: 'INTERNAL' };
  };

  return extendSchema((build) => {
    const executor = build.input.pgRegistry.pgExecutors.main!;
    /** One ceremony step in one transaction as the edge role; failures come back as values. */
    const run =
      (ceremony: Ceremony) =>
      (input: Step, $auth: Step<AuthRequest | undefined>): Step<Row | Error | undefined> =>
        sideEffectWithPgClient(executor, object({ input, auth: $auth }), async (client, { input, auth }) => {
          try {
            const a = auth as AuthRequest | undefined;
            if (!a?.canAuthenticate) throw new SafeError('Not available over this transport', { code: 'BADREQ' });
            return await client.withTransaction(async (tx) => {
              await tx.query({ text: BECOME_EDGE });
              return ceremony(tx as Tx, (input ?? {}) as Row, a);
            });
          } catch (e) {
            return e instanceof Error ? e : new Error(String(e));
          }
        });
    const options = (r: Row | undefined) => {
      if (r?.error) throw safe(new AuthError(isErrorCode(r.error) ? r.error : 'INTERNAL'));
      return r;
    };
    const plan = (ceremony: Ceremony, then: 'options' | 'factor' | 'session', hasInput = true) => {
      const call = run(ceremony);
      return (_$root: unknown, args: { getRaw(name: string): Step }) => {
        const $auth = context().get('auth');
        const $row = call(hasInput ? args.getRaw('input') : constant({}), $auth);
        if (then === 'session') return deliver($row, $auth);
        if (then === 'factor') {
          // The session was raised to aal2 with a new refresh token: deliver it like a sign-in.
          const $session = deliver($row, $auth);
          return lambda([$row, $session], ([r, session]) => ({
            factorId: (r as Row).factor_id,
            recoveryCodes: (r as Row).recovery_codes ?? [],
            session,
          }));
        }
        return resultOf($row, $auth, options);
      };
    };
    return {
      typeDefs: gql`
        """
        Options for the browser's WebAuthn call (navigator.credentials.create/get, or
        @simplewebauthn/browser's startRegistration/startAuthentication({ optionsJSON })).
        """
        type PasskeyOptionsPayload {
          "Pass it back to finishPasskeySignIn (first factor only; null when bound to your session)."
          challengeId: UUID
          "The PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON, as JSON text."
          optionsJSON: String!
        }
        type PasskeyRegistrationPayload {
          factorId: UUID!
          "Your first factor brings ten recovery codes, shown only here (empty otherwise)."
          recoveryCodes: [String!]!
          "This session, now at aal2, with its new tokens."
          session: AuthPayload
        }
        input FinishPasskeyRegistrationInput {
          "The browser's RegistrationResponseJSON, as JSON text."
          response: String!
          friendlyName: String
        }
        input StartPasskeySignInInput {
          "Optional: only this account's passkeys are offered and accepted."
          email: String
        }
        input FinishPasskeySignInInput {
          "From startPasskeySignIn (first factor); omit for a second factor."
          challengeId: UUID
          "The browser's AuthenticationResponseJSON, as JSON text."
          response: String!
        }
        extend type Mutation {
          "Begin adding a passkey to your account (signed in; aal2 when you already have a factor). The challenge expires in 5 minutes."
          startPasskeyRegistration: PasskeyOptionsPayload
          "Finish adding a passkey with the browser's response to startPasskeyRegistration's options; your session is raised to aal2."
          finishPasskeyRegistration(input: FinishPasskeyRegistrationInput!): PasskeyRegistrationPayload
          "Begin signing in with a passkey: without a session, a passwordless sign-in; with one (e.g. pending MFA), a second factor or step-up."
          startPasskeySignIn(input: StartPasskeySignInInput): PasskeyOptionsPayload
          "Finish a passkey sign-in: a new session (aal2 with user verification; amr hwk or swk), or your session raised to aal2."
          finishPasskeySignIn(input: FinishPasskeySignInInput!): AuthPayload
        }
      `,
      objects: {
        Mutation: {
          plans: {
            startPasskeyRegistration: plan(startRegistration, 'options', false),
            finishPasskeyRegistration: plan(finishRegistration, 'factor'),
            startPasskeySignIn: plan(startSignIn, 'options'),
            finishPasskeySignIn: plan(finishSignIn, 'session'),
          },
        },
      },
    };
  });
}

type Cred = { id: string; transports?: AuthenticatorTransport[] };

/** Root mutation fields of this feature: each spends or prepares a credential (one per request: C6). */
export const passkeyCredentialMutations = [
  'startPasskeyRegistration',
  'finishPasskeyRegistration',
  'startPasskeySignIn',
  'finishPasskeySignIn',
];
