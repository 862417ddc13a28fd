/**
 * `npm run db:dump`: writes db/schema.sql, the schema as migrations leave it, so every
 * change to the database shows up as a reviewable diff. A test fails when it is stale.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dbConfigFromEnv } from './config.ts';
import { pgBin } from './pg-bin.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema.sql', import.meta.url));

/** The normalised schema-only dump of the database at `url`. */
export function dumpSchema(url: string): string {
  const raw = execFileSync(
    pgBin('pg_dump'),
    ['--schema-only', '--no-owner', '--schema=public', '--schema=app_*', url],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return (
    raw
      .split('\n')
      // Versions and session SETs differ between machines, not between schemas.
      .filter((l) => !/^-- Dumped (from|by)|^SET |^SELECT pg_catalog\.set_config|^\\(un)?restrict /.test(l))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --shadow: after db:commit the shadow database was rebuilt from the committed migrations
  // alone, so it is the schema a fresh install gets.
  const cfg = dbConfigFromEnv();
  writeFileSync(SCHEMA_FILE, dumpSchema(process.argv.includes('--shadow') ? cfg.shadowUrl : cfg.ownerUrl));
  console.log(`wrote ${SCHEMA_FILE}`);
}
