// C8: changing the password needs the current one, counts wrong guesses, and ends the
// user's other sessions while the current one keeps working.
import { afterAll, describe, expect, it } from 'vitest';
import { Client, LOGIN, PASSWORD, signedIn, useServer } from './server.ts';
import { closeOwner, owner } from './helpers.ts';

const srv = useServer({ TRUST_PROXY_HOPS: '1' });
afterAll(async () => {
  await closeOwner();
});

const CHANGE = `mutation ($o: String!, $n: String!) { changePassword(input: { oldPassword: $o, newPassword: $n }) { success } }`;
const ME = '{ currentUser { email } }';
const NEW = 'an entirely new passphrase';

async function secondBrowser(mail: string, password = PASSWORD): Promise<Client> {
  const c = new Client(srv.url);
  await c.csrf();
  const r = await c.gql(LOGIN, { email: mail, password });
  if (!(r.data as { login?: unknown } | undefined)?.login) throw new Error(r.raw);
  return c;
}

async function attempts(userId: string) {
  const [row] = await owner<{ failed_attempts: number; hash: string }>(
    'select failed_attempts, password_hash as hash from app_private.user_secrets where user_id = $1',
    [userId],
  );
  return row!;
}

describe('C8: password change', () => {
  it('C8: a wrong current password is refused (CREDS), counted, and changes nothing', async () => {
    const { client, userId, email } = await signedIn(srv, 'c8wrong');
    const before = await attempts(userId);
    const r = await client.gql<{ changePassword: unknown }>(CHANGE, { o: 'not my password', n: NEW });
    expect(r.data?.changePassword ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('CREDS');
    const after = await attempts(userId);
    expect(after.failed_attempts).toBe(before.failed_attempts + 1);
    expect(after.hash).toBe(before.hash);
    const other = await secondBrowser(email); // the old password still works
    expect((await other.gql<{ currentUser: { email: string } }>(ME)).data?.currentUser.email).toBe(email);
  });

  it('C8: changing the password ends the other sessions; this one keeps working; only the new password logs in', async () => {
    const { client, email } = await signedIn(srv, 'c8ok');
    const other = await secondBrowser(email);
    const native = await secondBrowser(email);
    expect((await other.gql<{ currentUser: unknown }>(ME)).data?.currentUser).not.toBeNull();

    const r = await client.gql<{ changePassword: { success: boolean } }>(CHANGE, { o: PASSWORD, n: NEW });
    expect(r.data?.changePassword.success).toBe(true);

    expect((await client.gql<{ currentUser: { email: string } }>(ME)).data?.currentUser.email).toBe(email);
    for (const c of [other, native]) {
      expect((await c.gql<{ currentUser: unknown }>(ME)).data?.currentUser).toBeNull();
      const refreshed = await c.gql('mutation { refresh { userId } }');
      expect(refreshed.errors?.[0]?.extensions?.code).toBe('TOKEN');
    }
    // The current session can still refresh.
    expect(
      (await client.gql<{ refresh: { userId: string } }>('mutation { refresh { userId } }')).data?.refresh.userId,
    ).toBeTruthy();

    const ip = { 'x-forwarded-for': `2001:db8:c8::${Math.floor(Math.random() * 0xffff).toString(16)}` };
    const oldPw = await new Client(srv.url, { origin: null }).gql(
      LOGIN,
      { email, password: PASSWORD },
      { headers: ip },
    );
    expect(oldPw.errors?.[0]?.extensions?.code).toBe('CREDS');
    const newPw = await new Client(srv.url, { origin: null }).gql(LOGIN, { email, password: NEW }, { headers: ip });
    expect(newPw.errors).toBeUndefined();
  });

  it('C8: the new password must meet the policy; a weak one is refused and the old one stays', async () => {
    const { client, email } = await signedIn(srv, 'c8weak');
    const r = await client.gql<{ changePassword: unknown }>(CHANGE, { o: PASSWORD, n: 'short' });
    expect(r.data?.changePassword ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('WEAKP');
    await secondBrowser(email, PASSWORD);
  });

  it('C8: anonymous callers cannot change a password', async () => {
    const c = new Client(srv.url);
    await c.csrf();
    const r = await c.gql<{ changePassword: unknown }>(CHANGE, { o: PASSWORD, n: NEW });
    expect(r.data?.changePassword ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toMatch(/^(LOGIN|DNIED)$/);
  });

  // Regression (fixed): app_hidden.change_password counts a wrong current password but never sets
  // locked_until and never checks it, so a stolen session can guess the current password
  // without limit (one guess per request) and then take the account over. The per-account
  // limit (C6) should apply here as it does to login.
  it('C6/C8 (!): after 5 wrong current passwords, changePassword is locked like login', async () => {
    const { client, userId } = await signedIn(srv, 'c8brute');
    for (let i = 0; i < 5; i++) {
      expect((await client.gql(CHANGE, { o: `guess number ${i}`, n: NEW })).errors?.[0]?.extensions?.code).toBe(
        'CREDS',
      );
    }
    const before = await attempts(userId);
    const r = await client.gql<{ changePassword: unknown }>(CHANGE, { o: PASSWORD, n: NEW });
    expect(r.data?.changePassword ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('RATEL');
    // C7: the right password during the lock changes nothing and is not counted.
    expect(await attempts(userId)).toEqual(before);
  });

  // C2/C1: a legacy (scheme 1) hash still verifies for the current password, and the change
  // stores a scheme 2 hash.
  it('C2: changing a password stored under the legacy scheme stores the new one under scheme 2', async () => {
    const { client, userId } = await signedIn(srv, 'c8legacy');
    await owner(
      `update app_private.user_secrets set password_scheme = 1,
         password_hash = public.crypt(app_private.password_input($2::text), public.gen_salt('bf', 10)) where user_id = $1`,
      [userId, PASSWORD],
    );
    const r = await client.gql<{ changePassword: { success: boolean } }>(CHANGE, { o: PASSWORD, n: NEW });
    expect(r.data?.changePassword.success, JSON.stringify(r.errors)).toBe(true);
    const [row] = await owner<{ password_scheme: number }>(
      'select password_scheme from app_private.user_secrets where user_id = $1',
      [userId],
    );
    expect(row?.password_scheme).toBe(2);
  });
});
