/**
 * test:scale (issue 18): two `npm start` instances behind a round-robin balancer, through
 * Debian's PgBouncer in transaction mode (DATABASE_POOL_MODE=transaction), with a streaming
 * replica for queries (AUTH_DATABASE_REPLICA_URL), on a cluster of their own (it is restarted).
 *
 * The instances start together on an empty cluster with ROOT_DATABASE_URL: both run setup at
 * once (serialised by its advisory lock). Then: the journey, concurrent refreshes split over
 * both, a lockout across both, a live key rotation, revocation with the replica held back,
 * PgBouncer killed and restarted, PostgreSQL restarted under load; no instance ever exits.
 */
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Config, loadConfig } from '../../proxy/core/config.ts';
import { createPool } from '../../proxy/core/db.ts';
import { tapLogs } from '../../proxy/core/logger.ts';
import { missingMigrations, waitForSchema } from '../../proxy/core/schema.ts';
import { providerTokenTotals, refreshProviderTokens } from '../../proxy/features/oauth/refresh-job.ts';
import type { TokenKeys } from '../../proxy/features/oauth/token-crypto.ts';
import { addKey, promoteKey, retireKey, rotateKey } from '../../proxy/core/keys.ts';
import { Client, email, LOGIN, LOGOUT, PASSWORD, REFRESH, REGISTER, startServer } from '../http/server.ts';
import { Balancer, type Databases, freePort, Instance, sharedDir, startDatabases, until } from './topology.ts';

const CSRF = 'cd'.repeat(32);
let dbs: Databases;
let instances: Instance[];
let lb: Balancer;
let keysDir: string;
let owner: pg.Pool;

const ME = '{ currentUser { rowId email } }';

beforeAll(async () => {
  dbs = await startDatabases({ replica: true });
  keysDir = sharedDir(dbs.dir, 'keys');
  await rotateKey(keysDir, 'EdDSA');
  const lbPort = await freePort();
  const env = (i: number): Record<string, string> => ({
    ROOT_DATABASE_URL: dbs.primary.rootUrl,
    DATABASE_URL: dbs.db.ownerUrl,
    SHADOW_DATABASE_URL: dbs.db.shadowUrl,
    AUTH_DATABASE_URL: dbs.bouncedAuthUrl,
    AUTH_DATABASE_REPLICA_URL: dbs.bouncedReplicaUrl!,
    DATABASE_POOL_MODE: 'transaction',
    DATABASE_POOL_MAX: '5',
    PUBLIC_ORIGIN: `http://127.0.0.1:${lbPort}`,
    CSRF_SECRET: CSRF,
    JWT_KEYS_DIR: keysDir,
    JWT_KEYS_RELOAD_MS: '1000',
    DATA_DIR: join(dbs.dir, `data${i}`),
    MAIL_WORKER: 'false',
    GRAPHQL_WATCH: 'false',
    OAUTH_REFRESH_INTERVAL_MS: '0',
    LOG_REQUESTS: 'true',
  });
  instances = [new Instance(await freePort(), env(0)), new Instance(await freePort(), env(1))];
  lb = new Balancer(lbPort, instances);
  await lb.listen();
  // Item 2: started together on an empty cluster; both run setup (roles, databases, migrations).
  await Promise.all(instances.map((i) => i.start()));
  owner = new pg.Pool({ connectionString: dbs.db.ownerUrl, max: 2 });
  owner.on('error', () => {}); // PostgreSQL is restarted under it
  await owner.query('update app_private.auth_config set bcrypt_cost = 10, register_max_per_ip = 100000');
}, 150_000);

afterAll(async () => {
  await lb?.close();
  await owner?.end();
  const codes = await Promise.all((instances ?? []).map((i) => i.stop()));
  await dbs?.stop();
  // Stopped by SIGTERM, each exits 0 (not a crash).
  expect(codes).toEqual(codes.map(() => 0));
}, 60_000);

/** A native client (tokens in the body), pinned to one instance or round-robin. */
async function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; data?: T; code?: string; headers: Headers; raw: string }> {
  const res = await fetch(`${lb.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const raw = await res.text();
  let json: { data?: T; errors?: { extensions?: { code?: string } }[] } = {};
  try {
    json = JSON.parse(raw);
  } catch {}
  return {
    status: res.status,
    data: json.data ?? undefined,
    code: json.errors?.[0]?.extensions?.code,
    headers: res.headers,
    raw,
  };
}

interface Native {
  userId: string;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  email: string;
}

async function nativeUser(tag: string): Promise<Native> {
  const e = email(tag);
  const r = await gql<{ register: Native }>(REGISTER, { email: e, password: PASSWORD }, { 'x-token-delivery': 'body' });
  if (!r.data?.register) throw new Error(`register failed: ${r.raw}`);
  return { ...r.data.register, email: e };
}

const bearer = (token: string, backend?: number): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  ...(backend === undefined ? {} : { 'x-backend': String(backend) }),
});

interface Readyz {
  status: string;
  database?: string;
  replica: { replica: number; behind: number; failed: number; state: string };
}

async function readyz(i: Instance): Promise<{ status: number; body: Readyz }> {
  const res = await fetch(`${i.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Readyz };
}

describe('two instances, PgBouncer (transaction mode), a replica', () => {
  it('item 2: both instances started together on an empty cluster came up (setup serialised), ready', async () => {
    for (const i of instances) {
      expect(i.exitCode, i.output.slice(-3000)).toBeNull();
      const r = await readyz(i);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'ready', database: 'up', replica: { state: 'standby' } });
    }
  });

  it('item 1: the journey through the balancer and PgBouncer in transaction mode, no prepared-statement failures', async () => {
    const browser = new Client(lb.url);
    await browser.csrf();
    const e = email('journey');
    const reg = await browser.gql<{ register: { userId: string } }>(REGISTER, {
      email: e,
      password: PASSWORD,
      name: 'J',
    });
    expect(reg.status, reg.raw).toBe(200);
    const userId = reg.data!.register.userId;
    const doc = await browser.gql<{ createDocument: { document: { rowId: string } } }>(
      'mutation { createDocument(input: { document: { fullUrl: "https://example.org/scale" } }) { document { rowId } } }',
    );
    expect(doc.status, doc.raw).toBe(200);
    // Many reads, alternating instances: with named statements 40-50% failed through PgBouncer.
    const reads = await Promise.all(
      Array.from({ length: 40 }, () =>
        browser.gql<{ currentUser: { rowId: string }; visibleDocuments: { nodes: { fullUrl: string }[] } }>(
          '{ currentUser { rowId } visibleDocuments { nodes { fullUrl } } }',
        ),
      ),
    );
    for (const r of reads) {
      expect(r.status, r.raw).toBe(200);
      expect(r.data?.currentUser.rowId).toBe(userId);
      expect(r.data?.visibleDocuments.nodes.map((n) => n.fullUrl)).toContain('https://example.org/scale');
    }
    const refreshed = await browser.gql<{ refresh: { sessionId: string } }>(REFRESH);
    expect(refreshed.status, refreshed.raw).toBe(200);
    const out = await browser.gql<{ logout: { success: boolean } }>(LOGOUT);
    expect(out.data?.logout.success, out.raw).toBe(true);
    expect((await browser.gql<{ currentUser: null }>(ME)).data?.currentUser).toBeNull();
    // Both instances served the journey.
    expect(Math.min(...lb.counts)).toBeGreaterThan(10);
  });

  it('item 5: X-Request-Id is echoed (given or generated) and names the request log line', async () => {
    const given = await gql(ME, {}, { 'x-request-id': 'scale-test-0001', 'x-backend': '0' });
    expect(given.headers.get('x-request-id')).toBe('scale-test-0001');
    const made = await gql(ME, {}, { 'x-request-id': 'bad id {"forged":1}', 'x-backend': '0' });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await until('the request log line', async () =>
      instances[0]!.jsonLines().some((l) => l.requestId === 'scale-test-0001' && l.path === '/graphql')
        ? true
        : undefined,
    );
  });

  it('F2: 20 concurrent refreshes split over both instances all rotate, and every new token works on the other one', async () => {
    const users: Native[] = [];
    for (let i = 0; i < 20; i++) users.push(await nativeUser(`refresh${i}`));
    const before = [...lb.counts];
    const results = await Promise.all(
      users.map((u, i) =>
        gql<{ refresh: { accessToken: string; refreshToken: string; sessionId: string } }>(
          REFRESH,
          { t: u.refreshToken },
          { 'x-token-delivery': 'body', 'x-backend': String(i % 2) },
        ),
      ),
    );
    expect(lb.counts.map((c, i) => c - before[i]!)).toEqual([10, 10]);
    for (const [i, r] of results.entries()) {
      expect(r.status, r.raw).toBe(200);
      expect(r.data?.refresh.sessionId).toBe(users[i]!.sessionId);
      expect(r.data?.refresh.refreshToken).not.toBe(users[i]!.refreshToken);
      const me = await gql<{ currentUser: { rowId: string } }>(
        ME,
        {},
        bearer(r.data!.refresh.accessToken, (i + 1) % 2),
      );
      expect(me.data?.currentUser.rowId).toBe(users[i]!.userId);
    }
  });

  it('C7: a lockout earned across both instances holds on both', async () => {
    const u = await nativeUser('lock');
    for (let i = 0; i < 5; i++) {
      const r = await gql(LOGIN, { email: u.email, password: `wrong ${i}` }, { 'x-backend': String(i % 2) });
      expect(r.code, r.raw).toBe('CREDS');
    }
    for (const backend of [0, 1]) {
      const r = await gql(LOGIN, { email: u.email, password: PASSWORD }, { 'x-backend': String(backend) });
      expect(r.status).toBe(429);
      expect(r.code).toBe('RATEL');
    }
  });

  it('E1: a live key rotation (add, promote, retire) without restarts: tokens verify on both instances throughout', async () => {
    const u = await nativeUser('rotate');
    // Polling signs in again and again: other users, so that u's sessions are not the oldest
    // ones evicted by the per-user session cap.
    const probers = [await nativeUser('rotate-probe0'), await nativeUser('rotate-probe1')];
    const kidOf = (t: string) => decodeProtectedHeader(t).kid;
    const login = async (backend: number, who = u) => {
      const r = await gql<{ login: { accessToken: string } }>(
        LOGIN,
        { email: who.email, password: PASSWORD },
        { 'x-token-delivery': 'body', 'x-backend': String(backend) },
      );
      if (!r.data?.login) throw new Error(r.raw);
      return r.data.login.accessToken;
    };
    const oldToken = await login(0);
    const oldKid = kidOf(oldToken);
    // 1. publish: every instance serves (and verifies) the new key; none signs with it yet.
    const kid = await addKey(keysDir, 'EdDSA');
    for (const i of instances) {
      await until(`${kid} in ${i.url}'s JWKS`, async () => {
        const jwks = (await (await fetch(`${i.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
        return jwks.keys.some((k) => k.kid === kid) ? true : undefined;
      });
    }
    expect(kidOf(await login(1))).toBe(oldKid);
    // 2. promote: both sign with it; a token from one verifies on the other.
    promoteKey(keysDir, kid);
    const fresh: string[] = [];
    for (const backend of [0, 1]) {
      fresh.push(
        await until(`instance ${backend} signing with ${kid}`, async () => {
          const t = await login(backend, probers[backend]);
          return kidOf(t) === kid ? t : undefined;
        }),
      );
    }
    for (const [i, t] of fresh.entries()) {
      const me = await gql<{ currentUser: { rowId: string } }>(ME, {}, bearer(t, 1 - i));
      expect(me.data?.currentUser.rowId).toBe(probers[i]!.userId);
    }
    // The old token still verifies (its key is kept until its tokens have expired) and is now
    // in both instances' verification caches.
    for (const backend of [0, 1]) {
      expect(
        (await gql<{ currentUser: { rowId: string } }>(ME, {}, bearer(oldToken, backend))).data?.currentUser.rowId,
      ).toBe(u.userId);
    }
    // 3. retire: the old key's tokens are refused everywhere, cached verifications included.
    await retireKey(keysDir, oldKid!, 'EdDSA');
    for (const backend of [0, 1]) {
      await until(`instance ${backend} refusing the retired key`, async () => {
        const r = await gql<{ currentUser: unknown }>(ME, {}, bearer(oldToken, backend));
        return r.data?.currentUser === null || r.status === 401 ? true : undefined;
      });
      const me = await gql<{ currentUser: { rowId: string } }>(ME, {}, bearer(fresh[backend]!, backend));
      expect(me.data?.currentUser.rowId).toBe(probers[backend]!.userId);
    }
  });

  it('D6 with a replica: queries go to the replica; with replay paused, a logout still takes effect on the next request', async () => {
    const u = await nativeUser('replica');
    const replicaRoot = new pg.Client({ connectionString: dbs.replica!.rootUrl.replace(/\/postgres$/, '/pgauth') });
    await replicaRoot.connect();
    try {
      const stats = async () => Promise.all(instances.map(async (i) => (await readyz(i)).body.replica));
      // Caught up: queries are served by the replica.
      const before = await stats();
      for (let i = 0; i < 6; i++) {
        const me = await gql<{ currentUser: { rowId: string } }>(ME, {}, bearer(u.accessToken));
        expect(me.data?.currentUser.rowId).toBe(u.userId);
      }
      await until('reads on the replica', async () => {
        const now = await stats();
        return now.every((s, i) => s.replica > before[i]!.replica) ? true : undefined;
      });
      // Replay held back: the replica still shows the session live after the logout.
      await replicaRoot.query('select pg_wal_replay_pause()');
      const out = await gql<{ logout: { success: boolean } }>(LOGOUT, { t: u.refreshToken }, bearer(u.accessToken));
      expect(out.data?.logout.success, out.raw).toBe(true);
      const stale = await replicaRoot.query(
        'select revoked_at is null as live from app_private.sessions where id = $1',
        [u.sessionId],
      );
      expect(stale.rows[0]?.live, 'the replica has not replayed the logout').toBe(true);
      const paused = await stats();
      for (const backend of [0, 1]) {
        const me = await gql<{ currentUser: unknown }>(ME, {}, bearer(u.accessToken, backend));
        expect(me.status, me.raw).toBe(200);
        expect(me.data?.currentUser).toBeNull();
      }
      const after = await stats();
      expect(after.map((s, i) => s.behind - paused[i]!.behind)).toEqual([1, 1]);
      await replicaRoot.query('select pg_wal_replay_resume()');
    } finally {
      await replicaRoot.query('select pg_wal_replay_resume()').catch(() => {});
      await replicaRoot.end();
    }
  });

  it('L1: PgBouncer killed: the instances answer 503 and are not ready, then recover when it is back; none exits', async () => {
    const u = await nativeUser('bouncer');
    await dbs.bouncer.kill();
    for (const backend of [0, 1]) {
      const r = await gql(ME, {}, bearer(u.accessToken, backend));
      expect(r.status, r.raw).toBe(503);
      expect(r.code).toBe('UNAVAILABLE');
      expect((await readyz(instances[backend]!)).status).toBe(503);
    }
    await dbs.bouncer.start();
    for (const backend of [0, 1]) {
      await until(`instance ${backend} back`, async () => {
        const r = await gql<{ currentUser: { rowId: string } }>(ME, {}, bearer(u.accessToken, backend));
        return r.data?.currentUser?.rowId === u.userId ? true : undefined;
      });
    }
    expect(instances.map((i) => i.exitCode)).toEqual([null, null]);
  });

  it('L1: PostgreSQL restarted under load: only 200s and 503s, then 200s again; no instance exits', async () => {
    const u = await nativeUser('restart');
    const statuses = new Map<number, number>();
    let load = true;
    const worker = async () => {
      while (load) {
        const r = await gql(ME, {}, bearer(u.accessToken));
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await until('load running', async () => ((statuses.get(200) ?? 0) > 20 ? true : undefined));
    await dbs.primary.restart();
    const okBefore = statuses.get(200) ?? 0;
    await until(
      'reads succeeding again',
      async () => ((statuses.get(200) ?? 0) > okBefore + 20 ? true : undefined),
      60_000,
    );
    load = false;
    await Promise.all(workers);
    expect(
      [...statuses.keys()].filter((s) => s !== 200 && s !== 503),
      JSON.stringify([...statuses]),
    ).toEqual([]);
    expect(instances.map((i) => i.exitCode)).toEqual([null, null]);
    // Writes work again too.
    const after = await nativeUser('after-restart');
    expect(after.userId).toBeTruthy();
  });
});

describe('starting and operating instances', () => {
  it('item 2: direct mode migrates nothing; it waits for the release step and sees a current schema', async () => {
    const root = new pg.Client({ connectionString: dbs.primary.rootUrl });
    await root.connect();
    try {
      await root.query('drop database if exists pgauth_unmigrated');
      await root.query('create database pgauth_unmigrated owner pgauth_owner');
    } finally {
      await root.end();
    }
    const empty = dbs.db.ownerUrl.replace(/\/pgauth$/, '/pgauth_unmigrated');
    expect(await missingMigrations(dbs.db.ownerUrl)).toEqual([]);
    const missing = await missingMigrations(empty);
    expect(missing.length).toBeGreaterThan(0);
    const cfg = (url: string): Config =>
      ({
        ...loadConfig({ DATABASE_URL: url, AUTH_DATABASE_URL: url, CSRF_SECRET: CSRF }),
        schemaWaitSeconds: 0,
      }) as Config;
    await expect(waitForSchema(cfg(empty))).rejects.toThrow(/schema not current.*npm run db:migrate/);
    await expect(waitForSchema(cfg(dbs.db.ownerUrl))).resolves.toBeUndefined();
  });

  it('J3/item 5: an INTERNAL error (an instance pointed at a read-only replica) is logged with its request id and error id', async () => {
    const replicaAuth = dbs.db.authUrl.replace(`:${dbs.primary.port}/`, `:${dbs.replica!.port}/`);
    const srv = await startServer({
      ROOT_DATABASE_URL: dbs.primary.rootUrl,
      DATABASE_URL: dbs.db.ownerUrl,
      SHADOW_DATABASE_URL: dbs.db.shadowUrl,
      AUTH_DATABASE_URL: replicaAuth,
    });
    const logged: string[] = [];
    const stopTap = tapLogs((l) => logged.push(l));
    try {
      const r = await fetch(`${srv.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'scale-internal-0001' },
        body: JSON.stringify({ query: LOGIN, variables: { email: email('ro'), password: PASSWORD } }),
      });
      expect(r.headers.get('x-request-id')).toBe('scale-internal-0001');
      const body = (await r.json()) as { errors: { extensions: { code: string; errorId: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('INTERNAL');
      const errorId = body.errors[0]!.extensions.errorId;
      const lines = logged;
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.errorId === errorId);
      expect(line, lines.join('\n')).toMatchObject({ level: 'error', requestId: 'scale-internal-0001', errorId });
      expect(String(line!.message)).toMatch(/read-only/);
      // The client sees no detail (J3).
      expect(JSON.stringify(body)).not.toMatch(/read-only|INSERT|UPDATE/);
    } finally {
      stopTap();
      await srv.close();
    }
  });

  it('item 5: the provider-token job logs each failed renewal (provider, identity, attempt) and counts it', async () => {
    const u = await nativeUser('provider');
    const [{ id }] = (
      await owner.query<{ id: string }>(
        `insert into app_public.user_identities (user_id, provider, issuer, subject)
         values ($1, 'gone', 'https://idp.example', $2) returning id`,
        [u.userId, `sub-${u.userId}`],
      )
    ).rows as [{ id: string }];
    await owner.query(
      `insert into app_private.user_identity_tokens (identity_id, key_id, refresh_token_enc, access_token_expires_at)
       values ($1, 'k1', '\\x00', now())`,
      [id],
    );
    const pool = createPool(dbs.bouncedAuthUrl, 2, 'transaction');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = providerTokenTotals.failed;
    try {
      // The provider is no longer configured: the renewal fails and is recorded.
      const summary = await refreshProviderTokens(pool, new Map(), {} as TokenKeys);
      expect(summary.failed).toBeGreaterThanOrEqual(1);
      const lines = logged.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('{'));
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.identityId === id);
      expect(line).toMatchObject({
        level: 'warn',
        job: 'provider-tokens',
        event: 'refresh-failed',
        provider: 'gone',
        attempt: 1,
      });
      expect(JSON.stringify(line)).not.toMatch(/\\x00|refresh_token_enc/);
      expect(providerTokenTotals.failed - before).toBe(summary.failed);
      const row = await owner.query(
        'select refresh_attempts from app_private.user_identity_tokens where identity_id = $1',
        [id],
      );
      expect(row.rows[0].refresh_attempts).toBe(1);
    } finally {
      logged.mockRestore();
      await pool.end();
    }
  });
});
