/**
 * Test entry points that need a database:
 *
 *   tsx test/harness/cli.ts db [path...]     pgTAP files (default: test/db)
 *   tsx test/harness/cli.ts vitest [args...]  vitest (`run` unless a subcommand is given)
 *
 * Also exports the shared "get me a prepared test database" step used by
 * test/run-all.ts, so `npm test` and the single-suite commands agree on setup.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import {
  dbConfigFromEnv,
  dbEnv,
  EDGE_ROLE,
  REQUEST_ROLES,
  rootUrlFor,
  type DbConfig,
} from '../../db/scripts/config.ts';
import { setup } from '../../db/scripts/setup.ts';
import { startCluster } from './cluster.ts';
import { runTapFiles } from './tap-runner.ts';

/** Repository root, so commands behave the same from any cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Default folder of pgTAP files. */
export const TAP_DIR = join(REPO_ROOT, 'test', 'db');

/** A database ready for tests, plus how to hand it to child processes. */
export interface TestDatabase {
  /** The production login role's URL: what pgTAP files run as. */
  authUrl: string;
  /** Extra env for test processes (empty when the caller's env is used as is). */
  env: Record<string, string>;
  /** Stops the throwaway cluster, if one was started. */
  release(): Promise<void>;
}

const log = (s: string): void => console.log(`[db] ${s}`);

/**
 * Install pgTAP into `tap` and make it usable by every role a test runs as,
 * then load the owner's test helpers (test/db/_helpers.sql) if present.
 */
export async function preparePgTap(cfg: DbConfig): Promise<void> {
  const ident = pg.escapeIdentifier;
  const roles = [cfg.authRole, cfg.ownerRole, ...REQUEST_ROLES, EDGE_ROLE].map(ident).join(', ');
  const root = new pg.Client({ connectionString: rootUrlFor(cfg, cfg.dbName) });
  await root.connect();
  try {
    await root.query(`
      create schema if not exists tap;
      create extension if not exists pgtap schema tap;
      grant usage on schema tap to ${roles};
      grant execute on all functions in schema tap to ${roles};
      -- pgTAP's plan() keeps its state in temp tables, and setup revokes TEMP from
      -- PUBLIC. Only the login role needs it: after SET ROLE the request roles still
      -- get USAGE on the session's temp schema, and plan() grants its tables to PUBLIC.
      grant temporary on database ${ident(cfg.dbName)} to ${ident(cfg.authRole)};
    `);
  } finally {
    await root.end();
  }
  const helpers = join(TAP_DIR, '_helpers.sql');
  if (!existsSync(helpers)) return;
  const owner = new pg.Client({ connectionString: cfg.ownerUrl });
  await owner.connect();
  try {
    // One transaction so a broken helper file leaves nothing half-created.
    await owner.query('begin');
    await owner.query(readFileSync(helpers, 'utf8'));
    await owner.query('commit');
  } catch (err) {
    await owner.query('rollback').catch(() => {});
    throw new Error(`${helpers}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await owner.end();
  }
}

/**
 * Use the databases named in the environment, or start a throwaway cluster.
 * With ROOT_DATABASE_URL (given or ours) setup() and pgTAP preparation run
 * (both idempotent); with only AUTH_DATABASE_URL the database is assumed ready.
 */
export async function acquireTestDatabase(): Promise<TestDatabase> {
  const { ROOT_DATABASE_URL: givenRoot, AUTH_DATABASE_URL: givenAuth } = process.env;
  if (!givenRoot && givenAuth) {
    log('AUTH_DATABASE_URL without ROOT_DATABASE_URL: using it as is, no setup');
    return { authUrl: givenAuth, env: {}, release: async () => {} };
  }
  const cluster = await startCluster({ log });
  // setup() runs graphile-migrate in a child process, so no pool of its outlives setup().
  const stop = (): Promise<void> => cluster.stop();
  try {
    // For our own cluster only the root URL is passed, so a developer's DATABASE_URL
    // (pointing at their dev database) can never leak into a test run.
    const cfg = givenRoot ? dbConfigFromEnv(process.env) : dbConfigFromEnv({ ROOT_DATABASE_URL: cluster.rootUrl });
    await setup(cfg, { log, current: true });
    await preparePgTap(cfg);
    log(`database ${cfg.dbName} ready`);
    return {
      authUrl: cfg.authUrl,
      env: { ...dbEnv(cfg), TEST_ROOT_DATABASE_URL: cfg.rootUrl },
      release: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const VITEST_SUBCOMMANDS = new Set(['run', 'watch', 'dev', 'related', 'bench', 'list']);

/**
 * Run vitest in a child process with `env` added. Uses this process's node
 * binary, because the bin's `#!/usr/bin/env node` could pick an older system node.
 * Resolves to the exit code.
 */
export function runVitest(args: string[], env: Record<string, string>): Promise<number> {
  const bin = realpathSync(join(REPO_ROOT, 'node_modules', '.bin', 'vitest'));
  const argv = args[0] && VITEST_SUBCOMMANDS.has(args[0]) ? args : ['run', ...args];
  const child = spawn(process.execPath, [bin, ...argv], {
    cwd: REPO_ROOT,
    stdio: 'inherit', // stdin too, so `vitest watch` stays interactive
    env: { ...process.env, ...env },
  });
  return new Promise((resolve) => {
    child.on('error', (err) => {
      console.error(`cannot start vitest: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(argv: string[]): Promise<number> {
  const [mode, ...rest] = argv;
  if (mode !== 'db' && mode !== 'vitest') {
    console.error('usage: tsx test/harness/cli.ts db [path...] | vitest [args...]');
    return 2;
  }
  const db = await acquireTestDatabase();
  try {
    if (mode === 'vitest') return await runVitest(rest, db.env);
    const paths = rest.length ? rest : existsSync(TAP_DIR) ? [TAP_DIR] : [];
    const result = await runTapFiles(paths, db.authUrl);
    // Explicit paths that match no file are a typo, not a pass.
    return result.failed > 0 || (rest.length > 0 && result.files.length === 0) ? 1 : 0;
  } finally {
    await db.release();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}
