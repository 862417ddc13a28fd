// The error registry (proxy/core/errors.ts + features' errors.ts) against what really raises
// codes: the migrations (raised SQLSTATEs and codes returned in result rows) and the edge's
// code. Fails on a code raised but not registered, registered but never raised, a SQL code
// that is not a valid five-letter SQLSTATE, or a stale docs/error_codes.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderErrorCodes, ERROR_DOC } from '../../proxy/cli/docs.ts';
import type { ErrorSpec } from '../../proxy/core/error-spec.ts';
import { ERRORS } from '../../proxy/core/errors.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

// Comments are not code: a code named in a comment is neither raised nor returned.
const stripSqlComments = (s: string) => s.replace(/--[^\n]*/g, '');
const stripTsComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/[^\n]*/g, '$1');

function sqlCodes(): { raised: Set<string>; returned: Set<string> } {
  const raised = new Set<string>();
  const returned = new Set<string>();
  for (const f of files(join(ROOT, 'db', 'migrations'), '.sql')) {
    const sql = stripSqlComments(readFileSync(f, 'utf8'));
    for (const m of sql.matchAll(/errcode\s*=\s*'([A-Za-z0-9]{5})'/g)) raised.add(m[1]!);
    for (const m of sql.matchAll(/auth_error\('([A-Z]+)'\)|row\('([A-Z]+)'/g)) returned.add((m[1] ?? m[2])!);
  }
  // Standard SQLSTATEs raised on purpose are not client codes (e.g. 42501 from a guard).
  for (const c of raised) if (/^[0-9]/.test(c)) raised.delete(c);
  return { raised, returned };
}

function edgeCodes(): Set<string> {
  const out = new Set<string>();
  const registry = /proxy\/(core\/error-spec|features\/[^/]+\/errors|cli\/docs)\.ts$/;
  for (const f of files(join(ROOT, 'proxy'), '.ts')) {
    if (registry.test(f) || f.endsWith('.test.ts')) continue;
    const ts = stripTsComments(readFileSync(f, 'utf8'));
    for (const m of ts.matchAll(
      /AuthError\('([A-Z]+)'|code: '([A-Z]+)'|coded\(error, '([A-Z]+)'|: ErrorCode = '([A-Z]+)'|<ErrorCode>\(\['([A-Z]+)'/g,
    )) {
      out.add((m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5])!);
    }
    // Codes mapped by the GraphQL error classifier: [regex, 'CODE'] pairs and Sets of codes.
    for (const m of ts.matchAll(/\/,\s*'([A-Z]+)'/g)) out.add(m[1]!);
    for (const m of ts.matchAll(/new Set<ErrorCode>\(\[([^\]]*)\]\)/g)) {
      for (const c of m[1]!.matchAll(/'([A-Z]+)'/g)) out.add(c[1]!);
    }
  }
  return out;
}

describe('error registry', () => {
  const { raised, returned } = sqlCodes();
  const edge = edgeCodes();
  const registered = Object.entries(ERRORS as Record<string, ErrorSpec>);

  it('every code a migration raises is registered as raised by SQL', () => {
    const missing = [...raised].filter((c) => !(ERRORS as Record<string, ErrorSpec>)[c]?.raisedBy.includes('sql'));
    expect(missing, 'register these in a feature errors.ts with raisedBy sql').toEqual([]);
  });

  it('every code a function returns in its result row is registered as such', () => {
    const missing = [...returned].filter((c) => !(ERRORS as Record<string, ErrorSpec>)[c]?.raisedBy.includes('row'));
    expect(missing, 'register these with raisedBy row').toEqual([]);
  });

  it('every code the edge raises is registered', () => {
    expect(
      [...edge].filter((c) => !(c in ERRORS)),
      'register these codes',
    ).toEqual([]);
  });

  it('no registered code is dead: each is raised where its entry says', () => {
    const dead: string[] = [];
    for (const [code, spec] of registered) {
      for (const where of spec.raisedBy) {
        const found = where === 'sql' ? raised.has(code) : where === 'row' ? returned.has(code) : edge.has(code);
        if (!found) dead.push(`${code} (${where})`);
      }
    }
    expect(dead, 'registered but never raised there: remove the entry or fix raisedBy').toEqual([]);
  });

  it('codes raised by SQL are five capital letters (valid SQLSTATEs outside the standard classes)', () => {
    const bad = registered.filter(([code, s]) => s.raisedBy.includes('sql') && !/^[A-Z]{5}$/.test(code));
    expect(bad.map(([c]) => c)).toEqual([]);
  });

  it('docs/error_codes.md is generated from the registry (npm run docs:errors)', () => {
    expect(readFileSync(ERROR_DOC, 'utf8')).toBe(renderErrorCodes());
  });
});
