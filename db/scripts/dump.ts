/**
 * `npm run db:dump`: the schema as migrations (and db/root-hardening.sql) leave it, so every
 * change to the database shows up as a reviewable diff. Two views of one pg_dump:
 *
 * - db/schema.sql: canonical, every `-- Name:` block sorted (not a restore script);
 * - db/schema/<schema>/<object>.sql: the same blocks grouped by the object they belong to,
 *   so a table's columns, defaults, constraints, indexes, triggers, RLS, policies, comments
 *   and grants sit in one file (db/schema/app_public/documents.sql); one file per function
 *   name (overloads together), per type, per view; `_schema.sql` for the schema itself;
 *   everything in schema public (extension members: we create nothing there) in
 *   public/extensions.sql.
 *
 * test/db-schema/schema-dump.test.ts fails when either is stale or db/schema/ has extra files.
 * `db:commit` writes both from the shadow database (committed migrations only).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dbConfigFromEnv } from './config.ts';
import { pgBin } from './pg-bin.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema.sql', import.meta.url));
export const SCHEMA_DIR = fileURLToPath(new URL('../schema', import.meta.url));

/** The schemas we dump, as pg_dump patterns; extensions installed in them come along. */
const SCHEMAS = ['public', 'app_*'];

/** The normalised schema-only dump of the database at `url` (db/schema.sql's content). */
export function dumpSchema(url: string): string {
  const psql = (sql: string) =>
    execFileSync(pgBin('psql'), ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql, url], { encoding: 'utf8' });
  // With --schema pg_dump leaves extensions out, and with them the grants db/root-hardening.sql
  // changed on their functions; name the ones living in our schemas (not pgTAP's, in tap).
  const extensions = psql(
    `select extname from pg_extension where extnamespace::regnamespace::text = 'public'
        or extnamespace::regnamespace::text like 'app\\_%' order by 1`,
  )
    .split('\n')
    .filter(Boolean);
  const raw = execFileSync(
    pgBin('pg_dump'),
    [
      '--schema-only',
      '--no-owner',
      ...SCHEMAS.map((s) => `--schema=${s}`),
      ...extensions.map((e) => `--extension=${e}`),
      url,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const text = raw
    .split('\n')
    // Versions and session SETs differ between machines, not between schemas.
    .filter((l) => !/^-- Dumped (from|by)|^SET |^SELECT pg_catalog\.set_config|^\\(un)?restrict /.test(l))
    .join('\n')
    // The trailer would otherwise end up inside whichever block sorts where it stood.
    .replace(/\n--\n-- PostgreSQL database dump complete\n--\n/, '\n')
    .replace(/\n{3,}/g, '\n\n');
  // pg_dump breaks dependency ties by OID, which differs between two databases built from the
  // same migrations; sorting its "-- Name:" blocks makes the dump a canonical, diffable form.
  const blocks = text.split(/\n(?=--\n-- Name: )/).map((b) => b.trim());
  const [head, ...rest] = blocks;
  return `${[head, ...rest.sort()].join('\n\n')}\n`;
}

interface Block {
  name: string;
  type: string;
  schema: string;
  text: string;
}

const HEADER = /^--\n-- Name: (.*); Type: (.*); Schema: (.*); Owner: .*\n--/;
const IDENT = String.raw`(?:"(?:[^"]|"")+"|[^\s."(]+)`;
const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);
/** The first identifier of `s` ("documents select_own" -> documents, "login(p_email text)" -> login). */
const first = (s: string) => unquote(new RegExp(`^${IDENT}`).exec(s)?.[0] ?? s);
/** `schema.name` in SQL text -> [schema, name]. */
const qualified = (s: string): [string, string] => {
  const m = new RegExp(`^(${IDENT})\\.(${IDENT})`).exec(s);
  return m ? [unquote(m[1]!), unquote(m[2]!)] : ['-', first(s)];
};

/** Order inside a file: the definition, then what hangs off it, then comments and grants. */
const RANK: Record<string, number> = {
  SCHEMA: 0,
  EXTENSION: 0,
  TYPE: 0,
  DOMAIN: 0,
  TABLE: 0,
  VIEW: 0,
  'MATERIALIZED VIEW': 0,
  FUNCTION: 0,
  PROCEDURE: 0,
  AGGREGATE: 0,
  SEQUENCE: 1,
  'SEQUENCE OWNED BY': 1,
  DEFAULT: 1,
  CONSTRAINT: 2,
  'CHECK CONSTRAINT': 2,
  'FK CONSTRAINT': 3,
  INDEX: 4,
  RULE: 5,
  TRIGGER: 5,
  'ROW SECURITY': 6,
  POLICY: 7,
  COMMENT: 8,
  ACL: 9,
};

/**
 * Splits a canonical dump into per-object files: relative path -> content. Every block lands
 * in exactly one file. INDEX, CONSTRAINT, FK CONSTRAINT, POLICY, TRIGGER, DEFAULT, ROW
 * SECURITY, owned SEQUENCE, and the COMMENTs and ACLs on any of them or on columns go to
 * their table.
 */
export function splitDump(dump: string): Map<string, string> {
  const blocks: Block[] = [];
  for (const text of dump.split(/\n\n(?=--\n-- Name: )/).map((b) => b.trim())) {
    const m = HEADER.exec(text);
    if (m) blocks.push({ name: m[1]!, type: m[2]!, schema: m[3]!, text });
  }
  // Objects named without their table: indexes, sequences; extensions without their schema.
  const parent = new Map<string, string>();
  const extensionSchema = new Map<string, string>();
  for (const b of blocks) {
    if (b.type === 'INDEX') {
      const on = /\bON (?:ONLY )?(.+?) USING /.exec(b.text)?.[1];
      if (on) parent.set(`${b.schema}.${b.name}`, qualified(on)[1]);
    } else if (b.type === 'SEQUENCE' || b.type === 'SEQUENCE OWNED BY') {
      const table = /ALTER TABLE (?:ONLY )?(\S+) ALTER COLUMN/.exec(b.text)?.[1] ?? /OWNED BY (\S+)/.exec(b.text)?.[1];
      if (table) parent.set(`${b.schema}.${b.name}`, qualified(table)[1]);
    } else if (b.type === 'EXTENSION') {
      const schema = /WITH SCHEMA (\S+?);/.exec(b.text)?.[1];
      if (schema) extensionSchema.set(b.name, unquote(schema));
    }
  }
  const owned = (schema: string, name: string) => parent.get(`${schema}.${name}`) ?? name;

  /** [schema, object] a block belongs to. */
  const ownerOf = (b: Block): [string, string] => {
    switch (b.type) {
      case 'SCHEMA':
        return [b.name, '_schema'];
      case 'EXTENSION':
        return [extensionSchema.get(b.name) ?? '_extensions', 'extensions'];
      case 'INDEX':
      case 'SEQUENCE':
      case 'SEQUENCE OWNED BY':
        return [b.schema, owned(b.schema, b.name)];
      case 'COMMENT':
      case 'ACL': {
        const [, kind, rest] =
          /^(COLUMN|TABLE|VIEW|MATERIALIZED VIEW|FOREIGN TABLE|SEQUENCE|INDEX|FUNCTION|PROCEDURE|AGGREGATE|TYPE|DOMAIN|SCHEMA|EXTENSION|POLICY|TRIGGER|CONSTRAINT|RULE|[A-Z ]+?) (.*)$/.exec(
            b.name,
          ) ?? [b.name, '', b.name];
        if (kind === 'SCHEMA') return [first(rest!), '_schema'];
        if (kind === 'EXTENSION') return [extensionSchema.get(first(rest!)) ?? '_extensions', 'extensions'];
        const on = / ON (.+)$/.exec(rest!)?.[1];
        if (on && /^(POLICY|TRIGGER|CONSTRAINT|RULE)$/.test(kind!)) return [b.schema, first(on)];
        return [b.schema, owned(b.schema, first(rest!))];
      }
      default:
        // TABLE, VIEW, TYPE, FUNCTION(args), and "table thing" for CONSTRAINT, FK CONSTRAINT,
        // POLICY, TRIGGER, DEFAULT, ROW SECURITY, RULE.
        return [b.schema, first(b.name)];
    }
  };

  const groups = new Map<string, Block[]>();
  for (const b of blocks) {
    const [schema, object] = ownerOf(b);
    const file =
      schema === 'public' && object !== '_schema'
        ? 'public/extensions.sql'
        : `${schema.replace(/[^\w.-]/g, '_')}/${object.replace(/[^\w.-]/g, '_')}.sql`;
    groups.set(file, [...(groups.get(file) ?? []), b]);
  }
  const files = new Map<string, string>();
  for (const [file, list] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    list.sort(
      (a, b) => (RANK[a.type] ?? 10) - (RANK[b.type] ?? 10) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0),
    );
    const title = file.replace(/\.sql$/, '').replace('/', '.');
    files.set(
      file,
      `-- ${title}: generated by \`npm run db:dump\` (db/scripts/dump.ts), do not edit.\n` +
        `-- The blocks of db/schema.sql that belong to this object.\n\n${list.map((b) => b.text).join('\n\n')}\n`,
    );
  }
  return files;
}

/** The .sql files under `dir`, relative path -> content. */
export function readSchemaDir(dir = SCHEMA_DIR): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.sql')) out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const readFileOr = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Writes db/schema.sql and db/schema/ (removing files no object owns any more); returns what changed. */
export function writeDumps(url: string): string[] {
  const dump = dumpSchema(url);
  const written: string[] = [];
  if (readFileOr(SCHEMA_FILE) !== dump) {
    writeFileSync(SCHEMA_FILE, dump);
    written.push(SCHEMA_FILE);
  }
  const files = splitDump(dump);
  const existing = readSchemaDir();
  for (const [file, content] of files) {
    if (existing.get(file) === content) continue;
    mkdirSync(dirname(join(SCHEMA_DIR, file)), { recursive: true });
    writeFileSync(join(SCHEMA_DIR, file), content);
    written.push(join(SCHEMA_DIR, file));
  }
  for (const file of existing.keys()) {
    if (files.has(file)) continue;
    rmSync(join(SCHEMA_DIR, file));
    written.push(`${join(SCHEMA_DIR, file)} (removed)`);
  }
  for (const d of readdirSync(SCHEMA_DIR, { withFileTypes: true })) {
    if (d.isDirectory() && readdirSync(join(SCHEMA_DIR, d.name)).length === 0)
      rmSync(join(SCHEMA_DIR, d.name), { recursive: true });
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --shadow: the shadow database as db:commit left it (committed migrations alone).
  const cfg = dbConfigFromEnv();
  const written = writeDumps(process.argv.includes('--shadow') ? cfg.shadowUrl : cfg.ownerUrl);
  for (const file of written) console.log(`wrote ${file}`);
  console.log(`db/schema.sql and db/schema/ are current (${written.length} files changed)`);
}
