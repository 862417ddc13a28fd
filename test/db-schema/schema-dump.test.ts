import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dumpSchema, SCHEMA_FILE } from '../../db/scripts/dump.ts';

// db/schema.sql is what the committed migrations produce; a migration committed without
// `npm run db:commit` (which rewrites the dump) leaves it stale and fails here.
describe('db/schema.sql', () => {
  it('matches the schema the committed migrations produce', () => {
    const url = process.env.DATABASE_URL;
    expect(url, 'DATABASE_URL is set by the test harness').toBeTruthy();
    expect(dumpSchema(url!)).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
  });
});
