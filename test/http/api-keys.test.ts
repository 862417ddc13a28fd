// Personal API keys through the real edge (issue #11 part 2, O2): created once, used as
// `Authorization: Bearer pga_...`, scoped, refused for credential mutations, and dead on the
// next request after revocation or the user's disable.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeOwner, type NativeUser, nativeUser, owner, rawPost } from './helpers.ts';
import { LOGIN, PASSWORD, useServer } from './server.ts';

const srv = useServer();
const res = `r${randomBytes(4).toString('hex')}`;
let user: NativeUser;

const CREATE = `mutation ($name: String!, $permissions: [String]!) {
  createApiKey(input: { name: $name, permissions: $permissions }) { result { apiKeyId prefix key } } }`;
const ME = '{ currentUser { email permissions } }';

const asUser = (query: string, variables: object = {}) =>
  rawPost(srv, { query, variables }, { authorization: `Bearer ${user.accessToken}` });
const withKey = (key: string, query: string, variables: object = {}) =>
  rawPost(srv, { query, variables }, { authorization: `Bearer ${key}` });

async function createKey(permissions: string[]): Promise<{ apiKeyId: string; key: string }> {
  const r = await asUser(CREATE, { name: 'ci', permissions });
  const k = r.json?.data?.createApiKey?.result;
  if (!k) throw new Error(`createApiKey failed: ${r.raw}`);
  return k;
}

beforeAll(async () => {
  user = await nativeUser(srv, 'apikey');
  await owner(
    `insert into app_public.permissions (name) values ($1 || ':read'), ($1 || ':write');
     insert into app_public.app_roles (name) values ($1);
     insert into app_public.role_permissions (role, permission) values ($1, $1 || ':read'), ($1, $1 || ':write');
     insert into app_public.user_roles (user_id, role) values ($2, $1)`
      .replace(/\$1/g, `'${res}'`)
      .replace('$2', `'${user.userId}'`),
  );
});
afterAll(async () => {
  await closeOwner();
});

describe('personal API keys', () => {
  it('O2: a key is shown once and a request with it runs as the user within the key scope only', async () => {
    const { key } = await createKey([`${res}:read`]);
    expect(key).toMatch(/^pga_[0-9a-f]{16}_[0-9a-f]{64}$/);
    const r = await withKey(key, ME);
    expect(r.status).toBe(200);
    expect(r.json?.data?.currentUser?.email).toBe(user.email);
    expect(r.json?.data?.currentUser?.permissions).toContain(`${res}:read`);
    expect(r.json?.data?.currentUser?.permissions).not.toContain(`${res}:write`);
    const mine = await asUser(ME);
    expect(mine.json?.data?.currentUser?.permissions).toContain(`${res}:write`);
  });

  it('O2: a key cannot carry a permission its creator does not hold (SCOPE)', async () => {
    const r = await asUser(CREATE, { name: 'too much', permissions: ['roles:write'] });
    expect(r.json?.errors?.[0]?.extensions?.code).toBe('SCOPE');
    expect(r.json?.data?.createApiKey ?? null).toBeNull();
  });

  it('O2: credential mutations are refused with an API key', async () => {
    const { key } = await createKey([]);
    const login = await withKey(key, LOGIN, { email: user.email, password: PASSWORD });
    expect(login.json?.data?.login ?? null).toBeNull();
    expect(login.json?.errors?.[0]?.extensions?.code, login.raw).toBe('BADREQ');
    const mint = await withKey(key, CREATE, { name: 'from a key', permissions: [] });
    expect(mint.json?.errors?.[0]?.extensions?.code).toBe('DNIED');
  });

  it('O2: an unknown or altered key is a 401', async () => {
    const { key } = await createKey([]);
    const altered = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
    expect((await withKey(altered, ME)).status).toBe(401);
    expect((await withKey(`pga_${'0'.repeat(16)}_${'0'.repeat(64)}`, ME)).status).toBe(401);
  });

  it('O2: a revoked key stops working on the next request; myApiKeys shows it revoked', async () => {
    const { apiKeyId, key } = await createKey([]);
    expect((await withKey(key, ME)).status).toBe(200);
    const rv = await asUser('mutation ($id: UUID!) { revokeApiKey(input: { id: $id }) { result } }', { id: apiKeyId });
    expect(rv.json?.data?.revokeApiKey?.result, rv.raw).toBe(true);
    expect((await withKey(key, ME)).status).toBe(401);
    const list = await asUser('{ myApiKeys { nodes { rowId revokedAt lastUsedAt } } }');
    const row = list.json?.data?.myApiKeys?.nodes.find((n: { rowId: string }) => n.rowId === apiKeyId);
    expect(row?.revokedAt, list.raw).toBeTruthy();
    expect(row?.lastUsedAt).toBeTruthy();
  });

  it("O2: the user's disable ends the key on the next request", async () => {
    const other = await nativeUser(srv, 'apikey-disable');
    const r = await rawPost(
      srv,
      { query: CREATE, variables: { name: 'd', permissions: [] } },
      { authorization: `Bearer ${other.accessToken}` },
    );
    const key = r.json?.data?.createApiKey?.result?.key as string;
    expect((await withKey(key, ME)).status).toBe(200);
    await owner('update app_public.users set disabled_at = now() where id = $1', [other.userId]);
    expect((await withKey(key, ME)).status).toBe(401);
  });
});
