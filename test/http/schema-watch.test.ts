// Issue item 19: in development the running server's GraphQL schema follows the database: a
// function a migration creates (db:watch runs them as the owner) becomes a field without a
// restart, and disappears again when dropped. PostGraphile's watch mode: event triggers
// notify, the server re-introspects.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../proxy/core/config.ts';
import { closeOwner, owner, rawPost } from './helpers.ts';
import { useServer } from './server.ts';

const srv = useServer({ GRAPHQL_WATCH: 'true' });
// Letters only, so the field name is plain camelCase (inflection capitalises after digits).
const TAG = [...Date.now().toString(26)].map((c) => String.fromCharCode(97 + Number.parseInt(c, 26))).join('');
const FN = `watch_probe_${TAG}`;
const FIELD = `watchProbe${TAG[0]!.toUpperCase()}${TAG.slice(1)}`;
/** Hang guard for the polling loops: each iteration is one request, no sleeping. */
const BOUND_MS = 10_000;

afterAll(async () => {
  await owner(`drop function if exists app_public.${FN}()`);
  await closeOwner();
  // The watch fixtures (schema and event triggers) the server installed as the superuser.
  const url = new URL(process.env.TEST_ROOT_DATABASE_URL!);
  url.pathname = new URL(process.env.DATABASE_URL!).pathname;
  const root = new pg.Client({ connectionString: url.toString() });
  await root.connect();
  try {
    await root.query('drop schema if exists postgraphile_watch cascade');
  } finally {
    await root.end();
  }
});

async function queryFields(): Promise<string[]> {
  const r = await rawPost(srv, { query: '{ __schema { queryType { fields { name } } } }' });
  expect(r.status, r.raw).toBe(200);
  const fields: { name: string }[] = r.json?.data?.__schema.queryType.fields ?? [];
  return fields.map((f) => f.name);
}

/** Asks until `done` holds for the schema's query fields, at most BOUND_MS. */
async function until(done: (fields: string[]) => boolean): Promise<string[]> {
  const end = Date.now() + BOUND_MS;
  for (;;) {
    const fields = await queryFields();
    if (done(fields)) return fields;
    if (Date.now() > end) return fields;
  }
}

describe('schema watch (development)', () => {
  it('item 19: a function a migration creates becomes a query field without a restart, and goes when dropped', async () => {
    expect(await queryFields()).not.toContain(FIELD);

    // What a db:watch migration does, as the owner.
    await owner(`create function app_public.${FN}() returns text language sql stable as $$ select 'watched' $$`);
    await owner(`grant execute on function app_public.${FN}() to anonymous`);
    expect(await until((f) => f.includes(FIELD))).toContain(FIELD);
    const r = await rawPost(srv, { query: `{ ${FIELD} }` });
    expect(r.json?.data?.[FIELD], r.raw).toBe('watched');

    await owner(`drop function app_public.${FN}()`);
    expect(await until((f) => !f.includes(FIELD))).not.toContain(FIELD);
  });

  it('item 19: watch mode is development only', () => {
    const prod = {
      NODE_ENV: 'production',
      PUBLIC_ORIGIN: 'https://app.example.com',
      CSRF_SECRET: 'ab'.repeat(32),
      JWT_KEYS_DIR: '/nonexistent',
      ROOT_DATABASE_URL: 'postgres://root@127.0.0.1:1/postgres',
    };
    expect(loadConfig(prod).graphqlWatch).toBe(false);
    expect(() => loadConfig({ ...prod, GRAPHQL_WATCH: 'true' })).toThrow(/GRAPHQL_WATCH=true is for development only/);
    expect(() => loadConfig({ ...prod, NODE_ENV: 'development', GRAPHQL_WATCH: 'maybe' })).toThrow(/GRAPHQL_WATCH/);
  });
});
