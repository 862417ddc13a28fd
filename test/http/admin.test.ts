// Administration through GraphQL (issue 12, O4): an admin finds a user, bans them (their
// session dies, refresh and sign-in refused), impersonates a normal user (the token's act
// claim and current_actor_id() name the admin), merges accounts and reads the audit log. Every
// mutation's refused side: a plain user (DNIED), anonymous (LOGIN), an admin on an admin (OUTRK).
import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeOwner, nativeUser, owner } from './helpers.ts';
import { Client, LOGIN, PASSWORD, REFRESH, signedIn, useServer } from './server.ts';

const srv = useServer();

interface Browser {
  client: Client;
  email: string;
  userId: string;
}

/** A signed-in browser whose user holds the admin application role (granted as the owner). */
async function admin(tag = 'admin'): Promise<Browser> {
  const b = await signedIn(srv, tag);
  await owner(`insert into app_public.user_roles (user_id, role) values ($1, 'admin')`, [b.userId]);
  const r = await b.client.gql<{ refresh: { userId: string } }>(REFRESH);
  if (!r.data?.refresh) throw new Error(r.raw);
  return b;
}

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

let root: Browser;
let other: Browser;
beforeAll(async () => {
  root = await admin('root');
  other = await admin('root2');
});
afterAll(closeOwner);

describe('admin GraphQL', () => {
  it('adminUsers finds a user by search, with roles and providers; keyset pages', async () => {
    const u = await signedIn(srv, 'findme');
    const r = await root.client.gql<{ adminUsers: { nodes: { rowId: string; email: string; roles: string[] }[] } }>(
      `query ($s: String!) { adminUsers(search: $s) { nodes { rowId email roles providers isBanned factorCount lastSignInAt createdAt } } }`,
      { s: u.email.toUpperCase() },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.adminUsers.nodes.map((n) => n.rowId)).toEqual([u.userId]);
    expect(r.data!.adminUsers.nodes[0]!.roles).toContain('user');

    const page = `query ($c: Datetime, $i: UUID) { adminUsers(maxRows: 2, beforeCreatedAt: $c, beforeId: $i) { nodes { rowId createdAt } } }`;
    const p1 = await root.client.gql<{ adminUsers: { nodes: { rowId: string; createdAt: string }[] } }>(page);
    const last = p1.data!.adminUsers.nodes[1]!;
    const p2 = await root.client.gql<{ adminUsers: { nodes: { rowId: string; createdAt: string }[] } }>(page, {
      c: last.createdAt,
      i: last.rowId,
    });
    expect(p2.data!.adminUsers.nodes.length).toBeGreaterThan(0);
    expect(p2.data!.adminUsers.nodes.map((n) => n.rowId)).not.toContain(last.rowId);
    expect(new Date(p2.data!.adminUsers.nodes[0]!.createdAt) <= new Date(last.createdAt)).toBe(true);
  });

  it('adminUser shows sessions, identities and recent audit', async () => {
    const u = await signedIn(srv, 'detail');
    const r = await root.client.gql<{
      adminUser: {
        account: { email: string };
        sessions: { rowId: string }[];
        identities: unknown[];
        recentAudit: unknown[];
      };
    }>(
      `query ($id: UUID!) { adminUser(id: $id) { account { email } sessions { rowId aal actorId } identities { provider } recentAudit } }`,
      { id: u.userId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.adminUser.account.email).toBe(u.email);
    expect(r.data?.adminUser.sessions.length).toBe(1);
    expect(r.data?.adminUser.recentAudit.length).toBeGreaterThan(0);
  });

  it('O4: a plain user and anonymous are refused the admin API', async () => {
    const u = await signedIn(srv, 'plain');
    const victim = await signedIn(srv, 'victim');
    const ban = `mutation ($id: UUID!) { banUser(input: { userId: $id, reason: "x" }) { result { isBanned } } }`;
    const r = await u.client.gql(ban, { id: victim.userId });
    expect(code(r)).toBe('DNIED');
    expect(r.status).toBe(403);
    expect(code(await u.client.gql(`{ adminUsers { nodes { rowId } } }`))).toBe('DNIED');
    for (const m of [
      `mutation ($id: UUID!) { unbanUser(input: { userId: $id }) { clientMutationId } }`,
      `mutation ($id: UUID!) { adminRevokeSessions(input: { userId: $id }) { result } }`,
      `mutation ($id: UUID!) { adminUnlinkIdentity(input: { userId: $id, provider: "gh" }) { clientMutationId } }`,
      `mutation ($id: UUID!) { adminSetRoles(input: { userId: $id, roles: ["admin"] }) { clientMutationId } }`,
      `mutation ($id: UUID!) { adminDeleteUser(input: { userId: $id }) { result } }`,
      `mutation ($id: UUID!) { adminResetMfa(input: { userId: $id }) { clientMutationId } }`,
      `mutation ($id: UUID!) { mergeUsers(input: { sourceId: $id, targetId: $id }) { clientMutationId } }`,
      `mutation ($id: UUID!) { impersonateUser(input: { userId: $id, reason: "x" }) { userId } }`,
    ]) {
      expect(code(await u.client.gql(m, { id: victim.userId })), m).toBe('DNIED');
    }
    const anon = new Client(srv.url);
    await anon.csrf();
    expect(code(await anon.gql(ban, { id: victim.userId }))).toBe('LOGIN');
  });

  it('O4: an admin cannot act on another admin (OUTRK)', async () => {
    const r = await root.client.gql(
      `mutation ($id: UUID!) { banUser(input: { userId: $id, reason: "x" }) { result { isBanned } } }`,
      {
        id: other.userId,
      },
    );
    expect(code(r)).toBe('OUTRK');
    expect(r.status).toBe(403);
    const imp = await root.client.gql(
      `mutation ($id: UUID!) { impersonateUser(input: { userId: $id, reason: "x" }) { userId } }`,
      {
        id: other.userId,
      },
    );
    expect(code(imp)).toBe('OUTRK');
  });

  it('O4: every admin mutation is refused (OUTRK, 403) on an equal role and, from a manager-rank role with admin:*, on a higher one; nothing changes', async () => {
    await owner(
      `insert into app_public.app_roles (name, db_role) values ('helpdesk_o4', 'manager') on conflict do nothing`,
    );
    await owner(
      `insert into app_public.role_permissions (role, permission) values ('helpdesk_o4', 'admin:*') on conflict do nothing`,
    );
    const desk = await signedIn(srv, 'helpdesk-o4');
    await owner(`insert into app_public.user_roles (user_id, role) values ($1, 'helpdesk_o4')`, [desk.userId]);
    const peer = await signedIn(srv, 'manager-o4');
    await owner(`insert into app_public.user_roles (user_id, role) values ($1, 'manager')`, [peer.userId]);
    const plain = await signedIn(srv, 'plain-o4');
    const mutations = [
      `mutation ($id: UUID!) { banUser(input: { userId: $id, reason: "x" }) { clientMutationId } }`,
      `mutation ($id: UUID!) { unbanUser(input: { userId: $id }) { clientMutationId } }`,
      `mutation ($id: UUID!) { adminRevokeSessions(input: { userId: $id }) { result } }`,
      `mutation ($id: UUID!) { adminUnlinkIdentity(input: { userId: $id, provider: "gh", force: true, reason: "x" }) { clientMutationId } }`,
      `mutation ($id: UUID!) { adminSetRoles(input: { userId: $id, roles: [] }) { clientMutationId } }`,
      `mutation ($id: UUID!) { adminDeleteUser(input: { userId: $id }) { result } }`,
      `mutation ($id: UUID!) { adminResetMfa(input: { userId: $id }) { clientMutationId } }`,
      `mutation ($id: UUID!, $p: UUID!) { mergeUsers(input: { sourceId: $id, targetId: $p }) { clientMutationId } }`,
      `mutation ($id: UUID!, $p: UUID!) { mergeUsers(input: { sourceId: $p, targetId: $id }) { clientMutationId } }`,
      `mutation ($id: UUID!) { impersonateUser(input: { userId: $id, reason: "x" }) { userId } }`,
    ];
    const cases: [Browser, string, string][] = [
      [root, other.userId, 'admin on another admin'],
      [root, root.userId, 'admin on themself'],
      [desk, root.userId, 'manager-rank admin:* on an admin'],
      [desk, peer.userId, 'manager-rank admin:* on a manager'],
    ];
    for (const [who, target, label] of cases) {
      for (const m of mutations) {
        const r = await who.client.gql(m, { id: target, p: plain.userId });
        expect(code(r), `${label}: ${m}`).toBe('OUTRK');
        expect(r.status, `${label}: ${m}`).toBe(403);
      }
    }
    // The targets were not touched: their sessions are alive.
    for (const t of [other, peer]) {
      const me = await t.client.gql<{ currentUser: { email: string } | null }>(`{ currentUser { email } }`);
      expect(me.data?.currentUser?.email).toBe(t.email);
    }
    // Leave no role behind for the files that run after this one.
    await owner(`delete from app_public.user_roles where role = 'helpdesk_o4'`);
    await owner(`delete from app_public.role_permissions where role = 'helpdesk_o4'`);
    await owner(`delete from app_public.app_roles where name = 'helpdesk_o4'`);
  });

  it('O5: a plain user is refused every webhook operation (DNIED, 403)', async () => {
    const u = await signedIn(srv, 'plain-hooks');
    const id = '00000000-0000-4000-8000-000000000000';
    for (const q of [
      `mutation { adminCreateWebhookEndpoint(input: { url: "https://hooks.example.com/x" }) { id } }`,
      `mutation { adminDeleteWebhookEndpoint(input: { id: "${id}" }) { clientMutationId } }`,
      `mutation { adminRetryWebhookDelivery(input: { id: "${id}" }) { clientMutationId } }`,
      `{ adminWebhookEndpoints { nodes { rowId } } }`,
      `{ adminWebhookDeliveries { nodes { rowId } } }`,
    ]) {
      const r = await u.client.gql(q);
      expect(code(r), q).toBe('DNIED');
      expect(r.status, q).toBe(403);
    }
  });

  it('banUser: the session dies at once, refresh fails (TOKEN), sign-in refused (BANND); unbanUser lets them back', async () => {
    const v = await signedIn(srv, 'banned');
    expect(
      (await v.client.gql<{ currentUser: { email: string } }>(`{ currentUser { email } }`)).data?.currentUser?.email,
    ).toBe(v.email);
    const r = await root.client.gql<{ banUser: { result: { isBanned: boolean; banReason: string } } }>(
      `mutation ($id: UUID!) { banUser(input: { userId: $id, reason: "spam" }) { result { isBanned banReason } } }`,
      { id: v.userId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.banUser.result).toEqual({ isBanned: true, banReason: 'spam' });
    expect((await v.client.gql(`{ currentUser { email } }`)).data).toEqual({ currentUser: null });
    expect(code(await v.client.gql(REFRESH))).toBe('TOKEN');
    const login = await new Client(srv.url, { origin: null }).gql(
      LOGIN,
      { email: v.email, password: PASSWORD },
      {
        headers: { 'x-token-delivery': 'body' },
      },
    );
    expect(code(login)).toBe('BANND');
    expect(login.status).toBe(403);
    const audit = await owner<{ actor_user_id: string }>(
      `select actor_user_id from app_public.audit_log where event = 'user_banned' and target_id = $1`,
      [v.userId],
    );
    expect(audit).toEqual([{ actor_user_id: root.userId }]);

    await root.client.gql(`mutation ($id: UUID!) { unbanUser(input: { userId: $id }) { clientMutationId } }`, {
      id: v.userId,
    });
    const again = await new Client(srv.url, { origin: null }).gql<{ login: { userId: string } }>(
      LOGIN,
      { email: v.email, password: PASSWORD },
      { headers: { 'x-token-delivery': 'body' } },
    );
    expect(again.data?.login.userId).toBe(v.userId);

    // A time-limited ban, as the README shows it.
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const timed = await root.client.gql<{ banUser: { result: { isBanned: boolean; bannedUntil: string } } }>(
      `mutation ($id: UUID!, $u: Datetime!) { banUser(input: { userId: $id, reason: "cool-off", until: $u }) { result { isBanned bannedUntil } } }`,
      { id: v.userId, u: until },
    );
    expect(timed.data?.banUser.result.isBanned).toBe(true);
    expect(new Date(timed.data!.banUser.result.bannedUntil).toISOString()).toBe(until);
    const filtered = await root.client.gql<{ adminUsers: { nodes: { rowId: string }[] } }>(
      `query ($s: String!) { adminUsers(search: $s, banned: true) { nodes { rowId } } }`,
      { s: v.email },
    );
    expect(filtered.data?.adminUsers.nodes).toEqual([{ rowId: v.userId }]);
  });

  it('O4: impersonateUser: act.sub is the admin in every token, currentActor in SQL, audited on both; stopImpersonating ends it', async () => {
    const u = await nativeUser(srv, 'impersonated');
    const adminNative = new Client(srv.url, { origin: null });
    const adminTokens = await adminNative.gql<{ login: { accessToken: string } }>(
      LOGIN,
      { email: root.email, password: PASSWORD },
      { headers: { 'x-token-delivery': 'body' } },
    );
    const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}`, 'x-token-delivery': 'body' } });
    const r = await adminNative.gql<{
      impersonateUser: { userId: string; accessToken: string; refreshToken: string; accessTokenExpiresAt: string };
    }>(
      `mutation ($id: UUID!) { impersonateUser(input: { userId: $id, reason: "ticket 7" }) { userId sessionId accessToken refreshToken accessTokenExpiresAt } }`,
      { id: u.userId },
      bearer(adminTokens.data!.login.accessToken),
    );
    expect(r.errors).toBeUndefined();
    const imp = r.data!.impersonateUser;
    const claims = decodeJwt(imp.accessToken);
    expect(claims.sub).toBe(u.userId);
    expect(claims.act).toEqual({ sub: root.userId });
    expect(claims.role).toBe('app_user');

    const who = await adminNative.gql<{ currentUser: { email: string }; currentActor: string }>(
      `{ currentUser { email } currentActor }`,
      {},
      bearer(imp.accessToken),
    );
    expect(who.data).toEqual({ currentUser: { email: u.email }, currentActor: root.userId });
    // The user's own session knows no actor.
    const own = await adminNative.gql<{ currentActor: string | null }>(`{ currentActor }`, {}, bearer(u.accessToken));
    expect(own.data?.currentActor).toBeNull();
    // The impersonation has the user's rights, not the admin's.
    expect(code(await adminNative.gql(`{ adminUsers { nodes { rowId } } }`, {}, bearer(imp.accessToken)))).toBe(
      'DNIED',
    );

    // O4: nothing that outlives the impersonation can be minted in it (an API key would be an
    // unmarked credential of the user until its expiry; a new password or factor likewise).
    const key = await adminNative.gql(
      `mutation { createApiKey(input: { name: "outlives", expiresAt: "2099-01-01T00:00:00Z" }) { result { key } } }`,
      {},
      bearer(imp.accessToken),
    );
    expect(code(key)).toBe('DNIED');
    const pw = await adminNative.gql(
      `mutation ($o: String!) { changePassword(input: { oldPassword: $o, newPassword: "an admin-chosen password" }) { success } }`,
      { o: PASSWORD },
      bearer(imp.accessToken),
    );
    expect(code(pw)).toBe('DNIED');
    expect(
      await owner(`select 1 from app_public.api_keys where user_id = $1 and name = 'outlives'`, [u.userId]),
    ).toEqual([]);

    // A refreshed token still says who acts.
    const ref = await adminNative.gql<{ refresh: { accessToken: string; refreshToken: string } }>(
      REFRESH,
      { t: imp.refreshToken },
      {
        headers: { 'x-token-delivery': 'body' },
      },
    );
    expect(decodeJwt(ref.data!.refresh.accessToken).act).toEqual({ sub: root.userId });
    const [session] = await owner<{ ttl: number }>(
      `select extract(epoch from expires_at - created_at)::int as ttl from app_private.sessions where id = $1`,
      [claims.sid],
    );
    expect(session!.ttl).toBeLessThanOrEqual(3600);

    const events = await owner<{ event: string; target_id: string }>(
      `select event, target_id from app_public.audit_log where event in ('impersonation_started', 'impersonating')
         and detail ->> 'session' = $1 order by event`,
      [claims.sid],
    );
    expect(events).toEqual([
      { event: 'impersonating', target_id: root.userId },
      { event: 'impersonation_started', target_id: u.userId },
    ]);

    const stop = await adminNative.gql<{ stopImpersonating: { success: boolean } }>(
      `mutation { stopImpersonating { success } }`,
      {},
      bearer(ref.data!.refresh.accessToken),
    );
    expect(stop.data?.stopImpersonating.success).toBe(true);
    expect(
      code(
        await adminNative.gql(
          REFRESH,
          { t: ref.data!.refresh.refreshToken },
          { headers: { 'x-token-delivery': 'body' } },
        ),
      ),
    ).toBe('TOKEN');
    expect(code(await adminNative.gql(`mutation { stopImpersonating { success } }`, {}, bearer(u.accessToken)))).toBe(
      'NOIMP',
    );
  });

  it('mergeUsers moves identities and factors, disables the source; refused on conflicting providers (MRGCF)', async () => {
    const src = await signedIn(srv, 'src');
    const dst = await signedIn(srv, 'dst');
    await owner(
      `insert into app_public.user_identities (user_id, provider, issuer, subject) values ($1, 'gh', 'https://gh.example', $3), ($2, 'corp', 'https://corp.example', $3)`,
      [src.userId, dst.userId, `s-${src.userId}`],
    );
    await owner(`insert into app_private.mfa_factors (user_id, kind, status) values ($1, 'totp', 'active')`, [
      src.userId,
    ]);
    const r = await root.client.gql<{ mergeUsers: { result: { providers: string[]; factorCount: number } } }>(
      `mutation ($s: UUID!, $t: UUID!) { mergeUsers(input: { sourceId: $s, targetId: $t }) { result { providers factorCount } } }`,
      { s: src.userId, t: dst.userId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.mergeUsers.result).toEqual({ providers: ['corp', 'gh'], factorCount: 1 });
    expect((await src.client.gql(`{ currentUser { email } }`)).data).toEqual({ currentUser: null });

    const third = await signedIn(srv, 'third');
    await owner(
      `insert into app_public.user_identities (user_id, provider, issuer, subject) values ($1, 'gh', 'https://gh.example', $2)`,
      [third.userId, `t-${third.userId}`],
    );
    const refused = await root.client.gql(
      `mutation ($s: UUID!, $t: UUID!) { mergeUsers(input: { sourceId: $s, targetId: $t }) { clientMutationId } }`,
      { s: third.userId, t: dst.userId },
    );
    expect(code(refused)).toBe('MRGCF');
    expect(refused.status).toBe(409);
  });

  it('adminAuditLog filters by user and event, pages by id', async () => {
    const v = await signedIn(srv, 'audited');
    await root.client.gql(`mutation ($id: UUID!) { adminRevokeSessions(input: { userId: $id }) { result } }`, {
      id: v.userId,
    });
    const r = await root.client.gql<{
      adminAuditLog: { nodes: { rowId: string; event: string; actorUserId: string }[] };
    }>(
      `query ($u: UUID!) { adminAuditLog(userId: $u, event: "admin_sessions_revoked") { nodes { rowId event actorUserId } } }`,
      { u: v.userId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.adminAuditLog.nodes.map((n) => [n.event, n.actorUserId])).toEqual([
      ['admin_sessions_revoked', root.userId],
    ]);
    const p1 = await root.client.gql<{ adminAuditLog: { nodes: { rowId: string }[] } }>(
      `{ adminAuditLog(maxRows: 2) { nodes { rowId } } }`,
    );
    expect(p1.errors).toBeUndefined();
    const lastId = p1.data!.adminAuditLog.nodes[1]!.rowId;
    const p2 = await root.client.gql<{ adminAuditLog: { nodes: { rowId: string }[] } }>(
      `query ($b: BigInt!) { adminAuditLog(maxRows: 2, beforeId: $b) { nodes { rowId } } }`,
      { b: lastId },
    );
    expect(p2.errors).toBeUndefined();
    expect(p2.data!.adminAuditLog.nodes.every((n) => BigInt(n.rowId) < BigInt(lastId))).toBe(true);
  });

  it('adminSetRoles, adminResetMfa, adminDeleteUser through GraphQL', async () => {
    const v = await signedIn(srv, 'roles');
    const roles = await root.client.gql<{ adminSetRoles: { result: { roles: string[] } } }>(
      `mutation ($id: UUID!) { adminSetRoles(input: { userId: $id, roles: ["moderator"] }) { result { roles } } }`,
      { id: v.userId },
    );
    expect(roles.data?.adminSetRoles.result.roles).toEqual(['moderator', 'user']);
    await owner(`insert into app_private.mfa_factors (user_id, kind, status) values ($1, 'totp', 'active')`, [
      v.userId,
    ]);
    const mfa = await root.client.gql<{ adminResetMfa: { result: { factorCount: number } } }>(
      `mutation ($id: UUID!) { adminResetMfa(input: { userId: $id }) { result { factorCount } } }`,
      { id: v.userId },
    );
    expect(mfa.data?.adminResetMfa.result.factorCount).toBe(0);
    const del = await root.client.gql<{ adminDeleteUser: { result: boolean } }>(
      `mutation ($id: UUID!) { adminDeleteUser(input: { userId: $id }) { result } }`,
      { id: v.userId },
    );
    expect(del.data?.adminDeleteUser.result).toBe(true);
    const [row] = await owner<{ email: string }>(`select email::text from app_public.users where id = $1`, [v.userId]);
    expect(row!.email).toBe(`deleted-${v.userId}@deleted.invalid`);
    expect(code(await new Client(srv.url, { origin: null }).gql(LOGIN, { email: v.email, password: PASSWORD }))).toBe(
      'CREDS',
    );
  });

  it("the README's Administration examples are valid GraphQL and run as shown", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(
      readme.indexOf('## Administration'),
      readme.indexOf('\n## ', readme.indexOf('## Administration') + 5),
    );
    const docs = [...section.matchAll(/^gql '(\{.*\})'/gm)].map((m) => m[1]!);
    expect(docs.length).toBeGreaterThan(10);
    const a = await admin('readme');
    const u = await signedIn(srv, 'readme-user');
    const u2 = await signedIn(srv, 'readme-user2');
    const u3 = await signedIn(srv, 'readme-user3'); // impersonated (u is deleted by then)
    for (const d of docs) {
      const body = d
        .replaceAll('<id2>', u2.userId)
        .replaceAll('<id>', d.includes('impersonateUser') ? u3.userId : u.userId)
        .replaceAll('bob@', u.email);
      const res = await a.client.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const json = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
      const c = json.errors?.[0]?.extensions?.code;
      // Only the unlink meets a rule here (the user has no provider): every document validates.
      expect([undefined, d.includes('adminUnlinkIdentity') ? 'NTFND' : undefined], d).toContain(c);
    }
  });
});
