/**
 * Keeps the requirement catalogue (docs/security.md) and the code honest with each other.
 * No database: it reads files only.
 *
 * (a) every id cited under proxy/, db/migrations/, db/scripts/, test/ and bench/ is defined
 *     in docs/security.md (sections M-Q included: they are cited only once defined there);
 * (b) every id defined in docs/security.md is cited by a test file under test/;
 * (c) every test file listed for an id in docs/security.md exists and cites that id.
 *
 * An id is cited as a word: `A7: ...` at the start of a pgTAP description or a vitest name,
 * `(F2)` or `(C5, F2)` in a comment, `G2/G4:` for several, `G2-G5` for a range (a range
 * cites only its two ends). Look-alikes such as SQLSTATEs (42P01, P0001), hex, base64 and
 * key ids are not citations: see the first test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = 'docs/security.md';
const SELF = 'test/meta/requirements.test.ts';
const SCANNED = ['proxy', 'db/migrations', 'db/scripts', 'test', 'bench'];
const SOURCE = /\.(ts|tsx|js|mjs|cjs|sql|sh)$/;

/**
 * Ids that the catalogue defines but no test in this repository can prove, each with the
 * reason (repeat it on the id's line in docs/security.md). Keep this empty if at all possible.
 */
const UNPROVABLE: Record<string, string> = {};

const ID = '[A-Q][0-9]{1,2}';
/**
 * One citation: an id, or ids joined by `/` or `-`, standing alone. Before it: start of line,
 * whitespace, `(`, `[`, a quote or a comma. After it: whitespace, `:`, `,`, `;`, `)`, `]`, a
 * quote, a full stop that ends a word, or end of line. So `42P01`, `P0001`, `0xA1`, `%E0%`,
 * `A1B2`, `abc/A12/xyz`, `kid-A1` and `A1.5` do not match.
 */
const CITATION = new RegExp(`(?<=^|[\\s(\\['"\`,])${ID}(?:[/-]${ID})*(?=[\\s:,;)\\]'"\`]|\\.(?!\\w)|$)`, 'gm');

/** The ids a text cites, with the 1-based line of each citation. */
function citations(text: string): { id: string; line: number }[] {
  const out: { id: string; line: number }[] = [];
  for (const m of text.matchAll(CITATION)) {
    const line = text.slice(0, m.index).split('\n').length;
    for (const id of m[0].split(/[/-]/)) out.push({ id, line });
  }
  return out;
}

const rel = (abs: string) => relative(ROOT, abs).split(sep).join('/');

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

/** A test file: a vitest `*.test.ts` or a pgTAP file under test/ (helpers start with `_`). */
const isTestFile = (path: string) =>
  path.startsWith('test/') && (/\.test\.ts$/.test(path) || /\/[^_/][^/]*\.sql$/.test(path));

interface Definition {
  id: string;
  line: number;
  files: string[];
}

/** Parses docs/security.md: `- **A1** rule. Tests: \`path\`, \`path\`` under `## A. ...`. */
function readCatalogue(): { defs: Map<string, Definition>; problems: string[] } {
  const defs = new Map<string, Definition>();
  const problems: string[] = [];
  const lines = readFileSync(join(ROOT, DOC), 'utf8').split('\n');
  let section = '';
  lines.forEach((text, i) => {
    const line = i + 1;
    const heading = /^## ([A-Z])\. /.exec(text);
    if (heading) section = heading[1]!;
    if (!section || !text.startsWith('- ')) return;
    const m = /^- \*\*([A-Z][0-9]{1,2})\*\* (.+)$/.exec(text);
    if (!m) {
      problems.push(
        `${DOC}:${line}: a list item that is not a requirement line; write it as "- **X1** rule. Tests: \`test/...\`"`,
      );
      return;
    }
    const id = m[1]!;
    if (!new RegExp(`^${ID}$`).test(id)) {
      problems.push(`${DOC}:${line}: ${id} is not a requirement id (a letter A-Q and one or two digits)`);
    }
    if (id[0] !== section) {
      problems.push(`${DOC}:${line}: ${id} stands under section ${section}; move it under "## ${id[0]}."`);
    }
    const prev = defs.get(id);
    if (prev) {
      problems.push(`${DOC}:${line}: ${id} is defined twice (first on line ${prev.line}); keep one line`);
      return;
    }
    const tests = m[2]!.split(' Tests: ');
    const files = tests.length > 1 ? [...tests.at(-1)!.matchAll(/`([^`]+)`/g)].map((f) => f[1]!) : [];
    if (files.length === 0 && !(id in UNPROVABLE)) {
      problems.push(
        `${DOC}:${line}: ${id} lists no test files; end the line with " Tests: \`test/...\`" naming the files that prove it`,
      );
    }
    defs.set(id, { id, line, files });
  });
  return { defs, problems };
}

/** Every citation in the scanned folders, by id. */
function readCitations(): Map<string, { file: string; line: number }[]> {
  const cited = new Map<string, { file: string; line: number }[]>();
  for (const abs of SCANNED.flatMap((d) => walk(join(ROOT, d)))) {
    const file = rel(abs);
    if (file === SELF) continue; // the examples in this file are not citations
    for (const c of citations(readFileSync(abs, 'utf8'))) {
      const list = cited.get(c.id) ?? [];
      list.push({ file, line: c.line });
      cited.set(c.id, list);
    }
  }
  return cited;
}

function failIf(problems: string[], what: string): void {
  if (problems.length > 0) expect.fail(`${what}:\n- ${problems.join('\n- ')}`);
}

describe('requirement ids', () => {
  const { defs, problems: malformed } = readCatalogue();
  const cited = readCitations();

  it('the citation pattern finds ids as words and ignores look-alikes', () => {
    const ids = (s: string) => citations(s).map((c) => c.id);
    expect(ids(`it('D6: logout bites')`)).toEqual(['D6']);
    expect(ids(`it('D2 (!): csrf')`)).toEqual(['D2']);
    expect(ids(`'A1/A7: roles'`)).toEqual(['A1', 'A7']);
    expect(ids('-- counters commit (C5, F2, K2).')).toEqual(['C5', 'F2', 'K2']);
    expect(ids(' * G2-G5). Every request')).toEqual(['G2', 'G5']);
    expect(ids('// A10\nA11')).toEqual(['A10', 'A11']);
    expect(ids('the A9 check; see Q4.')).toEqual(['A9', 'Q4']);
    for (const s of [
      `'42P01'`,
      `errcode = 'P0001'`,
      'sqlstate 23P01 and 2BP01',
      `'/%E0%A4%A'`,
      '0xA1 and 0XB2',
      'deadbeefA1 A1B2 A1b',
      'eyJhbGciOiJFZERTQSJ9.A12/xyz+B3=',
      `'abc/A12/xyz'`,
      'kid-A1-2024 key_B2 key.C3',
      'A1.5 and E164 and R2: and Z9:',
      'A123 and a1: lowercase',
    ]) {
      expect(ids(s), s).toEqual([]);
    }
  });

  it(`${DOC} is well-formed`, () => {
    failIf(malformed, `fix these lines of ${DOC}`);
    const stray = Object.keys(UNPROVABLE).filter((id) => !defs.has(id));
    failIf(
      stray.map((id) => `${id} is in UNPROVABLE but ${DOC} does not define it: remove it from UNPROVABLE`),
      `fix UNPROVABLE in ${SELF}`,
    );
    expect(defs.size).toBeGreaterThan(0);
  });

  it(`(a) every id cited in proxy/, db/, test/ and bench/ is defined in ${DOC}`, () => {
    const problems: string[] = [];
    for (const [id, where] of [...cited].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
      if (defs.has(id)) continue;
      const at = where.map((w) => `${w.file}:${w.line}`);
      const places = at.length > 3 ? `${at.slice(0, 3).join(', ')} and ${at.length - 3} more` : at.join(', ');
      const hint =
        id[0]! >= 'M'
          ? `section ${id[0]} belongs to a feature issue: add its line from ../shared/SECURITY.md to ${DOC} (new "## ${id[0]}." section) with the tests that prove it`
          : `if it is a typo, fix the citation; otherwise add "- **${id}** <rule>. Tests: \`<test file>\`" under "## ${id[0]}." in ${DOC}`;
      problems.push(`${id} is cited at ${places} but ${DOC} does not define it: ${hint}`);
    }
    failIf(problems, `ids cited in the code or tests but not defined in ${DOC}`);
  });

  it(`(b) every id defined in ${DOC} is cited by a test file under test/`, () => {
    const problems: string[] = [];
    for (const d of defs.values()) {
      if (d.id in UNPROVABLE) continue;
      if ((cited.get(d.id) ?? []).some((c) => isTestFile(c.file))) continue;
      problems.push(
        `${d.id} (${DOC}:${d.line}) is cited by no test: name the test that proves it "${d.id}: ..." ` +
          `(pgTAP description or vitest it() name) and list its file on that line; if no test here can ` +
          `prove it, add it to UNPROVABLE in ${SELF} with the reason and say why on its line`,
      );
    }
    failIf(problems, `requirements that no test under test/ cites`);
  });

  it(`(c) every test file listed in ${DOC} exists and cites its id`, () => {
    const problems: string[] = [];
    for (const d of defs.values()) {
      for (const file of d.files) {
        const where = `${DOC}:${d.line} lists ${file} for ${d.id}`;
        if (!existsSync(join(ROOT, file))) {
          problems.push(`${where}, but there is no such file: fix the path (from the repository root) or remove it`);
        } else if (!isTestFile(file)) {
          problems.push(
            `${where}, which is not a test file (test/**/*.test.ts or test/db/*.sql): list the tests instead`,
          );
        } else if (!(cited.get(d.id) ?? []).some((c) => c.file === file)) {
          problems.push(
            `${where}, but that file does not cite ${d.id}: name its proving test "${d.id}: ..." or remove the file from the line`,
          );
        }
      }
    }
    failIf(problems, `test files listed in ${DOC} that do not back their id`);
  });
});
