// Sessions through the browser path: new values at login (D5), logout/revocation/disable on
// the next request (D6), lifetimes (D7) and the refresh-token ledger under reuse (F2, F4, F5).
import { afterAll, describe, expect, it } from 'vitest';
import { Client, LOGIN, LOGOUT, PASSWORD, REFRESH, signedIn, useServer } from './server.ts';
import { closeOwner, owner, rawPost, uniqueIp } from './helpers.ts';

// TRUST_PROXY_HOPS=1 so the one failing login below lands on its own address, not 127.0.0.1.
const srv = useServer({ TRUST_PROXY_HOPS: '1' });
afterAll(async () => {
  await closeOwner();
});

const ME = '{ currentUser { email } }';
const SESSIONS = '{ mySessions { nodes { rowId isCurrent } } }';
type Sessions = { mySessions: { nodes: { rowId: string; isCurrent: boolean }[] } };

async function cookies(c: Client) {
  return { at: await c.cookie('pgauth-at'), rt: await c.cookie('pgauth-rt'), csrf: await c.cookie('pgauth-csrf') };
}

/** Replays cookie values by hand, the way a thief holding them would. */
function replay(query: string, jar: { at?: string; rt?: string; csrf?: string }) {
  const cookie = [
    jar.at && `pgauth-at=${jar.at}`,
    jar.rt && `pgauth-rt=${jar.rt}`,
    jar.csrf && `pgauth-csrf=${jar.csrf}`,
  ]
    .filter(Boolean)
    .join('; ');
  return rawPost(srv, { query }, { origin: srv.url, cookie, ...(jar.csrf ? { 'x-csrf-token': jar.csrf } : {}) });
}

/** A CSRF token minted for whatever session the given access cookie names. */
async function freshCsrf(at: string): Promise<string> {
  const res = await fetch(`${srv.url}/auth/csrf`, { headers: { cookie: `pgauth-at=${at}` } });
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

const clearedCookies = (h: Headers) =>
  h.getSetCookie().filter((c) => /^pgauth-(at|rt)=/.test(c) && /max-age=0|expires=thu, 01 jan 1970/i.test(c)).length;

describe('D5: login issues new values', () => {
  it('D5 (!): login replaces the anonymous CSRF token, which then no longer works', async () => {
    const { email } = await signedIn(srv, 'd5');
    const c = new Client(srv.url);
    await c.csrf();
    const anon = (await c.cookie('pgauth-csrf'))!;
    expect(anon.startsWith('anon.')).toBe(true);
    expect((await c.gql(LOGIN, { email, password: PASSWORD })).errors).toBeUndefined();
    const after = await cookies(c);
    expect(after.csrf).not.toBe(anon);
    expect(after.at && after.rt).toBeTruthy();
    const r = await c.gql('mutation { logoutOtherSessions { count } }', {}, { headers: { 'x-csrf-token': anon } });
    expect(r.status).toBe(403);
    const both = await replay(ME, { at: after.at, csrf: anon });
    expect(both.status).toBe(403);
  });

  it('D5 (!): logging in again in the same browser gives a new session and all-new cookies', async () => {
    const { client, email } = await signedIn(srv, 'd5again');
    const first = await cookies(client);
    const firstSid = (await client.gql<Sessions>(SESSIONS)).data!.mySessions.nodes.find((n) => n.isCurrent)!.rowId;
    const r = await client.gql<{ login: { sessionId: string } }>(LOGIN, { email, password: PASSWORD });
    expect(r.data?.login.sessionId).not.toBe(firstSid);
    const second = await cookies(client);
    for (const k of ['at', 'rt', 'csrf'] as const) expect(second[k], k).not.toBe(first[k]);
    // The old CSRF token is bound to the old session and does not work with the new cookies.
    expect((await replay(ME, { at: second.at, rt: second.rt, csrf: first.csrf })).status).toBe(403);
  });
});

describe('D6: logout, revocation and disable take effect on the next request', () => {
  it('D6 (!): after logout the old, unexpired access cookie sees currentUser null', async () => {
    const { client } = await signedIn(srv, 'd6out');
    const old = await cookies(client);
    expect((await client.gql<{ logout: { success: boolean } }>(LOGOUT)).data?.logout.success).toBe(true);
    for (const csrf of [old.csrf!, await freshCsrf(old.at!)]) {
      const r = await replay(ME, { at: old.at, csrf });
      expect(r.status, r.raw).toBe(200);
      expect(r.json?.data?.currentUser).toBeNull();
    }
    const again = await replay(REFRESH, { rt: old.rt, csrf: old.csrf });
    expect(again.json?.errors?.[0]?.extensions?.code).toBe('TOKEN');
  });

  it('D6 (!): revokeSession ends another session on its next request; another user cannot revoke it', async () => {
    const a1 = await signedIn(srv, 'd6rev');
    const a2 = new Client(srv.url);
    await a2.csrf();
    await a2.gql(LOGIN, { email: a1.email, password: PASSWORD });
    const list = (await a1.client.gql<Sessions>(SESSIONS)).data!.mySessions.nodes;
    expect(list).toHaveLength(2);
    expect(list.filter((n) => n.isCurrent)).toHaveLength(1);
    const otherId = list.find((n) => !n.isCurrent)!.rowId;

    const mallory = await signedIn(srv, 'd6mallory');
    const foreign = await mallory.client.gql<{ revokeSession: { count: number } }>(
      'mutation ($id: UUID!) { revokeSession(input: { id: $id }) { count } }',
      { id: otherId },
    );
    expect(foreign.data?.revokeSession.count ?? 0).toBe(0);
    expect((await a2.gql<{ currentUser: unknown }>(ME)).data?.currentUser).not.toBeNull();

    const r = await a1.client.gql<{ revokeSession: { count: number } }>(
      'mutation ($id: UUID!) { revokeSession(input: { id: $id }) { count } }',
      { id: otherId },
    );
    expect(r.data?.revokeSession.count).toBe(1);
    expect((await a2.gql<{ currentUser: unknown }>(ME)).data?.currentUser).toBeNull();
    expect((await a2.gql(REFRESH)).errors?.[0]?.extensions?.code).toBe('TOKEN');
    expect((await a1.client.gql<{ currentUser: unknown }>(ME)).data?.currentUser).not.toBeNull();
  });

  it('D6 (!): disabling a user ends their sessions on the next request; refresh fails and clears cookies', async () => {
    const { client, userId, email } = await signedIn(srv, 'd6dis');
    await owner('update app_public.users set disabled_at = now() where id = $1', [userId]);
    expect((await client.gql<{ currentUser: unknown }>(ME)).data?.currentUser).toBeNull();
    const r = await client.gql(REFRESH);
    expect(r.errors?.[0]?.extensions?.code).toBe('TOKEN');
    expect(clearedCookies(r.headers)).toBe(2);
    const fresh = new Client(srv.url, { origin: null });
    const login = await fresh.gql(
      LOGIN,
      { email, password: PASSWORD },
      { headers: { 'x-token-delivery': 'body', 'x-forwarded-for': uniqueIp() } },
    );
    expect((login.data as { login?: unknown } | undefined)?.login ?? null).toBeNull();
    expect(login.errors?.[0]?.extensions?.code).toBe('CREDS');
  });
});

describe('D7: lifetimes hold under continuous refresh', () => {
  it('D7: past the absolute lifetime, the access token and refresh both stop working', async () => {
    const { client, userId } = await signedIn(srv, 'd7abs');
    await owner(`update app_private.sessions set expires_at = now() - interval '1 second' where user_id = $1`, [
      userId,
    ]);
    expect((await client.gql<{ currentUser: unknown }>(ME)).data?.currentUser).toBeNull();
    expect((await client.gql(REFRESH)).errors?.[0]?.extensions?.code).toBe('TOKEN');
  });

  it('D7: an idle refresh token expires, and no refresh extends a token past the absolute lifetime', async () => {
    const { client, userId } = await signedIn(srv, 'd7idle');
    await owner(`update app_private.sessions set expires_at = now() + interval '1 minute' where user_id = $1`, [
      userId,
    ]);
    expect((await client.gql(REFRESH)).errors).toBeUndefined();
    const [row] = await owner<{ ok: boolean }>(
      `select bool_and(rt.expires_at <= s.expires_at) as ok from app_private.refresh_tokens rt
      join app_private.sessions s on s.id = rt.session_id where s.user_id = $1 and rt.rotated_at is null`,
      [userId],
    );
    expect(row!.ok).toBe(true);
    await owner(
      `update app_private.refresh_tokens set expires_at = now() - interval '1 second'
      where rotated_at is null and session_id in (select id from app_private.sessions where user_id = $1)`,
      [userId],
    );
    expect((await client.gql(REFRESH)).errors?.[0]?.extensions?.code).toBe('TOKEN');
  });
});

describe('F: refresh-token reuse', () => {
  it('F2/F4 (!): replaying a rotated token after the grace window revokes the family, newest token included, durably', async () => {
    const { client } = await signedIn(srv, 'reuse');
    const old = await cookies(client);
    const r1 = await client.gql<{ refresh: { sessionId: string } }>(REFRESH);
    const sid = r1.data!.refresh.sessionId;
    const newest = await cookies(client);
    expect(newest.rt).not.toBe(old.rt);
    await owner(
      `update app_private.refresh_tokens set rotated_at = rotated_at - interval '1 minute'
      where session_id = $1 and rotated_at is not null`,
      [sid],
    );

    const reuse = await replay(REFRESH, { at: newest.at, rt: old.rt, csrf: newest.csrf });
    expect(reuse.json?.data?.refresh ?? null).toBeNull();
    expect(reuse.json?.errors?.[0]?.extensions?.code).toBe('REUSE');
    expect(clearedCookies(reuse.headers)).toBe(2);

    const [s] = await owner<{ revoked_reason: string | null }>(
      'select revoked_reason from app_private.sessions where id = $1',
      [sid],
    );
    expect(s!.revoked_reason).toBe('refresh_token_reuse');
    // The newest token is dead too (F2), and the grace window does not bring it back (F4).
    for (let i = 0; i < 2; i++) {
      const n = await replay(REFRESH, { at: newest.at, rt: newest.rt, csrf: newest.csrf });
      expect(n.json?.data?.refresh ?? null).toBeNull();
      expect(n.json?.errors?.[0]?.extensions?.code).toBe('TOKEN');
    }
    // The unexpired access token of the family is dead as well (D6).
    expect((await replay(ME, { at: newest.at, csrf: newest.csrf })).json?.data?.currentUser).toBeNull();
  });

  it('F5: inside the grace window only the immediate predecessor answers; an older token is reuse', async () => {
    const { client, userId } = await signedIn(srv, 'grace');
    const t0 = await cookies(client);
    await client.gql(REFRESH);
    const t1 = await cookies(client);
    const again = await replay(REFRESH, { at: t1.at, rt: t0.rt, csrf: t1.csrf });
    expect(again.json?.data?.refresh?.userId).toBe(userId); // immediate predecessor: same successor
    expect(
      again.headers
        .getSetCookie()
        .find((c) => c.startsWith('pgauth-rt='))
        ?.split(';')[0],
    ).toBe(`pgauth-rt=${t1.rt}`);
    await client.gql(REFRESH);
    const t2 = await cookies(client);
    const stale = await replay(REFRESH, { at: t2.at, rt: t0.rt, csrf: t2.csrf });
    expect(stale.json?.errors?.[0]?.extensions?.code).toBe('REUSE');
    expect((await client.gql(REFRESH)).errors?.[0]?.extensions?.code).toBe('TOKEN');
  });

  it('mySessions lists the live sessions with exactly one isCurrent', async () => {
    const { client, email } = await signedIn(srv, 'mine');
    const second = new Client(srv.url);
    await second.csrf();
    await second.gql(LOGIN, { email, password: PASSWORD });
    for (const c of [client, second]) {
      const nodes = (await c.gql<Sessions>(SESSIONS)).data!.mySessions.nodes;
      expect(nodes).toHaveLength(2);
      expect(nodes.filter((n) => n.isCurrent)).toHaveLength(1);
    }
  });
});
