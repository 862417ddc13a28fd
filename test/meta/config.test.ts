// Every environment variable is read in one place (proxy/core/config.ts for the server,
// db/scripts/config.ts for the database URLs it delegates to, the OIDC_<NAME>_* parser it
// calls) and documented in the README's configuration tables.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

/** The modules allowed to read the environment. */
const READERS = ['proxy/core/config.ts', 'db/scripts/config.ts', 'proxy/features/oauth/providers.ts'];

function namesReadIn(path: string): string[] {
  const src = read(path);
  const names = new Set<string>();
  for (const m of src.matchAll(/env(?:\??\.|\[')([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
  for (const m of src.matchAll(/\(env, '([A-Z][A-Z0-9_]+)'/g)) names.add(m[1]!);
  return [...names];
}

describe('configuration', () => {
  it('no module of the server reads the environment except the configuration modules', () => {
    const offenders: string[] = [];
    for (const f of files(join(ROOT, 'proxy'))) {
      const rel = relative(ROOT, f);
      if (READERS.includes(rel)) continue;
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/process\.env(?:\.([A-Z_]+)|\b)/g)) {
        // server.ts sets GRAPHILE_ENV for PostGraphile from the loaded configuration.
        if (rel === 'proxy/server.ts' && m[1] === 'GRAPHILE_ENV') continue;
        offenders.push(`${rel}: ${m[0]}`);
      }
    }
    expect(offenders, 'read it in proxy/core/config.ts and pass the value in').toEqual([]);
  });

  it('every variable the configuration reads is documented in the README', () => {
    const readme = read('README.md');
    const missing = READERS.flatMap(namesReadIn).filter((n) => !readme.includes(`\`${n}\``));
    expect(missing, 'add a row to the README configuration table').toEqual([]);
  });

  it('every variable the README documents is read by the configuration', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## How it works'));
    const known = new Set(READERS.flatMap(namesReadIn));
    const documented = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThan(10);
    expect(
      documented.filter((n) => !known.has(n)),
      'remove the row or read the variable',
    ).toEqual([]);
  });
});
