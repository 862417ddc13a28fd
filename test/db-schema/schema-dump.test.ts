import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dumpSchema, readSchemaDir, SCHEMA_FILE, splitDump } from '../../db/scripts/dump.ts';

// db/schema.sql and db/schema/ are what the migrations (plus db/root-hardening.sql) produce;
// a migration committed without `npm run db:commit` (which rewrites both) leaves them stale.
let dump = '';
beforeAll(() => {
  const url = process.env.DATABASE_URL;
  expect(url, 'DATABASE_URL is set by the test harness').toBeTruthy();
  dump = dumpSchema(url!);
});

describe('db/schema.sql', () => {
  it('matches the schema the committed migrations produce', () => {
    expect(dump).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
  });
});

describe('db/schema/<schema>/<object>.sql', () => {
  it('holds exactly the current per-object files: none stale, missing or extra', () => {
    const want = splitDump(dump);
    const have = readSchemaDir();
    const problems = {
      missing: [...want.keys()].filter((f) => !have.has(f)),
      extra: [...have.keys()].filter((f) => !want.has(f)),
      stale: [...want.keys()].filter((f) => have.has(f) && have.get(f) !== want.get(f)),
    };
    expect(problems, 'run `npm run db:dump`').toEqual({ missing: [], extra: [], stale: [] });
  });

  it('puts every block of the dump in exactly one file', () => {
    const blocks = (text: string) => text.split(/\n\n(?=--\n-- Name: )/).slice(1);
    const inFiles = [...splitDump(dump).values()].flatMap((f) => blocks(f.trim()));
    expect(inFiles.sort()).toEqual(blocks(dump.trim()).sort());
  });

  it("keeps a table's policies, indexes, triggers, constraints, grants and comments in its file", () => {
    const documents = splitDump(dump).get('app_public/documents.sql') ?? '';
    for (const type of [
      'TABLE',
      'POLICY',
      'INDEX',
      'TRIGGER',
      'CONSTRAINT',
      'FK CONSTRAINT',
      'ROW SECURITY',
      'ACL',
      'COMMENT',
    ]) {
      expect(documents, type).toMatch(new RegExp(`^-- Name: .*; Type: ${type}; Schema: app_public;`, 'm'));
    }
    // ...and nothing of another table.
    for (const m of documents.matchAll(
      /^(?:CREATE POLICY \S+|CREATE (?:UNIQUE )?INDEX \S+|CREATE TRIGGER .*?) ON (?:ONLY )?(\S+)/gm,
    )) {
      expect(m[1]).toBe('app_public.documents');
    }
  });

  it('gives each function name one file, next to nothing else', () => {
    const files = splitDump(dump);
    const login = files.get('app_hidden/login.sql') ?? '';
    expect(login).toMatch(/^CREATE FUNCTION app_hidden\.login\(/m);
    expect(login).not.toMatch(/^CREATE (TABLE|POLICY|INDEX)/m);
  });
});
