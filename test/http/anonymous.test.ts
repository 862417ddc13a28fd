// Anonymous users over HTTP (issue 15, Q4): signInAnonymously is off by default (ANOFF),
// limited per address, and a user who later registers keeps its id and its documents, while
// an unverified address grants nothing (a domain rule does not fire until verification).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeOwner, owner, uniqueIp } from './helpers.ts';
import { Client, email, PASSWORD, REGISTER, useServer } from './server.ts';

const srv = useServer({ TRUST_PROXY_HOPS: '1' });
const SIGN_IN = 'mutation { signInAnonymously { userId sessionId role } }';
const ME = '{ currentUser { rowId email isAnonymous emailVerified } visibleDocuments { nodes { rowId fullUrl } } }';
const CREATE_DOC = `mutation ($u: String!) { createDocument(input: { document: { fullUrl: $u } }) { document { rowId } } }`;
const DOMAIN = `anon-${process.pid}.example`;

/** The payload of the browser's access-token cookie. */
async function tokenClaims(client: Client): Promise<Record<string, unknown>> {
  const at = await client.cookie('pgauth-at');
  expect(at).toBeTruthy();
  return JSON.parse(Buffer.from(at!.split('.')[1]!, 'base64url').toString('utf8'));
}

async function anonymousBrowser(ip = uniqueIp()) {
  const client = new Client(srv.url);
  await client.csrf();
  const r = await client.gql<{ signInAnonymously: { userId: string; role: string } }>(
    SIGN_IN,
    {},
    { headers: { 'x-forwarded-for': ip } },
  );
  return { client, r };
}

let before: boolean;
beforeAll(async () => {
  const [row] = await owner<{ anonymous_sign_in_enabled: boolean }>(
    'select anonymous_sign_in_enabled from app_private.auth_config',
  );
  before = row!.anonymous_sign_in_enabled;
});
afterAll(async () => {
  await owner('update app_private.auth_config set anonymous_sign_in_enabled = $1', [before]);
  await owner('delete from app_public.role_domain_rules where domain = $1', [DOMAIN]);
  await closeOwner();
});

describe('anonymous users', () => {
  it('Q4: anonymous sign-in is off by default: ANOFF, no session', async () => {
    expect(before).toBe(false);
    const { client, r } = await anonymousBrowser();
    expect(r.status).toBe(403);
    expect(r.errors?.[0]?.extensions?.code).toBe('ANOFF');
    expect(await client.cookie('pgauth-at')).toBeUndefined();
  });

  it('signs in anonymously, creates a document, registers: same user id, document kept, token no longer anonymous', async () => {
    await owner('update app_private.auth_config set anonymous_sign_in_enabled = true');
    await owner('insert into app_public.role_domain_rules (domain, role) values ($1, $2) on conflict do nothing', [
      DOMAIN,
      'manager',
    ]);
    const { client, r } = await anonymousBrowser();
    const userId = r.data?.signInAnonymously?.userId;
    expect(userId).toBeTruthy();
    expect(r.data?.signInAnonymously?.role).toBe('app_user');
    const claims = await tokenClaims(client);
    expect(claims.sub).toBe(userId);
    expect(claims.is_anonymous).toBe(true);

    const doc = await client.gql<{ createDocument: { document: { rowId: string } } }>(CREATE_DOC, {
      u: 'https://example.org/anonymous',
    });
    const docId = doc.data?.createDocument?.document?.rowId;
    expect(docId).toBeTruthy();
    const me = await client.gql<{ currentUser: Record<string, unknown> }>(ME);
    expect(me.data?.currentUser).toMatchObject({ rowId: userId, email: null, isAnonymous: true });

    const e = `anon.${Date.now()}@${DOMAIN}`;
    const reg = await client.gql<{ register: { userId: string; role: string } }>(
      REGISTER,
      { email: e, password: PASSWORD },
      { headers: { 'x-forwarded-for': uniqueIp() } },
    );
    expect(reg.data?.register?.userId, 'Q4: upgrading keeps the user id').toBe(userId);
    expect(reg.data?.register?.role, 'Q4: an unverified address grants nothing (domain rule)').toBe('app_user');
    const after = await tokenClaims(client);
    expect(after.sub).toBe(userId);
    expect(after.is_anonymous).toBe(false);
    const me2 = await client.gql<{
      currentUser: Record<string, unknown>;
      visibleDocuments: { nodes: { rowId: string }[] };
    }>(ME);
    expect(me2.data?.currentUser).toMatchObject({ rowId: userId, email: e, isAnonymous: false, emailVerified: false });
    expect(me2.data?.visibleDocuments.nodes.map((n) => n.rowId)).toContain(docId);

    // The password now signs in to the same user.
    const again = new Client(srv.url);
    await again.csrf();
    const login = await again.gql<{ login: { userId: string } }>(
      'mutation ($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { userId } }',
      { e, p: PASSWORD },
    );
    expect(login.data?.login?.userId).toBe(userId);
  });

  it('Q4: anonymous sign-in is limited per address', async () => {
    await owner('update app_private.auth_config set anonymous_sign_in_enabled = true');
    const ip = uniqueIp();
    const [cfg] = await owner<{ anonymous_max_per_ip: number }>(
      'select anonymous_max_per_ip from app_private.auth_config',
    );
    for (let i = 0; i < cfg!.anonymous_max_per_ip; i++) {
      const { r } = await anonymousBrowser(ip);
      expect(r.data?.signInAnonymously?.userId).toBeTruthy();
    }
    const { r } = await anonymousBrowser(ip);
    expect(r.status).toBe(429);
    expect(r.errors?.[0]?.extensions?.code).toBe('RATEL');
    const other = await anonymousBrowser(uniqueIp());
    expect(other.r.data?.signInAnonymously?.userId, 'another address is not limited').toBeTruthy();
  });

  it('Q4: registering with a taken address keeps the anonymous user (still anonymous, nothing linked)', async () => {
    await owner('update app_private.auth_config set anonymous_sign_in_enabled = true');
    const taken = email('taken');
    const owner1 = new Client(srv.url);
    await owner1.csrf();
    await owner1.gql(REGISTER, { email: taken, password: PASSWORD }, { headers: { 'x-forwarded-for': uniqueIp() } });
    const { client, r } = await anonymousBrowser();
    const userId = r.data?.signInAnonymously?.userId;
    const reg = await client.gql<{ register: { userId: string } }>(
      REGISTER,
      { email: taken, password: 'another long passphrase' },
      { headers: { 'x-forwarded-for': uniqueIp() } },
    );
    expect(reg.data?.register?.userId).toBe(userId);
    expect((await tokenClaims(client)).is_anonymous).toBe(true);
    const me = await client.gql<{ currentUser: Record<string, unknown> }>(ME);
    expect(me.data?.currentUser).toMatchObject({ rowId: userId, email: null, isAnonymous: true });
  });
});
