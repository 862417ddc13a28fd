/**
 * The scale-out topology of docs/deployment.md, on one machine, for test:scale and
 * bench:scale: a primary PostgreSQL, a streaming replica made by pg_basebackup, Debian's
 * PgBouncer in transaction mode in front of both, N instances of `npm start` (child
 * processes, as a supervisor runs them) and a round-robin balancer (node:http).
 *
 * PostgreSQL and PgBouncer refuse to run as root: as root they run as the `postgres` OS user,
 * in a temporary directory that is removed at the end. Every piece can be stopped and started
 * again on the same port (restarts under load).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type DbConfig, dbConfigFromEnv } from '../../db/scripts/config.ts';
import { systemPgBinDir } from '../../db/scripts/pg-bin.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface RunAs {
  uid: number;
  gid: number;
}

function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const [, , uid, gid] = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `probe` until it returns a value (not undefined) or throws after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Never leave a server behind, even when the test process dies: the children are killed on
// exit (PostgreSQL's fast shutdown, PgBouncer and the instances at once).
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill(c.spawnargs[0]?.endsWith('postgres') ? 'SIGQUIT' : 'SIGKILL');
});
function track(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

const spawnTracked = ((...args: Parameters<typeof spawn>) => track(spawn(...args))) as typeof spawn;

/** Whether something accepts TCP connections on the port. */
function listening(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(undefined));
  });
}

async function canConnect(url: string): Promise<true | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } finally {
    await c.end().catch(() => {});
  }
}

/** One PostgreSQL server (primary or standby) that can be restarted on its port. */
export class PgServer {
  child: ChildProcess | null = null;
  constructor(
    readonly bin: string,
    readonly dataDir: string,
    readonly port: number,
    readonly user: RunAs | undefined,
    readonly logFile: string,
  ) {}

  get rootUrl(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const fd = openSync(this.logFile, 'a');
    this.child = spawnTracked(
      join(this.bin, 'postgres'),
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-k',
        this.dataDir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
      { cwd: this.dataDir, stdio: ['ignore', fd, fd], ...(this.user ?? {}) },
    );
    closeSync(fd);
    const child = this.child;
    await until(`postgres on ${this.port}`, async () => {
      if (child.exitCode !== null) throw new Error(readFileSync(this.logFile, 'utf8').slice(-2000));
      return canConnect(this.rootUrl);
    });
  }

  /** Fast shutdown (clients are cut, as in a restart or a failover). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const done = exited(child);
    child.kill('SIGINT');
    const hard = setTimeout(() => child.kill('SIGQUIT'), 10_000);
    await done;
    clearTimeout(hard);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** Debian's PgBouncer in transaction mode, in front of the primary (`pgauth`) and the
 * replica (`pgauth_replica`). */
export class Bouncer {
  child: ChildProcess | null = null;
  constructor(
    readonly ini: string,
    readonly port: number,
    readonly user: RunAs | undefined,
    readonly logFile: string,
  ) {}

  url(role: string, password: string, db = 'pgauth'): string {
    return `postgresql://${role}:${password}@127.0.0.1:${this.port}/${db}`;
  }

  async start(): Promise<void> {
    const fd = openSync(this.logFile, 'a');
    // Debian installs it in /usr/sbin, which a non-login PATH may lack.
    const bin = existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : 'pgbouncer';
    this.child = spawnTracked(bin, [this.ini], { stdio: ['ignore', fd, fd], ...(this.user ?? {}) });
    closeSync(fd);
    const child = this.child;
    await until(`pgbouncer on ${this.port}`, async () => {
      if (child.exitCode !== null) throw new Error(readFileSync(this.logFile, 'utf8').slice(-2000));
      return listening(this.port);
    });
  }

  /** SIGKILL: a crash, not a shutdown. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const done = exited(child);
    child.kill('SIGKILL');
    await done;
  }
}

export interface Databases {
  dir: string;
  primary: PgServer;
  replica: PgServer | null;
  bouncer: Bouncer;
  /** Direct URLs (root, owner, login) of the primary. */
  db: DbConfig;
  /** The login role through PgBouncer: primary and replica. */
  bouncedAuthUrl: string;
  bouncedReplicaUrl: string | null;
  stop(): Promise<void>;
}

/**
 * An empty primary, its replica (pg_basebackup right after initdb: everything later streams)
 * and PgBouncer. Nothing is set up: instances started with ROOT_DATABASE_URL do that.
 */
export async function startDatabases(opts: { replica: boolean; poolSize?: number }): Promise<Databases> {
  const bin = systemPgBinDir(['initdb', 'postgres', 'pg_basebackup']);
  if (!bin) throw new Error('test:scale needs the PostgreSQL server binaries (postgresql-15) and pgbouncer');
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'pgauth-scale-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const asUser: import('node:child_process').ExecFileSyncOptions = {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user ?? {}),
  };
  const servers: PgServer[] = [];
  let bouncer: Bouncer | undefined;
  const stop = async () => {
    await bouncer?.kill().catch(() => {});
    for (const s of servers.reverse()) await s.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primaryDir = join(dir, 'primary');
    execFileSync(
      join(bin, 'initdb'),
      ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'],
      asUser,
    );
    const primary = new PgServer(bin, primaryDir, await freePort(), user, join(dir, 'primary.log'));
    servers.push(primary);
    await primary.start();
    let replica: PgServer | null = null;
    if (opts.replica) {
      const replicaDir = join(dir, 'replica');
      execFileSync(
        join(bin, 'pg_basebackup'),
        ['-D', replicaDir, '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-X', 'stream', '-R'],
        asUser,
      );
      replica = new PgServer(bin, replicaDir, await freePort(), user, join(dir, 'replica.log'));
      servers.push(replica);
      await replica.start();
    }
    const port = await freePort();
    const ini = join(dir, 'pgbouncer.ini');
    const users = join(dir, 'userlist.txt');
    writeFileSync(users, '"pgauth_authenticator" ""\n"pgauth_owner" ""\n"postgres" ""\n');
    writeFileSync(
      ini,
      `[databases]
pgauth = host=127.0.0.1 port=${primary.port} dbname=pgauth
${replica ? `pgauth_replica = host=127.0.0.1 port=${replica.port} dbname=pgauth` : ''}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${users}
pool_mode = transaction
default_pool_size = ${opts.poolSize ?? 10}
max_client_conn = 500
server_reset_query =
server_login_retry = 1
ignore_startup_parameters = extra_float_digits
logfile = ${join(dir, 'pgbouncer.log')}
pidfile = ${join(dir, 'pgbouncer.pid')}
`,
    );
    if (user) for (const f of [ini, users]) chownSync(f, user.uid, user.gid);
    bouncer = new Bouncer(ini, port, user, join(dir, 'pgbouncer.out'));
    await bouncer.start();
    const db = dbConfigFromEnv({ ROOT_DATABASE_URL: primary.rootUrl });
    return {
      dir,
      primary,
      replica,
      bouncer,
      db,
      bouncedAuthUrl: bouncer.url('pgauth_authenticator', 'pgauth_auth_dev'),
      bouncedReplicaUrl: replica ? bouncer.url('pgauth_authenticator', 'pgauth_auth_dev', 'pgauth_replica') : null,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** One `npm start` (node --import tsx proxy/server.ts, as package.json's start execs it). */
export class Instance {
  child: ChildProcess | null = null;
  output = '';
  exitCode: number | null = null;
  constructor(
    public port: number,
    readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it; a port taken meanwhile (freePort's race) is replaced once by another. */
  async start(): Promise<void> {
    try {
      await this.startOnce();
    } catch (e) {
      if (!this.output.includes('EADDRINUSE')) throw e;
      this.port = await freePort();
      this.output = '';
      this.exitCode = null;
      await this.startOnce();
    }
  }

  private startOnce(): Promise<void> {
    const child = spawnTracked(process.execPath, ['--import', 'tsx', 'proxy/server.ts'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        ...this.env,
        PORT: String(this.port),
      },
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    child.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : 0);
    });
    return until(
      `instance on ${this.port}`,
      async () => {
        if (this.exitCode !== null) throw new Error(`instance exited ${this.exitCode}:\n${this.output.slice(-3000)}`);
        return this.output.includes('pgauth listening on') ? true : undefined;
      },
      120_000,
    ).then(() => {});
  }

  /** SIGTERM, as a supervisor stops it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child) return this.exitCode;
    const done = exited(child);
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await done;
    clearTimeout(hard);
    return this.exitCode;
  }

  /** Log lines that parse as JSON. */
  jsonLines(): Record<string, unknown>[] {
    return this.output.split('\n').flatMap((l) => {
      if (!l.startsWith('{')) return [];
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}

/**
 * A round-robin balancer (node:http): each request goes to the next instance; a request with
 * `x-backend: <index>` goes to that one (tests that must cross instances). An instance that
 * refuses the connection answers 502.
 */
export class Balancer {
  server: Server;
  next = 0;
  counts: number[];
  constructor(
    readonly port: number,
    readonly backends: Instance[],
  ) {
    this.counts = backends.map(() => 0);
    this.server = createServer((req, res) => {
      const pinned = req.headers['x-backend'];
      const i = pinned !== undefined ? Number(pinned) : this.next++ % backends.length;
      this.counts[i]!++;
      const target = backends[i]!;
      const up = httpRequest(
        { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('bad gateway');
      });
      req.pipe(up);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.port, '127.0.0.1', () => r()));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A key directory shared by the instances (a volume, or the same secret everywhere). */
export function sharedDir(root: string, name: string, user?: RunAs): string {
  const d = join(root, name);
  if (!existsSync(d)) mkdirSync(d, { recursive: true, mode: 0o700 });
  if (user) chownSync(d, user.uid, user.gid);
  return d;
}
