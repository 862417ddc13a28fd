// client/src/gql/ (typed documents and persisted-documents.json) is what `npm run
// client:codegen` writes from the live schema and client/src/operations.ts: regenerated here
// into memory against this test's server and compared file by file, so a schema change or an
// edited operation without a regeneration fails. PGAUTH_CODEGEN_WRITE=1 writes them (and
// client/schema.graphql) instead, without an edge of one's own.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { codegenConfig } from '../../client/codegen.ts';
import { liveSchema } from '../../client/scripts/schema.ts';
import { useServer } from '../http/server.ts';

const GQL = join(import.meta.dirname, '../../client/src/gql');
const srv = useServer();

describe('client codegen', () => {
  it('client/src/gql/ is what `npm run client:codegen` writes from the live schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgauth-codegen-'));
    try {
      const schema = join(dir, 'schema.graphql');
      writeFileSync(schema, `${printSchema(await liveSchema(srv.url))}\n`);
      const out = join(dir, 'gql/');
      const files = (await generate(codegenConfig(schema, out), false)) as { filename: string; content: string }[];
      const fresh = Object.fromEntries(files.map((f) => [relative(out, f.filename), f.content]));
      if (process.env.PGAUTH_CODEGEN_WRITE === '1') {
        writeFileSync(join(GQL, '../../schema.graphql'), readFileSync(schema, 'utf8'));
        mkdirSync(GQL, { recursive: true });
        for (const [name, content] of Object.entries(fresh)) writeFileSync(join(GQL, name), content);
      }
      const committed = Object.fromEntries(readdirSync(GQL).map((n) => [n, readFileSync(join(GQL, n), 'utf8')]));
      expect(Object.keys(committed).sort(), 'run `npm run client:codegen`').toEqual(Object.keys(fresh).sort());
      for (const [name, content] of Object.entries(fresh))
        expect(committed[name], `${name}: run \`npm run client:codegen\``).toBe(content);
      expect(Object.keys(JSON.parse(fresh['persisted-documents.json']!)).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
