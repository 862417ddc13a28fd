/**
 * Whether the database carries this release's schema. Instances in direct mode (only
 * DATABASE_URL/AUTH_DATABASE_URL) never migrate: the release step does (`npm run db:migrate`,
 * docs/deployment.md), and they wait for it.
 */
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { MIGRATIONS_FOLDER } from '../../db/scripts/migrate-settings.ts';
import type { Config } from './config.ts';

/**
 * The committed migrations this release needs that the database lacks, read as the owner
 * (graphile-migrate's own table); every one of them when nothing was ever migrated.
 */
export async function missingMigrations(ownerUrl: string): Promise<string[]> {
  const committed = readdirSync(`${MIGRATIONS_FOLDER}/committed`).filter((f) => /^\d+.*\.sql$/.test(f));
  const client = new pg.Client({ connectionString: ownerUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client
      .query<{ filename: string }>(
        `select filename from graphile_migrate.migrations
        where pg_catalog.to_regclass('graphile_migrate.migrations') is not null`,
      )
      .catch((e: { code?: string }) => {
        if (e.code === '42P01' || e.code === '3F000') return { rows: [] };
        throw e;
      });
    // graphile-migrate records `000003.sql` for `000003-<slug>.sql`: compare by number.
    const number = (f: string) => f.replace(/^(\d+).*$/, '$1');
    const applied = new Set(rows.map((r) => number(r.filename)));
    return committed.filter((f) => !applied.has(number(f)));
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Direct mode: migrations are the release step's (`npm run db:migrate`), never an instance's.
 * Waits, with backoff, until the schema is current (or the database reachable), at most
 * SCHEMA_WAIT_SECONDS; a database ahead of this release (a newer one migrated it) is fine.
 */
export async function waitForSchema(cfg: Config): Promise<void> {
  const deadline = Date.now() + cfg.schemaWaitSeconds * 1000;
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    let problem: string;
    try {
      const missing = await missingMigrations(cfg.db.ownerUrl);
      if (!missing.length) return;
      problem = `schema not current: ${missing.length} migration(s) missing (${missing.at(-1)}); run \`npm run db:migrate\``;
    } catch (e) {
      problem = `database not reachable: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (Date.now() + delay > deadline) throw new Error(`${problem} (waited ${cfg.schemaWaitSeconds} s)`);
    console.error(JSON.stringify({ level: 'warn', event: 'waiting-for-schema', message: problem, retryInMs: delay }));
    await new Promise((r) => setTimeout(r, delay));
  }
}
