/**
 * `npm run db:setup`: on an empty (or already set up) cluster, creates the roles and the
 * database as ROOT_DATABASE_URL, then applies every committed migration as the owner.
 * Running it twice is harmless. `--reset` drops the database first (development only).
 */
import pg from 'pg';
import { migrate, watch } from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { dbConfigFromEnv, EDGE_ROLE, REQUEST_ROLES, type DbConfig } from './config.ts';
import { migrateSettings } from './migrate-settings.ts';

const ident = (s: string) => pg.escapeIdentifier(s);
const lit = (s: string) => pg.escapeLiteral(s);

async function ensureRole(client: pg.Client, name: string, attrs: string): Promise<void> {
  const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [name]);
  await client.query(`${rowCount ? 'alter' : 'create'} role ${ident(name)} with ${attrs}`);
}

async function ensureDatabase(client: pg.Client, name: string, owner: string): Promise<void> {
  const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
  if (!rowCount) await client.query(`create database ${ident(name)} owner ${ident(owner)}`);
}

/** Creates roles and databases, then migrates. Idempotent. */
export async function setup(cfg: DbConfig, opts: { reset?: boolean; current?: boolean; log?: (s: string) => void } = {}): Promise<void> {
  const log = opts.log ?? (() => {});
  const owner = new URL(cfg.ownerUrl);
  const auth = new URL(cfg.authUrl);
  const shadowDb = new URL(cfg.shadowUrl).pathname.slice(1);
  const root = new pg.Client({ connectionString: cfg.rootUrl });
  await root.connect();
  try {
    if (opts.reset) {
      for (const db of [cfg.dbName, shadowDb]) {
        await root.query(`drop database if exists ${ident(db)} with (force)`);
      }
    }
    const safe = 'nosuperuser nocreatedb nocreaterole noreplication nobypassrls';
    // The owner logs in to run migrations; it owns objects but may not bypass RLS.
    await ensureRole(root, cfg.ownerRole, `login ${safe} password ${lit(decodeURIComponent(owner.password))}`);
    // The server's login role: noinherit, so it holds no privilege until it SETs a request role.
    await ensureRole(root, cfg.authRole, `login noinherit ${safe} password ${lit(decodeURIComponent(auth.password))}`);
    for (const role of REQUEST_ROLES) await ensureRole(root, role, `nologin ${safe}`);
    // The edge's own narrow path to its entry points (login, refresh, OAuth sign-in, ...):
    // only the login role can become it, no request role is a member.
    await ensureRole(root, EDGE_ROLE, `nologin ${safe}`);
    await root.query(`grant ${ident(EDGE_ROLE)} to ${ident(cfg.authRole)}`);
    // manager and admin are app_users with more rights; bot is deliberately not one.
    await root.query('grant app_user to manager, admin');
    await root.query(`grant ${REQUEST_ROLES.map(ident).join(', ')} to ${ident(cfg.authRole)}`);
    await ensureDatabase(root, cfg.dbName, cfg.ownerRole);
    await ensureDatabase(root, shadowDb, cfg.ownerRole);
    for (const db of [cfg.dbName, shadowDb]) {
      await root.query(`revoke all on database ${ident(db)} from public`);
      await root.query(`grant connect on database ${ident(db)} to ${ident(cfg.authRole)}`);
    }
    log(`roles and databases ready (${cfg.dbName})`);
  } finally {
    await root.end();
  }
  try {
    await migrate(migrateSettings(cfg));
    // Work in progress (db/migrations/current/) on top, as `db:watch` would: tests and the
    // development server run what is being written; production runs committed migrations only.
    if (opts.current) await watch(migrateSettings(cfg), true);
  } finally {
    // graphile-migrate keeps idle pools after migrate() and exits the process if the server
    // goes away under them (a test cluster being stopped); end them here, where they start.
    clearAllPools();
  }
  log('migrations applied');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = dbConfigFromEnv();
  setup(cfg, { reset: process.argv.includes('--reset'), log: (s) => console.log(s) }).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
