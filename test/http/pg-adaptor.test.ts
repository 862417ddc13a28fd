// B1 and J2 where they are applied: PostGraphile's connection adaptor (proxy/core/db.ts) sends
// the transaction-local settings and the statement in one round trip, as one implicit
// transaction. One pooled connection, so every check sees the connection the statement used.
import pg from 'pg';
import type { NodePostgresPgClient } from 'postgraphile/adaptors/pg';
import type { WithPgClient } from 'postgraphile/@dataplan/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgService } from '../../proxy/core/db.ts';

const pool = new pg.Pool({ connectionString: process.env.AUTH_DATABASE_URL, max: 1 });
const service = pgService(pool, ['app_public']);
let withPgClient: WithPgClient<NodePostgresPgClient>;

const USER = '00000000-0000-4000-8000-0000000000b1';
const SESSION = '00000000-0000-4000-8000-0000000000b2';
const settings = { role: 'app_user', 'jwt.claims.user_id': USER, 'jwt.claims.session_id': SESSION };
const SEEN = `select current_user as role, current_setting('jwt.claims.user_id', true) as user_id,
  current_setting('jwt.claims.session_id', true) as session_id, current_setting('statement_timeout') as timeout`;

/** What the pooled connection carries when nothing is set: the login role, no claims. */
async function leftOnConnection() {
  const { rows } = await pool.query(SEEN);
  const r = rows[0] as Record<string, string | null>;
  return { role: r.role, user_id: r.user_id ?? '', session_id: r.session_id ?? '', timeout: r.timeout };
}

let idle: Awaited<ReturnType<typeof leftOnConnection>>;

beforeAll(async () => {
  withPgClient = await service.adaptor.createWithPgClient(service.adaptorSettings);
  idle = await leftOnConnection();
  expect(idle.user_id).toBe('');
});

afterAll(async () => {
  await service.release?.();
  await pool.end();
});

describe('B1: settings live exactly as long as their statement', () => {
  it('B1: the statement runs with the settings, and the pooled connection keeps none of them', async () => {
    const r = await withPgClient({ ...settings, statement_timeout: '4321' }, (c) =>
      c.query<Record<string, string>>({ text: SEEN }),
    );
    expect(r.rows[0]).toEqual({ role: 'app_user', user_id: USER, session_id: SESSION, timeout: '4321ms' });
    expect(await leftOnConnection()).toEqual(idle);
  });

  it('B1: a prepared (named) statement, repeated, leaves nothing either', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await withPgClient(settings, (c) => c.query<{ user_id: string }>({ text: SEEN, name: 'b1_seen' }));
      expect(r.rows[0]?.user_id).toBe(USER);
      expect(await leftOnConnection()).toEqual(idle);
    }
  });

  it('B1: a statement that fails rolls back with its settings, and the connection serves the next one clean', async () => {
    await expect(withPgClient(settings, (c) => c.query({ text: 'select 1 / 0' }))).rejects.toMatchObject({
      code: '22012',
    });
    expect(await leftOnConnection()).toEqual(idle);
    // A named statement that fails to parse can be sent again (its name was not kept as prepared).
    for (let i = 0; i < 2; i++) {
      await expect(
        withPgClient(settings, (c) => c.query({ text: 'select * from b1_no_such_table', name: 'b1_bad' })),
      ).rejects.toMatchObject({ code: '42P01' });
    }
    const ok = await withPgClient(settings, (c) => c.query<{ role: string }>({ text: SEEN, name: 'b1_seen' }));
    expect(ok.rows[0]?.role).toBe('app_user');
  });

  it('B1: when the settings fail, the statement does not run at all', async () => {
    // If it ran, this session-level setting would outlive the request.
    const probe = "select pg_catalog.set_config('pgauth_test.leak', 'ran', false)";
    await expect(
      withPgClient({ ...settings, role: 'b1_no_such_role' }, (c) => c.query({ text: probe })),
    ).rejects.toMatchObject({ code: '22023' });
    const { rows } = await pool.query("select current_setting('pgauth_test.leak', true) as v");
    expect(rows[0].v ?? '').toBe('');
    expect(await leftOnConnection()).toEqual(idle);
  });

  it('B1: a second statement in one callback is refused; withTransaction runs several in one transaction', async () => {
    await expect(
      withPgClient(settings, async (c) => {
        await c.query({ text: 'select 1' });
        await c.query({ text: 'select 2' });
      }),
    ).rejects.toThrow(/withTransaction/);
    const seen = await withPgClient(settings, (c) =>
      c.withTransaction(async (tx) => {
        await tx.query({ text: "select pg_catalog.set_config('jwt.claims.role', 'b1_marker', true)" });
        return (
          await tx.query<{ v: string; u: string }>({
            text: "select current_setting('jwt.claims.role') as v, current_setting('jwt.claims.user_id') as u",
          })
        ).rows[0];
      }),
    );
    expect(seen).toEqual({ v: 'b1_marker', u: USER });
    expect(await leftOnConnection()).toEqual(idle);
    const { rows } = await pool.query("select current_setting('jwt.claims.role', true) as v");
    expect(rows[0].v ?? '').toBe('');
  });
});

describe('J2: the statement timeout reaches the statement', () => {
  it('J2: statement_timeout from the settings cancels a statement that waits (57014)', async () => {
    // A lock held elsewhere makes the statement wait until the timeout cancels it.
    const holder = new pg.Client({ connectionString: process.env.AUTH_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock(74288401)');
      await expect(
        withPgClient({ ...settings, statement_timeout: '100' }, (c) =>
          c.query({ text: 'select pg_advisory_lock(74288401)' }),
        ),
      ).rejects.toMatchObject({ code: '57014' });
    } finally {
      await holder.end();
    }
    expect(await leftOnConnection()).toEqual(idle);
  });
});
