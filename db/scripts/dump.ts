/**
 * `npm run db:dump`: writes db/schema.sql, the schema as migrations leave it, so every
 * change to the database shows up as a reviewable diff. A test fails when it is stale.
 * (Blocks are sorted: it is a canonical view of the schema, not a restore script.)
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
  const text = raw
    .split('\n')
    // Versions and session SETs differ between machines, not between schemas.
    .filter((l) => !/^-- Dumped (from|by)|^SET |^SELECT pg_catalog\.set_config|^\\(un)?restrict /.test(l))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
  // pg_dump breaks dependency ties by OID, which differs between two databases built from the
  // same migrations; sorting its "-- Name:" blocks makes the dump a canonical, diffable form.
  const blocks = text.split(/\n(?=--\n-- Name: )/).map((b) => b.trim());
  const [head, ...rest] = blocks;
  return [head, ...rest.sort()].join('\n\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --shadow: after db:commit the shadow database was rebuilt from the committed migrations
  // alone, so it is the schema a fresh install gets.
  const cfg = dbConfigFromEnv();
  writeFileSync(SCHEMA_FILE, dumpSchema(process.argv.includes('--shadow') ? cfg.shadowUrl : cfg.ownerUrl));
  console.log(`wrote ${SCHEMA_FILE}`);
}
