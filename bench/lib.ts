/**
 * Shared pieces of the HTTP benchmarks (bench:http, bench:login, bench:refresh): a freshly
 * set up database on a throwaway cluster (or ROOT_DATABASE_URL), the servers under test each
 * in its own child process (bench/server.ts) so the load generator never shares their event
 * loop, a guard against other load on the machine (measurements wait for a quiet machine and
 * are repeated when something else ran meanwhile), a keep-alive HTTP client with low
 * overhead, a closed-loop driver, and the statistics and printing helpers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster, type Cluster } from '../test/harness/cluster.ts';
import { harden, setup } from '../db/scripts/setup.ts';
import { installMailQueue } from '../proxy/features/email/queue.ts';
import { dbConfigFromEnv, dbEnv, rootUrlFor, type DbConfig } from '../db/scripts/config.ts';
import { MIGRATIONS_FOLDER } from '../db/scripts/migrate-settings.ts';
import { loadKeys, type KeyRing } from '../proxy/core/keys.ts';
import type { TokenSettings } from '../proxy/core/tokens.ts';
import type { Identity } from '../proxy/core/request.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// Database

export interface BenchDb {
  cfg: DbConfig;
  /** Superuser inside the bench database (bypasses RLS; used for seeding and raw checks). */
  root: pg.Client;
  close(): Promise<void>;
}

/** A throwaway cluster (unless ROOT_DATABASE_URL is set) with `name` set up from scratch. */
export async function prepareDatabase(name: string): Promise<BenchDb> {
  const t0 = Date.now();
  const cluster: Cluster = await startCluster();
  try {
    const cfg = dbConfigFromEnv({ ROOT_DATABASE_URL: cluster.rootUrl, DATABASE_NAME: name });
    await setup(cfg, { reset: true, current: true });
    const root = new pg.Client({ connectionString: rootUrlFor(cfg, cfg.dbName) });
    await root.connect();
    log(`database ${name} set up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return {
      cfg,
      root,
      async close() {
        await root.end().catch(() => {});
        await cluster.stop();
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/**
 * A second database on `db`'s cluster, set up like it but without the named migration files
 * (committed or current): the schema before them, so a benchmark can measure the code before
 * a change in the same run. The database, its grants and the mail queue's schema as db:setup
 * makes them (the roles exist: same cluster); then every committed migration but those, each
 * in its own transaction as the owner, and the other current files in one, as graphile-migrate
 * runs them; then the root hardening. Null when none of the files exists.
 */
export async function prepareDatabaseWithout(db: BenchDb, name: string, without: string[]): Promise<DbConfig | null> {
  const byNumber = (a: string, b: string) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b);
  const list = (sub: string) =>
    readdirSync(join(MIGRATIONS_FOLDER, sub))
      .filter((f) => f.endsWith('.sql'))
      .sort(byNumber)
      .map((f) => ({ f, path: join(MIGRATIONS_FOLDER, sub, f) }));
  const committed = list('committed');
  const current = list('current');
  if (![...committed, ...current].some(({ f }) => without.includes(f))) return null;
  const t0 = Date.now();
  const cfg = dbConfigFromEnv({ ROOT_DATABASE_URL: db.cfg.rootUrl, DATABASE_NAME: name });
  const root = new pg.Client({ connectionString: cfg.rootUrl });
  await root.connect();
  try {
    const ident = (x: string) => pg.escapeIdentifier(x);
    await root.query(`drop database if exists ${ident(name)} with (force)`);
    await root.query(`create database ${ident(name)} owner ${ident(cfg.ownerRole)}`);
    await root.query(`revoke all on database ${ident(name)} from public`);
    await root.query(`grant connect on database ${ident(name)} to ${ident(cfg.authRole)}`);
  } finally {
    await root.end();
  }
  await installMailQueue(cfg.ownerUrl);
  const sqlOf = (paths: string[]) =>
    paths
      .map((p) => readFileSync(p, 'utf8'))
      .join('\n')
      .replaceAll(':DATABASE_OWNER', cfg.ownerRole)
      .replaceAll(':DATABASE_AUTHENTICATOR', cfg.authRole);
  const batches = [
    ...committed.filter(({ f }) => !without.includes(f)).map(({ path }) => [path]),
    current.filter(({ f }) => !without.includes(f)).map(({ path }) => path),
  ].filter((b) => b.length > 0);
  const owner = new pg.Client({ connectionString: cfg.ownerUrl });
  await owner.connect();
  try {
    for (const batch of batches) {
      await owner.query('begin');
      try {
        await owner.query(sqlOf(batch));
        await owner.query('commit');
      } catch (err) {
        await owner.query('rollback').catch(() => {});
        throw new Error(`${batch.join(', ')}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await owner.end();
  }
  await harden(cfg, name);
  log(`database ${name} (without ${without.join(', ')}) set up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return cfg;
}

/** The product's own hash (current scheme, configured cost), computed once: every seeded user
 * can share it (user_secrets.password_scheme defaults to that scheme). */
export async function passwordHash(root: pg.Client, password: string): Promise<{ hash: string; cost: number }> {
  const cost = Number((await root.query('select bcrypt_cost from app_private.auth_config')).rows[0].bcrypt_cost);
  const hash = (await root.query('select app_private.hash_password($1) h', [password])).rows[0].h as string;
  return { hash, cost };
}

/** `count` users `<tag><n>@bench.example` with a password, seeded with triggers off. */
export async function seedPasswordUsers(root: pg.Client, tag: string, count: number, hash: string): Promise<string[]> {
  await root.query('set session_replication_role = replica');
  try {
    const { rows } = await root.query(
      `with u as (
         insert into app_public.users (email) select $1 || n || '@bench.example' from generate_series(1, $2::int) n
         returning id, email)
       , s as (insert into app_private.user_secrets (user_id, password_hash, password_updated_at)
         select id, $3, now() from u)
       select email from u order by email`,
      [tag, count, hash],
    );
    return rows.map((r) => r.email as string);
  } finally {
    await root.query('set session_replication_role = origin');
  }
}

// ---------------------------------------------------------------------------------------
// Servers under test (bench/server.ts, one child process each)

export type ServerKind = 'edge' | 'bareNode' | 'bareHono';

/** Signing keys and CSRF secret shared by the servers and this process (which mints tokens). */
export interface Secrets {
  keysDir: string;
  keys: KeyRing;
  csrfSecret: Buffer;
  remove(): void;
}

export async function makeSecrets(): Promise<Secrets> {
  const dir = mkdtempSync(join(tmpdir(), 'pgauth-bench-'));
  const keysDir = join(dir, 'keys');
  return {
    keysDir,
    keys: await loadKeys(keysDir, { create: true }),
    csrfSecret: randomBytes(32),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Server {
  kind: ServerKind;
  url: string;
  /** Its PUBLIC_ORIGIN: the JWT issuer and the Origin browsers send. */
  origin: string;
  /** Token settings the edge verifies with. */
  tokens: TokenSettings;
  /** CPU time (user + system) the server process has used so far, in ms (Linux; NaN elsewhere). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Long enough for a run that waits for a quiet machine: tokens minted at its start stay valid. */
export const ACCESS_TTL_SECONDS = 6 * 3600;

export interface ServerOptions {
  /** `stock`: a bare variant on @dataplan/pg's own adaptor (bench/server.ts). */
  adaptor?: 'stock';
  /** application_name of its database connections (to find its backends: backendCpu()). */
  appName?: string;
}

/**
 * Forks bench/server.ts as `kind` on `db` (the login role's URL, or the whole configuration:
 * the edge's mail queue needs the owner's); bare variants serve the fixed `identity`.
 */
export async function startServer(
  kind: ServerKind,
  db: string | DbConfig,
  secrets: Secrets,
  identity?: Identity,
  opts: ServerOptions = {},
): Promise<Server> {
  const child: ChildProcess = fork(new URL('./server.ts', import.meta.url).pathname, [], {
    env: {
      ...process.env,
      BENCH_SERVER_KIND: kind,
      ...(typeof db === 'string' ? { AUTH_DATABASE_URL: db } : dbEnv(db)),
      JWT_KEYS_DIR: secrets.keysDir,
      CSRF_SECRET: secrets.csrfSecret.toString('hex'),
      ACCESS_TOKEN_TTL: String(ACCESS_TTL_SECONDS),
      // One JSON line per request to stdout would be measured along with the edge; a
      // deployment ships those lines elsewhere. Every variant runs without it.
      LOG_REQUESTS: 'false',
      // Nor does a mail worker poll the outbox in the process being measured.
      MAIL_WORKER: 'false',
      GRAPHILE_ENV: process.env.GRAPHILE_ENV ?? 'production',
      BENCH_BARE_IDENTITY: identity ? JSON.stringify(identity) : '',
      BENCH_ADAPTOR: opts.adaptor ?? '',
      ...(opts.appName ? { PGAPPNAME: opts.appName } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // BENCH_NODE_FLAGS: extra node options for the servers (e.g. --experimental-async-context-frame).
    execArgv: [...process.execArgv, ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.send('stop');
      const t = setTimeout(kill, 10_000);
      await exited;
      clearTimeout(t);
    }
    process.off('exit', kill);
  };
  try {
    const { url, origin } = await new Promise<{ url: string; origin: string }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${kind} server did not start within 60s`)), 60_000);
      child.once('message', (m) => {
        clearTimeout(t);
        resolve(m as { url: string; origin: string });
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`${kind} server exited with code ${code} before it was ready`));
      });
    });
    return {
      kind,
      url,
      origin,
      tokens: { issuer: origin, audience: process.env.JWT_AUDIENCE ?? 'pgauth', ttlSeconds: ACCESS_TTL_SECONDS },
      cpuMs: () => processCpuMs(child.pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** USER_HZ: the unit of the CPU times in /proc (100 on every Linux platform Node supports). */
const CLOCK_TICKS = 100;

/** utime + stime of a process from /proc, in ms. */
export function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * CPU time (ns) of each backend of the login role serving `appName`, from /proc/<pid>/schedstat
 * (nanoseconds: a 10 ms tick of /proc/<pid>/stat per backend would swamp a 2 s measurement);
 * pids from pg_stat_activity (`root` is a superuser, so it sees every backend).
 */
export async function backendCpu(root: pg.Client, role: string, appName: string): Promise<Map<number, number>> {
  const { rows } = await root.query<{ pid: number }>(
    'select pid from pg_stat_activity where usename = $1 and application_name = $2',
    [role, appName],
  );
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      out.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Backend CPU (ms) between two backendCpu() snapshots; a backend that appeared meanwhile counts from 0. */
export function backendCpuMs(before: Map<number, number>, after: Map<number, number>): number {
  let ns = 0;
  for (const [pid, t] of after) ns += t - (before.get(pid) ?? 0);
  return ns / 1e6;
}

/**
 * Jiffies of the whole machine (all cores) from /proc/stat: busy (everything but idle and
 * iowait), of which `irq` is interrupt and softirq time (loopback networking, mostly ours,
 * but charged to no process), and the total.
 */
export function machineCpu(): { busy: number; irq: number; total: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    return { busy: total - idle, irq: (cpu[5] ?? 0) + (cpu[6] ?? 0), total };
  } catch {
    return { busy: NaN, irq: NaN, total: NaN };
  }
}

// ---------------------------------------------------------------------------------------
// Other load on the machine (another test run would skew a measurement on 2 cores)

/**
 * CPU ms used so far by each process in this process's tree (server children, the throwaway
 * cluster). With ROOT_DATABASE_URL, local `postgres` processes count as ours too.
 */
function treeCpu(): Map<number, number> {
  const externalDb = Boolean(process.env.ROOT_DATABASE_URL);
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  const tree = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
      parent.set(Number(d), Number(fields[1]));
      cpu.set(Number(d), ms);
      if (externalDb && stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres')
        tree.set(Number(d), ms);
    } catch {
      // exited meanwhile
    }
  }
  for (const [pid, ms] of cpu) {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) {
      if (p === process.pid) {
        tree.set(pid, ms);
        break;
      }
    }
  }
  return tree;
}

export interface CpuSnapshot {
  machine: ReturnType<typeof machineCpu>;
  tree: Map<number, number>;
  at: number;
}

export function cpuSnapshot(): CpuSnapshot {
  return { machine: machineCpu(), tree: treeCpu(), at: performance.now() };
}

/**
 * Cores busy outside this benchmark's process tree between two snapshots. Per process, so a
 * descendant that exits meanwhile (a pooled backend closing) does not take its lifetime CPU
 * with it. Interrupt time is left out: under load it is mostly our own loopback traffic,
 * which no process is charged for.
 */
export function foreignCores(a: CpuSnapshot, b: CpuSnapshot): number {
  const machineMs = ((b.machine.busy - b.machine.irq - (a.machine.busy - a.machine.irq)) * 1000) / CLOCK_TICKS;
  let ours = 0;
  for (const [pid, ms] of b.tree) ours += ms - (a.tree.get(pid) ?? 0);
  return Math.max(0, (machineMs - ours) / (b.at - a.at));
}

/**
 * Waits until nothing outside this benchmark keeps more than `threshold` of a core busy,
 * sampling half a second at a time; at most BENCH_MAX_WAIT seconds (default 60) over the whole run.
 */
let waitBudget = Number(process.env.BENCH_MAX_WAIT ?? 60);
export async function waitForQuiet(threshold = 0.15): Promise<number> {
  for (let warned = false; ; ) {
    const a = cpuSnapshot();
    await sleep(500);
    const load = foreignCores(a, cpuSnapshot());
    if (!(load > threshold)) return load;
    if (waitBudget <= 0) {
      log(`  warning: ${f(load, 2)} cores busy outside the benchmark; measuring anyway`);
      return load;
    }
    if (!warned) log(`  waiting for other load on the machine to stop (${f(load, 2)} cores busy)...`);
    warned = true;
    waitBudget -= 0.5;
  }
}

/** Other load (cores) above which a measurement is taken again. */
export const FOREIGN_LIMIT = 0.25;

/**
 * Runs one measurement on a quiet machine and reports the other load seen meanwhile;
 * measures again (at most twice) when other load showed up during it.
 */
export async function quietly<T>(label: string, measure: () => Promise<T>): Promise<T & { foreign: number }> {
  for (let attempt = 1; ; attempt++) {
    await waitForQuiet();
    const a = cpuSnapshot();
    const result = await measure();
    const foreign = foreignCores(a, cpuSnapshot());
    if (!(foreign > FOREIGN_LIMIT) || attempt === 3 || waitBudget <= 0) return { ...result, foreign };
    log(`  ${label}: ${f(foreign, 2)} cores of other load during the run; measuring again`);
  }
}

// ---------------------------------------------------------------------------------------
// A cheap keep-alive client (node:http, one socket per virtual client)

export interface PostResult {
  status: number;
  body: string;
  ms: number;
}

export function makePoster(base: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(base);
  return {
    post(path: string, headers: Record<string, string>, body: string): Promise<PostResult> {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path,
            method: 'POST',
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                ms: performance.now() - started,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/**
 * Closed-loop load: `workers` loops each call `op(worker, i)` back to back until
 * `seconds` have passed (the operation in flight then finishes). The rate is the sum of
 * each worker's completions over its own elapsed time, so the tail does not bias it.
 */
export async function closedLoop(
  workers: number,
  seconds: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<{ rate: number; count: number; latencies: number[] }> {
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  const perWorker = await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const start = performance.now();
      let n = 0;
      let end = start;
      while (performance.now() < deadline) {
        const t = performance.now();
        await op(w, n);
        end = performance.now();
        latencies.push(end - t);
        n++;
      }
      return { n, elapsed: (end - start) / 1000 };
    }),
  );
  const rate = perWorker.reduce((s, x) => s + (x.elapsed > 0 ? x.n / x.elapsed : 0), 0);
  return { rate, count: perWorker.reduce((s, x) => s + x.n, 0), latencies };
}

// ---------------------------------------------------------------------------------------
// Statistics and printing

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function log(s: string): void {
  console.log(s);
}

/** A plain aligned table: first column left-aligned, the rest right-aligned. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

export const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** Runs `main`, sets the exit code from its result, and always runs the cleanups. */
export function run(main: (cleanup: (fn: () => Promise<void>) => void) => Promise<boolean>): void {
  const cleanups: (() => Promise<void>)[] = [];
  main((fn) => cleanups.unshift(fn))
    .then((ok) => {
      process.exitCode = ok ? 0 : 1;
    })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(async () => {
      for (const fn of cleanups) await fn().catch((e) => console.error('cleanup:', e));
    });
}
