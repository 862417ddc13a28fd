/**
 * `npm run db:setup`: on an empty (or already set up) cluster, as ROOT_DATABASE_URL:
 *
 * 1. db/roles.sql creates or corrects the roles,
 * 2. the app and shadow databases are created (CREATE DATABASE cannot run in a SQL block),
 * 3. migrations run as the owner (committed, plus current/ with `current`),
 * 4. db/root-hardening.sql revokes what the owner cannot revoke (superuser-owned functions).
 *
 * Idempotent, and safe when several instances start at once: the whole setup holds one
 * session advisory lock (SETUP_LOCK, in the root database), so setups run one after another;
 * a second run changes nothing. `--reset` drops the databases first (development only).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { installMailQueue } from '../../proxy/features/email/queue.ts';
import { dbConfigFromEnv, dbEnv, rootUrlFor, type DbConfig } from './config.ts';

/** 742884 spells PGAUTH on a phone keypad. roles.sql and root-hardening.sql take it too. */
export const SETUP_LOCK = '7428840001';
export const ROLES_FILE = fileURLToPath(new URL('../roles.sql', import.meta.url));
export const HARDENING_FILE = fileURLToPath(new URL('../root-hardening.sql', import.meta.url));
const GM_SCRIPT = fileURLToPath(new URL('./gm.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const ident = (s: string) => pg.escapeIdentifier(s);

/**
 * Runs a SQL file with `pgauth.<name>` session settings bound as query parameters (the file
 * reads them with current_setting() and quotes them itself), then clears them: passwords
 * do not outlive the file in the session.
 */
export async function runSqlFile(client: pg.Client, file: string, params: Record<string, string>): Promise<void> {
  const entries = Object.entries(params);
  const set = (values: string[]) =>
    client.query(
      `select ${entries.map((_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ')}`,
      entries.flatMap(([k], i) => [`pgauth.${k}`, values[i]!]),
    );
  if (entries.length) await set(entries.map(([, v]) => v));
  try {
    await client.query(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (entries.length) await set(entries.map(() => ''));
  }
}

async function ensureDatabase(client: pg.Client, name: string, owner: string): Promise<void> {
  const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
  if (!rowCount) await client.query(`create database ${ident(name)} owner ${ident(owner)}`);
}

/**
 * graphile-migrate in a child process (db/scripts/gm.ts, its public API): it keeps idle pools
 * after migrate() and exits the process if the server goes away under them (a test cluster
 * being stopped), and no public API ends them. A child's pools end with the child.
 */
export function runMigrations(
  cfg: DbConfig,
  opts: { current?: boolean; log?: (s: string) => void } = {},
): Promise<void> {
  const args = ['--import', 'tsx', GM_SCRIPT, 'migrate', ...(opts.current ? ['--current'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // All four URLs, so the child derives nothing from a developer's own environment.
    env: { ...process.env, ...dbEnv(cfg) },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) {
        for (const line of output.trim().split('\n')) if (line) opts.log?.(line);
        resolve();
      } else reject(new Error(`migrations failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

/** db/root-hardening.sql as the superuser inside database `db` (the app or the shadow one). */
export async function harden(cfg: DbConfig, db: string): Promise<void> {
  const client = new pg.Client({ connectionString: rootUrlFor(cfg, db) });
  await client.connect();
  try {
    await runSqlFile(client, HARDENING_FILE, { owner_role: cfg.ownerRole });
  } finally {
    await client.end();
  }
}

/** Creates roles and databases, migrates, hardens. Idempotent; concurrent calls queue. */
export async function setup(
  cfg: DbConfig,
  opts: { reset?: boolean; current?: boolean; log?: (s: string) => void } = {},
): Promise<void> {
  const log = opts.log ?? (() => {});
  const shadowDb = new URL(cfg.shadowUrl).pathname.slice(1);
  const root = new pg.Client({ connectionString: cfg.rootUrl });
  await root.connect();
  try {
    // Session-level: held across the migrations, released when this connection ends.
    await root.query('select pg_catalog.pg_advisory_lock($1)', [SETUP_LOCK]);
    if (opts.reset) {
      for (const db of [cfg.dbName, shadowDb]) {
        await root.query(`drop database if exists ${ident(db)} with (force)`);
      }
    }
    await runSqlFile(root, ROLES_FILE, {
      owner_role: cfg.ownerRole,
      owner_password: decodeURIComponent(new URL(cfg.ownerUrl).password),
      authenticator_role: cfg.authRole,
      authenticator_password: decodeURIComponent(new URL(cfg.authUrl).password),
    });
    await ensureDatabase(root, cfg.dbName, cfg.ownerRole);
    await ensureDatabase(root, shadowDb, cfg.ownerRole);
    for (const db of [cfg.dbName, shadowDb]) {
      await root.query(`revoke all on database ${ident(db)} from public`);
      await root.query(`grant connect on database ${ident(db)} to ${ident(cfg.authRole)}`);
    }
    log(`roles and databases ready (${cfg.dbName})`);
    // The mail queue's schema (graphile_worker), by its own migrations, as the owner: the
    // outbox functions of db/migrations call graphile_worker.add_job (proxy/features/email).
    await installMailQueue(cfg.ownerUrl);
    // Work in progress (db/migrations/current/) on top, as `db:watch` would: tests and the
    // development server run what is being written; production runs committed migrations only.
    await runMigrations(cfg, { current: opts.current, log });
    log('migrations applied');
    await harden(cfg, cfg.dbName);
    log('root hardening applied');
  } finally {
    await root.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = dbConfigFromEnv();
  setup(cfg, { reset: process.argv.includes('--reset'), log: (s) => console.log(s) }).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
