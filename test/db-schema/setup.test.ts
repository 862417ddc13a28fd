import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dbConfigFromEnv, rootUrlFor } from '../../db/scripts/config.ts';
import { setup } from '../../db/scripts/setup.ts';
import { TAP_DIR } from '../harness/cli.ts';
import { runTapFiles } from '../harness/tap-runner.ts';

// db:setup against the test cluster as the superuser: a second database with roles of its
// own (so CREATE ROLE really runs), and the harness's database set up a second time.
const root = process.env.TEST_ROOT_DATABASE_URL;
const url = (user: string, password: string, db: string): string => {
  const u = new URL(root!);
  u.username = user;
  u.password = password;
  u.pathname = `/${db}`;
  return u.toString();
};
const scratch = (ownerPassword = 'owner pw') =>
  dbConfigFromEnv({
    ROOT_DATABASE_URL: root,
    DATABASE_NAME: 't_setup',
    DATABASE_URL: url('t_setup_owner', ownerPassword, 't_setup'),
    AUTH_DATABASE_URL: url('t_setup_auth', 'auth pw', 't_setup'),
  });

async function asRoot<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: root });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
/** pg_authid rows as (name -> xmin, password): an ALTER ROLE changes the row's xmin. */
const roleRows = () =>
  asRoot(async (c) => {
    const { rows } = await c.query<{ rolname: string; xmin: string; rolpassword: string | null }>(
      `select rolname, xmin::text, rolpassword from pg_authid
       where rolname in ('t_setup_owner', 't_setup_auth', 'anonymous', 'app_user', 'auth_edge') order by rolname`,
    );
    return rows;
  });

describe.skipIf(!root)('db:setup', () => {
  afterAll(async () => {
    await asRoot(async (c) => {
      for (const db of ['t_setup', 't_setup_shadow']) await c.query(`drop database if exists ${db} with (force)`);
      for (const role of ['t_setup_owner', 't_setup_auth']) await c.query(`drop role if exists ${role}`);
    });
  });

  it('two setups started at once both succeed (advisory lock), and create the roles once', async () => {
    await asRoot(async (c) => {
      for (const db of ['t_setup', 't_setup_shadow']) await c.query(`drop database if exists ${db} with (force)`);
    });
    // Without the lock the second CREATE/ALTER ROLE fails (duplicate key, tuple concurrently updated).
    await Promise.all([setup(scratch()), setup(scratch())]);
    const members = await asRoot((c) =>
      c.query<{ m: string }>(
        `select r.rolname || '>' || m.rolname as m from pg_auth_members am
         join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member
         where m.rolname = 't_setup_auth' order by 1`,
      ),
    );
    expect(members.rows.map((r) => r.m)).toEqual(
      ['admin', 'anonymous', 'app_user', 'auth_edge', 'bot', 'manager'].map((r) => `${r}>t_setup_auth`),
    );
    // The new database got the root hardening too: PUBLIC executes nothing in schema public.
    const c = new pg.Client({ connectionString: rootUrlFor(scratch(), 't_setup') });
    await c.connect();
    try {
      const { rows } = await c.query<{ fn: string }>(
        `select oid::regprocedure::text as fn from pg_proc where pronamespace = 'public'::regnamespace
           and (proacl is null or exists (select 1 from aclexplode(proacl) a where a.grantee = 0))`,
      );
      expect(rows).toEqual([]);
    } finally {
      await c.end();
    }
  });

  it('a setup that finds everything in place rewrites no role; a changed password is set', async () => {
    const before = await roleRows();
    expect(before.map((r) => r.rolname)).toEqual([
      'anonymous',
      'app_user',
      'auth_edge',
      't_setup_auth',
      't_setup_owner',
    ]);
    await setup(scratch());
    expect(await roleRows()).toEqual(before);
    await setup(scratch('a new owner password'));
    const after = await roleRows();
    const owner = (rows: typeof before) => rows.find((r) => r.rolname === 't_setup_owner');
    expect(owner(after)?.rolpassword).not.toBe(owner(before)?.rolpassword);
    expect(after.filter((r) => r.rolname !== 't_setup_owner')).toEqual(
      before.filter((r) => r.rolname !== 't_setup_owner'),
    );
  });

  it('A6/A11: the root hardening holds after setup ran a second time on the test database', async () => {
    const cfg = dbConfigFromEnv({ ...process.env, ROOT_DATABASE_URL: root });
    await setup(cfg);
    const result = await runTapFiles([join(TAP_DIR, 'root_hardening.sql')], cfg.authUrl, {
      verbose: false,
      log: () => {},
    });
    expect(result.files.map((f) => [f.file, f.failed, f.problem ?? null])).toEqual([
      [expect.stringContaining('root_hardening.sql'), 0, null],
    ]);
    expect(result.passed).toBeGreaterThan(20);
  });
});
