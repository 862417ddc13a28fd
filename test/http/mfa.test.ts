/**
 * Multi-factor sign-in through the real edge: TOTP codes computed here with otpauth from the
 * secret enrollTotp showed, SMS through the Twilio sender against a local server that
 * implements Twilio's Messages endpoint, the trusted-device cookie in a real cookie jar.
 * pgTAP (test/db/mfa.sql) holds the SQL side of each N item.
 */
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsSender } from '../../proxy/features/mfa/sms.ts';
import { closeOwner, owner } from './helpers.ts';
import { Client, email, PASSWORD, REGISTER, useServer } from './server.ts';
import { startTwilio, TWILIO_SID, TWILIO_TOKEN, type TwilioServer } from './twilio.ts';

// SMS through the Twilio sender to a local server speaking Twilio's Messages API.
let twilio: TwilioServer;
beforeAll(async () => {
  twilio = await startTwilio();
});
afterAll(async () => {
  await closeOwner();
  await twilio.close();
});
const srv = useServer(() => ({ ...twilio.env, SMS_FROM: '+15550000000' }));

const ENROLL = 'mutation { enrollTotp(input: { friendlyName: "phone" }) { factorId uri qrCode secret } }';
const VERIFY_ENROLL = `mutation ($f: UUID!, $c: String!) {
  verifyTotpEnrollment(input: { factorId: $f, code: $c }) { recoveryCodes session { userId mfaRequired } } }`;
const LOGIN_MFA = `mutation ($email: String!, $password: String!) {
  login(input: { email: $email, password: $password }) { userId mfaRequired mfaFactors { id kind friendlyName } } }`;
const VERIFY = `mutation ($f: UUID!, $c: String!, $t: Boolean) {
  verifyMfa(input: { factorId: $f, code: $c, trustDevice: $t }) { userId mfaRequired } }`;
const RECOVERY = 'mutation ($c: String!) { useRecoveryCode(input: { code: $c }) { userId mfaRequired } }';
const ME = '{ currentUser { email } }';
const LOGOUT = 'mutation { logout(input: {}) { success } }';

type Enrolled = { enrollTotp: { factorId: string; uri: string; qrCode: string; secret: string } };
type Login = { login: { userId: string; mfaRequired: boolean; mfaFactors: { id: string; kind: string }[] | null } };

const code = (secret: string, offsetSteps = 0) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + offsetSteps * 30_000,
  });

async function browser(): Promise<Client> {
  const c = new Client(srv.url);
  await c.csrf();
  return c;
}

/** A registered user who enrolled TOTP (using this step's code). */
async function enrolled(tag: string) {
  const c = await browser();
  const e = email(tag);
  const r = await c.gql(REGISTER, { email: e, password: PASSWORD, name: tag });
  expect(r.data?.register, r.raw).toBeTruthy();
  const en = await c.gql<Enrolled>(ENROLL);
  const t = en.data!.enrollTotp;
  const v = await c.gql<{ verifyTotpEnrollment: { recoveryCodes: string[] } }>(VERIFY_ENROLL, {
    f: t.factorId,
    c: code(t.secret),
  });
  expect(v.errors, v.raw).toBeUndefined();
  return {
    c,
    email: e,
    factorId: t.factorId,
    secret: t.secret,
    recoveryCodes: v.data!.verifyTotpEnrollment.recoveryCodes,
  };
}

/** A new browser signed in with the password only (pending MFA). */
async function pending(e: string) {
  const c = await browser();
  const r = await c.gql<Login>(LOGIN_MFA, { email: e, password: PASSWORD });
  expect(r.errors, r.raw).toBeUndefined();
  return { c, login: r.data!.login };
}

describe('TOTP enrolment and sign-in', () => {
  it('enrollTotp shows the otpauth URI, a QR code and the secret once; the first code activates it with ten recovery codes', async () => {
    const c = await browser();
    const e = email('totp');
    await c.gql(REGISTER, { email: e, password: PASSWORD, name: 'T' });
    const en = await c.gql<Enrolled>(ENROLL);
    const t = en.data!.enrollTotp;
    expect(t.uri).toMatch(/^otpauth:\/\/totp\/127\.0\.0\.1:.*secret=[A-Z2-7]+/);
    expect(t.qrCode).toMatch(/^data:image\/png;base64,/);
    const wrong = await c.gql(VERIFY_ENROLL, { f: t.factorId, c: '000000' === code(t.secret) ? '111111' : '000000' });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('MFAIN');
    const v = await c.gql<{ verifyTotpEnrollment: { recoveryCodes: string[]; session: { mfaRequired: boolean } } }>(
      VERIFY_ENROLL,
      { f: t.factorId, c: code(t.secret) },
    );
    expect(v.data?.verifyTotpEnrollment.recoveryCodes, v.raw).toHaveLength(10);
    const f = await c.gql<{ myMfaFactors: { nodes: { rowId: string; kind: string; status: string }[] } }>(
      '{ myMfaFactors { nodes { rowId kind status } } }',
    );
    expect(f.data?.myMfaFactors.nodes).toEqual([{ rowId: t.factorId, kind: 'totp', status: 'active' }]);
  });

  it('N4: login answers mfaRequired with the factors, and the pending session reads nothing until verifyMfa', async () => {
    const u = await enrolled('signin');
    const { c, login } = await pending(u.email);
    expect(login.mfaRequired).toBe(true);
    expect(login.mfaFactors).toEqual([{ id: u.factorId, kind: 'totp', friendlyName: 'phone' }]);
    expect((await c.gql<{ currentUser: unknown }>(ME)).data?.currentUser).toBeNull();
    const sessions = await c.gql<{ mySessions: { nodes: unknown[] } }>('{ mySessions { nodes { rowId } } }');
    expect(sessions.data?.mySessions.nodes).toEqual([]);
    // The verify-only entry points refuse it too, and its token says it is pending.
    const resend = await c.gql('mutation { resendVerificationEmail { success } }');
    expect(resend.errors?.[0]?.extensions?.code, resend.raw).toBe('LOGIN');
    const pendingClaims = JSON.parse(
      Buffer.from((await c.cookie('pgauth-at'))!.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect([pendingClaims.aal, pendingClaims.mfa_pending]).toEqual(['aal1', true]);
    const v = await c.gql<{ verifyMfa: { userId: string; mfaRequired: boolean } }>(VERIFY, {
      f: u.factorId,
      c: code(u.secret, 1),
    });
    expect(v.data?.verifyMfa, v.raw).toEqual({ userId: login.userId, mfaRequired: false });
    expect((await c.gql<{ currentUser: { email: string } }>(ME)).data?.currentUser?.email).toBe(u.email);
    const claims = JSON.parse(
      Buffer.from((await c.cookie('pgauth-at'))!.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect([claims.aal, claims.amr, claims.mfa_pending]).toEqual(['aal2', ['pwd', 'otp', 'mfa'], undefined]);
  });

  it('N2: a code is accepted once (replay refused)', async () => {
    const u = await enrolled('replay');
    const a = await pending(u.email);
    const c1 = code(u.secret, 1);
    expect((await a.c.gql(VERIFY, { f: u.factorId, c: c1 })).errors).toBeUndefined();
    const b = await pending(u.email);
    const again = await b.c.gql(VERIFY, { f: u.factorId, c: c1 });
    expect(again.errors?.[0]?.extensions?.code).toBe('MFAIN');
    const enrolCode = await b.c.gql(VERIFY, { f: u.factorId, c: code(u.secret) });
    expect(enrolCode.errors?.[0]?.extensions?.code).toBe('MFAIN');
  });

  it('N3: parallel wrong codes all count; past the limit even the right code is refused', async () => {
    const u = await enrolled('throttle');
    const { c } = await pending(u.email);
    const right = code(u.secret, 1);
    const wrongCode = right === '123456' ? '654321' : '123456';
    const results = await Promise.all(Array.from({ length: 7 }, () => c.gql(VERIFY, { f: u.factorId, c: wrongCode })));
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code).sort();
    expect(codes).toEqual(['MFAIN', 'MFAIN', 'MFAIN', 'MFAIN', 'MFAIN', 'RATEL', 'RATEL']);
    const r = await c.gql(VERIFY, { f: u.factorId, c: right });
    expect(r.errors?.[0]?.extensions?.code).toBe('RATEL');
    // Aliases cannot try two codes in one request (one credential mutation per request).
    const two = await c.gql(
      `mutation ($f: UUID!) { a: verifyMfa(input: { factorId: $f, code: "111111" }) { userId }
                              b: verifyMfa(input: { factorId: $f, code: "222222" }) { userId } }`,
      { f: u.factorId },
    );
    expect(two.errors?.[0]?.extensions?.code).toBe('LIMIT');
  });

  it('N5: the challenge expires 5 minutes after the password; the pending session can still sign out', async () => {
    const u = await enrolled('expiry');
    const { c } = await pending(u.email);
    const sid = (
      await owner<{ id: string }>(
        `select s.id from app_private.sessions s join app_public.users u on u.id = s.user_id
       where u.email = $1 and s.mfa_pending`,
        [u.email],
      )
    )[0]!.id;
    await owner(`update app_private.sessions set created_at = created_at - interval '6 minutes' where id = $1`, [sid]);
    const r = await c.gql(VERIFY, { f: u.factorId, c: code(u.secret, 1) });
    expect(r.errors?.[0]?.extensions?.code).toBe('MFAEX');
    // Signing out still works, and ends that session.
    const out = await c.gql<{ logout: { success: boolean } }>(LOGOUT);
    expect(out.data?.logout.success, out.raw).toBe(true);
    expect(
      (
        await owner<{ revoked_reason: string }>('select revoked_reason from app_private.sessions where id = $1', [sid])
      )[0]!.revoked_reason,
    ).toBe('logout');
  });

  it('useRecoveryCode completes sign-in once per code; regenerateRecoveryCodes voids the old set', async () => {
    const u = await enrolled('recovery');
    const a = await pending(u.email);
    const r1 = await a.c.gql<{ useRecoveryCode: { mfaRequired: boolean } }>(RECOVERY, { c: u.recoveryCodes[0] });
    expect(r1.data?.useRecoveryCode.mfaRequired, r1.raw).toBe(false);
    const regen = await a.c.gql<{ regenerateRecoveryCodes: { result: string[] } }>(
      'mutation { regenerateRecoveryCodes(input: {}) { result } }',
    );
    expect(regen.data?.regenerateRecoveryCodes.result, regen.raw).toHaveLength(10);
    const b = await pending(u.email);
    expect((await b.c.gql(RECOVERY, { c: u.recoveryCodes[0] })).errors?.[0]?.extensions?.code).toBe('MFAIN');
    expect((await b.c.gql(RECOVERY, { c: u.recoveryCodes[1] })).errors?.[0]?.extensions?.code).toBe('MFAIN');
    const ok = await b.c.gql(RECOVERY, { c: regen.data!.regenerateRecoveryCodes.result[0] });
    expect(ok.errors, ok.raw).toBeUndefined();
  });
});

describe('step-up (N6)', () => {
  it('N6: an aal1 session of a user with a factor cannot remove it or change the password until it verifies one', async () => {
    const c1 = await browser();
    const e = email('stepup');
    await c1.gql(REGISTER, { email: e, password: PASSWORD, name: 'S' });
    // A second browser signed in before the factor existed: aal1, not pending.
    const c2 = await browser();
    expect((await c2.gql<Login>(LOGIN_MFA, { email: e, password: PASSWORD })).data?.login.mfaRequired).toBe(false);
    const t = (await c1.gql<Enrolled>(ENROLL)).data!.enrollTotp;
    await c1.gql(VERIFY_ENROLL, { f: t.factorId, c: code(t.secret) });

    const remove = 'mutation ($id: UUID!) { removeMfaFactor(input: { id: $id }) { result } }';
    expect((await c2.gql(remove, { id: t.factorId })).errors?.[0]?.extensions?.code).toBe('MFARQ');
    const change = await c2.gql(
      'mutation ($o: String!, $n: String!) { changePassword(input: { oldPassword: $o, newPassword: $n }) { success } }',
      { o: PASSWORD, n: 'another correct horse battery' },
    );
    expect(change.errors?.[0]?.extensions?.code).toBe('MFARQ');
    expect((await c2.gql(ENROLL)).errors?.[0]?.extensions?.code).toBe('MFARQ');
    // Step-up without a new login.
    const up = await c2.gql<{ verifyMfa: { mfaRequired: boolean } }>(VERIFY, { f: t.factorId, c: code(t.secret, 1) });
    expect(up.errors, up.raw).toBeUndefined();
    const removed = await c2.gql<{ removeMfaFactor: { result: boolean } }>(remove, { id: t.factorId });
    expect(removed.data?.removeMfaFactor.result, removed.raw).toBe(true);
    expect((await pending(e)).login.mfaRequired).toBe(false);
  });
});

describe('trusted devices (N10)', () => {
  it('N10: verifyMfa(trustDevice) sets a signed HttpOnly cookie; the next sign-in skips the factor and says so in amr', async () => {
    const u = await enrolled('device');
    const { c } = await pending(u.email);
    const res = await c.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: VERIFY, variables: { f: u.factorId, c: code(u.secret, 1), t: true } }),
    });
    const set = res.headers.getSetCookie().find((s) => s.startsWith('pgauth-device='));
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(Number(/Max-Age=(\d+)/.exec(set!)?.[1])).toBeGreaterThan(2592000 - 60);
    await c.gql(LOGOUT);
    const again = await c.gql<Login>(LOGIN_MFA, { email: u.email, password: PASSWORD });
    expect(again.data?.login.mfaRequired, again.raw).toBe(false);
    const claims = JSON.parse(Buffer.from((await c.cookie('pgauth-at'))!.split('.')[1]!, 'base64url').toString());
    expect(claims.amr).toEqual(['pwd', 'trusted_device']);

    const devices = await c.gql<{ myTrustedDevices: { nodes: { rowId: string; isCurrent: boolean }[] } }>(
      '{ myTrustedDevices { nodes { rowId isCurrent } } }',
    );
    expect(devices.data?.myTrustedDevices.nodes).toHaveLength(1);
    // The session signed in with this device: the account page marks it "this device".
    expect(devices.data?.myTrustedDevices.nodes[0]?.isCurrent, devices.raw).toBe(true);
    // Another session of the user (the browser that enrolled) sees it as another device.
    const there = await u.c.gql<{ myTrustedDevices: { nodes: { isCurrent: boolean }[] } }>(
      '{ myTrustedDevices { nodes { isCurrent } } }',
    );
    expect(
      there.data?.myTrustedDevices.nodes.map((d) => d.isCurrent),
      there.raw,
    ).toEqual([false]);

    // A tampered cookie (the MAC no longer matches) is ignored.
    const value = (await c.cookie('pgauth-device'))!;
    const forged = new Client(srv.url);
    await forged.csrf();
    await forged.jar.setCookie(`pgauth-device=${value.slice(0, -2)}AA; Path=/`, srv.url);
    expect((await forged.gql<Login>(LOGIN_MFA, { email: u.email, password: PASSWORD })).data?.login.mfaRequired).toBe(
      true,
    );
    // The cookie is bound to its user.
    const other = await enrolled('device-other');
    await c.gql(LOGOUT);
    expect((await c.gql<Login>(LOGIN_MFA, { email: other.email, password: PASSWORD })).data?.login.mfaRequired).toBe(
      true,
    );
    await c.gql(LOGOUT);

    // Expired: void.
    await owner(`update app_private.trusted_devices set expires_at = now() - interval '1 second' where id = $1`, [
      devices.data!.myTrustedDevices.nodes[0]!.rowId,
    ]);
    expect((await c.gql<Login>(LOGIN_MFA, { email: u.email, password: PASSWORD })).data?.login.mfaRequired).toBe(true);
  });

  it('N10: forgetTrustedDevice voids it', async () => {
    const u = await enrolled('forget');
    const { c } = await pending(u.email);
    await c.gql(VERIFY, { f: u.factorId, c: code(u.secret, 1), t: true });
    const id = (
      await c.gql<{ myTrustedDevices: { nodes: { rowId: string }[] } }>('{ myTrustedDevices { nodes { rowId } } }')
    ).data!.myTrustedDevices.nodes[0]!.rowId;
    const f = await c.gql('mutation ($id: UUID!) { forgetTrustedDevice(input: { id: $id }) { result } }', { id });
    expect(f.errors, f.raw).toBeUndefined();
    await c.gql(LOGOUT);
    expect((await c.gql<Login>(LOGIN_MFA, { email: u.email, password: PASSWORD })).data?.login.mfaRequired).toBe(true);
  });

  it('N10: removing the last factor voids trusted devices (a factor enrolled later is not skipped)', async () => {
    const u = await enrolled('remove-last');
    const { c } = await pending(u.email);
    const v = await c.gql(VERIFY, { f: u.factorId, c: code(u.secret, 1), t: true });
    expect(v.errors, v.raw).toBeUndefined();
    expect(await c.cookie('pgauth-device')).toBeTruthy();
    const r = await c.gql('mutation ($id: UUID!) { removeMfaFactor(input: { id: $id }) { result } }', {
      id: u.factorId,
    });
    expect(r.errors, r.raw).toBeUndefined();
    const none = await c.gql<{ myTrustedDevices: { nodes: unknown[] } }>('{ myTrustedDevices { nodes { rowId } } }');
    expect(none.data?.myTrustedDevices.nodes, none.raw).toEqual([]);
    // A new factor (no factor now: an aal1 session may enrol), then a sign-in from the same browser.
    const en = await c.gql<Enrolled>(ENROLL);
    const t = en.data!.enrollTotp;
    const ve = await c.gql(VERIFY_ENROLL, { f: t.factorId, c: code(t.secret) });
    expect(ve.errors, ve.raw).toBeUndefined();
    await c.gql(LOGOUT);
    expect(await c.cookie('pgauth-device'), 'the browser still sends its old device cookie').toBeTruthy();
    const again = await c.gql<Login>(LOGIN_MFA, { email: u.email, password: PASSWORD });
    expect(again.data?.login.mfaRequired, again.raw).toBe(true);
  });
});

describe('SMS (N9)', () => {
  const lastTo = (to: string) => [...twilio.messages].reverse().find((m) => m.to === to);
  const codeIn = (body: string) => /^(\d{6}) /.exec(body)![1]!;

  it('N9: enrollPhone refuses a number that is not E.164; the Twilio sender delivers codes to a verified phone', async () => {
    const c = await browser();
    const e = email('sms');
    await c.gql(REGISTER, { email: e, password: PASSWORD, name: 'S' });
    const bad = await c.gql('mutation { enrollPhone(input: { phone: "555-1234" }) { factorId } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('PHONE');
    const phone = `+1555${String(Date.now() % 10_000_000).padStart(7, '0')}`;
    const en = await c.gql<{ enrollPhone: { factorId: string } }>(
      'mutation ($p: String!) { enrollPhone(input: { phone: $p }) { factorId } }',
      { p: phone },
    );
    expect(en.errors, en.raw).toBeUndefined();
    const first = lastTo(phone)!;
    expect(first.from).toBe('+15550000000');
    const wrong = codeIn(first.body) === '000000' ? '111111' : '000000';
    expect(
      (await c.gql('mutation ($c: String!) { verifyPhone(input: { code: $c }) { recoveryCodes } }', { c: wrong }))
        .errors?.[0]?.extensions?.code,
    ).toBe('MFAIN');
    const v = await c.gql<{ verifyPhone: { recoveryCodes: string[] } }>(
      'mutation ($c: String!) { verifyPhone(input: { code: $c }) { recoveryCodes } }',
      { c: codeIn(first.body) },
    );
    expect(v.data?.verifyPhone.recoveryCodes, v.raw).toHaveLength(10);

    const { c: c2, login } = await pending(e);
    expect(login.mfaFactors?.[0]?.kind).toBe('sms');
    const n = twilio.messages.length;
    const send = await c2.gql('mutation ($f: UUID!) { sendMfaSmsCode(input: { factorId: $f }) { success } }', {
      f: en.data!.enrollPhone.factorId,
    });
    expect(send.errors, send.raw).toBeUndefined();
    expect(twilio.messages.length).toBe(n + 1);
    const ok = await c2.gql<{ verifyMfa: { mfaRequired: boolean } }>(VERIFY, {
      f: en.data!.enrollPhone.factorId,
      c: codeIn(lastTo(phone)!.body),
    });
    expect(ok.data?.verifyMfa.mfaRequired, ok.raw).toBe(false);
    const claims = JSON.parse(Buffer.from((await c2.cookie('pgauth-at'))!.split('.')[1]!, 'base64url').toString());
    expect(claims.amr).toEqual(['pwd', 'sms', 'mfa']);
  });
});

describe('mfa_required_roles (N4)', () => {
  it('N4: an app role name (moderator) in mfa_required_roles counts too', async () => {
    const c = await browser();
    const e = email('moderator');
    const r = await c.gql<{ register: { userId: string } }>(REGISTER, { email: e, password: PASSWORD, name: 'M' });
    await owner(`insert into app_public.user_roles (user_id, role) values ($1, 'moderator')`, [
      r.data!.register.userId,
    ]);
    await owner(`update app_private.auth_config set mfa_required_roles = '{moderator}'`);
    try {
      expect((await pending(e)).login).toMatchObject({ mfaRequired: true, mfaFactors: [] });
    } finally {
      await owner(`update app_private.auth_config set mfa_required_roles = '{}'`);
    }
  });
  it('N4: a user whose role requires a factor signs in limited to enrolling one; after enrolment the role applies', async () => {
    const c = await browser();
    const e = email('required');
    const r = await c.gql<{ register: { userId: string } }>(REGISTER, { email: e, password: PASSWORD, name: 'R' });
    const id = r.data!.register.userId;
    await owner(`insert into app_public.role_grants (user_id, role) values ($1, 'manager')`, [id]);
    await owner(`update app_private.auth_config set mfa_required_roles = '{manager}'`);
    try {
      await c.gql(LOGOUT);
      const login = await c.gql<{ login: { role: string; mfaRequired: boolean; mfaFactors: unknown[] } }>(
        'mutation ($email: String!, $password: String!) { login(input: { email: $email, password: $password }) { role mfaRequired mfaFactors { id } } }',
        { email: e, password: PASSWORD },
      );
      expect(login.data?.login).toEqual({ role: 'app_user', mfaRequired: true, mfaFactors: [] });
      expect((await c.gql<{ currentUser: unknown }>(ME)).data?.currentUser).toBeNull();
      const t = (await c.gql<Enrolled>(ENROLL)).data!.enrollTotp;
      const v = await c.gql<{ verifyTotpEnrollment: { session: { mfaRequired: boolean } } }>(
        'mutation ($f: UUID!, $c: String!) { verifyTotpEnrollment(input: { factorId: $f, code: $c }) { session { role mfaRequired } } }',
        { f: t.factorId, c: code(t.secret) },
      );
      expect(v.data?.verifyTotpEnrollment.session, v.raw).toEqual({ role: 'manager', mfaRequired: false });
    } finally {
      await owner(`update app_private.auth_config set mfa_required_roles = '{}'`);
    }
  });
});

describe('SMS senders (SMS_PROVIDER)', () => {
  const cfg = {
    from: '+15550000000',
    twilioAccountSid: TWILIO_SID,
    twilioAuthToken: TWILIO_TOKEN,
    twilioApiUrl: '',
    webhookUrl: '',
  };
  it('webhook POSTs {to, body} as JSON', async () => {
    await smsSender({ ...cfg, provider: 'webhook', webhookUrl: `${twilio.url}/sms-webhook` }, false)(
      '+15551110000',
      'hi',
    );
    expect(twilio.hooks.at(-1)).toEqual({ to: '+15551110000', body: 'hi' });
  });
  it('twilio refuses to count a send the API refused (wrong credentials)', async () => {
    const send = smsSender({ ...cfg, provider: 'twilio', twilioApiUrl: twilio.url, twilioAuthToken: 'wrong' }, false);
    await expect(send('+15551110000', 'hi')).rejects.toThrow(/401/);
  });
});
