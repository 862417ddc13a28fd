/**
 * `npm run bench:memory`: how much memory hostile GraphQL traffic can make the edge hold (J2).
 *
 * Starts the real edge in a child process (this file again, as a wrapper around
 * bench/server.ts that answers memory probes over IPC and counts the @graphile/lru caches the
 * GraphQL stack creates), measures its idle RSS, then sends BENCH_OPS (default 20,000) unique
 * operations generated from the schema: field selections at depth 1-12, aliases, named and
 * inline fragments, variables, valid, boundary and wrong-typed argument literals, a few
 * update/delete mutations on rows that do not exist, malformed documents, documents switched by
 * Boolean variables (@include) sent again with other values, and 40-90 KiB documents over the
 * limits; half anonymous, half signed in. Every 1,000 operations it records RSS, V8 heap, the
 * length of each cache and the private memory of the edge's Postgres connections. Reports
 * peak RSS over the idle baseline (target: under 150 MiB), RSS a while after the load, and at
 * the end how much heap each cache held (emptied one by one, forced GC in between).
 * Cache sizes come from the edge's configuration (GRAPHQL_DOCUMENT_CACHE_SIZE,
 * GRAPHQL_PLAN_CACHE_SIZE, GRAPHQL_PLANS_PER_OPERATION). BENCH_NODE_FLAGS sets the edge's node
 * flags (default --max-old-space-size=512; empty for none), BENCH_KINDS=large,... restricts
 * the kinds, BENCH_OPS/BENCH_AFTER_SECONDS/BENCH_SEED the run. Exit 1 when the target is missed.
 * Uses ROOT_DATABASE_URL when set (database `pgauth_bench_memory`), otherwise a throwaway cluster.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import v8 from 'node:v8';
import type pg from 'pg';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'postgraphile/graphql';
import type { DbConfig, RequestRole } from '../db/scripts/config.ts';
import { cookieNames } from '../proxy/core/cookies.ts';
import { issueCsrfToken } from '../proxy/core/csrf-token.ts';
import { signAccessToken } from '../proxy/core/tokens.ts';
import {
  ACCESS_TTL_SECONDS,
  f,
  log,
  makePoster,
  makeSecrets,
  prepareDatabase,
  run,
  type Secrets,
  sleep,
  table,
} from './lib.ts';

const OPS = Number(process.env.BENCH_OPS ?? 20_000);
/**
 * Node flags of the edge. V8 sizes its heap from the machine (a 4 GiB limit here, and a
 * heap allowed to grow to ~4x what is live between collections); the edge is meant to run
 * with an explicit limit, as a container does (docs/benchmarks.md, bench:memory).
 */
const EDGE_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=512').split(' ').filter(Boolean);
const CONCURRENCY = Number(process.env.BENCH_CONNECTIONS ?? 8);
/** How long the edge sits idle after the load before "RSS a while after" is read. */
const AFTER_SECONDS = Number(process.env.BENCH_AFTER_SECONDS ?? 30);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const TARGET_MIB = 150;
/** Operations between two probes of the edge's memory. */
const PROBE_EVERY = Math.max(1, Math.min(1000, Math.floor(OPS / 10)));
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------
// The child: the real edge (bench/server.ts) plus memory probes

interface CacheInfo {
  label: string;
  maxLength: number;
  length: number;
  /** Operation plan cache only: plans held over all its operations. */
  plans?: number;
}

interface Probe {
  rss: number;
  /** V8's heap size limit (from --max-old-space-size or the machine's memory). */
  heapLimit: number;
  heapUsed: number;
  external: number;
  heapTotal: number;
  caches: CacheInfo[];
  /** Heap freed by emptying each group of caches (only when asked to `drain`). */
  drained?: { label: string; bytes: number }[];
}

interface TrackedLru {
  m: number;
  length: number;
  c: Map<unknown, { v: unknown }>;
  reset(): void;
}

/** Names the cache by the module that created it. */
function cacheLabel(stack: string): string {
  if (stack.includes('establishOperationPlan')) return 'grafast operation plans';
  if (stack.includes('grafastGraphql')) return 'grafast documents';
  if (/grafserv\/(dist|src)\/middleware\/graphql/.test(stack)) return 'grafserv documents';
  if (stack.includes('adaptors/pg')) return 'prepared statements (per connection)';
  if (/grafserv\/(dist|src)\/accept/.test(stack)) return 'grafserv accept headers';
  if (stack.includes('pg-sql2')) return 'pg-sql2 raw SQL fragments';
  if (process.env.BENCH_MEMORY_DEBUG) console.error(stack);
  return 'other';
}

function plansIn(lru: TrackedLru): number {
  let n = 0;
  for (const hit of lru.c.values()) {
    for (let p = (hit.v as { possibleOperationPlans?: { next: unknown } }).possibleOperationPlans; p; n++) {
      p = p.next as typeof p;
    }
  }
  return n;
}

async function child(): Promise<void> {
  // Every LRU the GraphQL stack creates, by its creator: @graphile/lru is CommonJS and its
  // users read `.default`/`.LRU` at construction time, so replacing them before the edge
  // loads sees every instance.
  const require = createRequire(import.meta.url);
  const lruModule = require(
    require.resolve('@graphile/lru', { paths: [dirname(require.resolve('grafast'))] }),
  ) as Record<string, new (o: object) => TrackedLru>;
  const Base = lruModule.LRU!;
  const tracked: { label: string; ref: WeakRef<TrackedLru> }[] = [];
  class Tracked extends Base {
    constructor(o: object) {
      super(o);
      tracked.push({ label: cacheLabel(new Error().stack ?? ''), ref: new WeakRef(this as unknown as TrackedLru) });
    }
  }
  lruModule.LRU = Tracked;
  lruModule.default = Tracked;
  const gc = (globalThis as { gc?: () => void }).gc;

  const caches = (): { label: string; lru: TrackedLru }[] =>
    tracked.flatMap((t) => {
      const lru = t.ref.deref();
      return lru ? [{ label: t.label, lru }] : [];
    });
  const heap = () => {
    gc?.();
    return v8.getHeapStatistics().used_heap_size;
  };
  process.on('message', (m: { probe?: number; gc?: boolean; drain?: boolean }) => {
    if (m?.probe === undefined) return;
    let drained: Probe['drained'];
    if (m.drain) {
      // Plans first: they hold the documents' operation nodes, which the document caches hold too.
      drained = [];
      let before = heap();
      for (const label of [
        'grafast operation plans',
        'grafserv documents',
        'grafast documents',
        'pg-sql2 raw SQL fragments',
      ]) {
        for (const c of caches()) if (c.label === label) c.lru.reset();
        const after = heap();
        drained.push({ label, bytes: before - after });
        before = after;
      }
    } else if (m.gc) gc?.();
    const byLabel = new Map<string, CacheInfo>();
    for (const { label, lru } of caches()) {
      const c = byLabel.get(label) ?? { label, maxLength: 0, length: 0 };
      c.maxLength = Math.max(c.maxLength, lru.m);
      c.length += lru.length;
      if (label === 'grafast operation plans') c.plans = (c.plans ?? 0) + plansIn(lru);
      byLabel.set(label, c);
    }
    const mem = process.memoryUsage();
    const probe: Probe = {
      rss: mem.rss,
      heapLimit: v8.getHeapStatistics().heap_size_limit,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      external: mem.external,
      caches: [...byLabel.values()],
      drained,
    };
    process.send!({ probe: m.probe, result: probe });
  });
  await import('./server.ts');
}

interface Edge {
  url: string;
  origin: string;
  pid: number;
  /** Why the edge is gone, waiting up to `ms` for it to go; null if it still runs. */
  death(ms: number): Promise<string | null>;
  probe(opts?: { gc?: boolean; drain?: boolean }): Promise<Probe>;
  stop(): Promise<void>;
}

/** Forks this file as the edge (what bench/lib.ts startServer does, with --expose-gc and probes). */
async function startEdge(db: DbConfig, secrets: Secrets): Promise<Edge> {
  const proc: ChildProcess = fork(new URL(import.meta.url).pathname, [], {
    execArgv: [...process.execArgv, '--expose-gc', ...EDGE_NODE_FLAGS],
    env: {
      ...process.env,
      BENCH_MEMORY_CHILD: '1',
      BENCH_SERVER_KIND: 'edge',
      DATABASE_URL: db.ownerUrl,
      AUTH_DATABASE_URL: db.authUrl,
      JWT_KEYS_DIR: secrets.keysDir,
      CSRF_SECRET: secrets.csrfSecret.toString('hex'),
      ACCESS_TOKEN_TTL: String(ACCESS_TTL_SECONDS),
      LOG_REQUESTS: 'false',
      // The mail outbox worker needs the owner's URL and has nothing to do with GraphQL memory.
      MAIL_WORKER: 'false',
      GRAPHILE_ENV: process.env.GRAPHILE_ENV ?? 'production',
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // The edge logs unexpected execution errors to stderr; hostile traffic makes a lot of them.
  // The edge logs unexpected execution errors to stderr (hostile traffic makes many): counted,
  // the last lines kept for when it dies.
  let stderrLines = 0;
  let tail: string[] = [];
  proc.stderr?.on('data', (b: Buffer) => {
    const lines = b.toString().split('\n');
    stderrLines += lines.length - 1;
    tail = [...tail, ...lines].slice(-20);
  });
  let died: string | null = null;
  proc.once('exit', (code, signal) => {
    died = `edge exited (code ${code}, signal ${signal}); its last stderr lines:\n${tail.join('\n')}`;
    for (const w of waiting.values()) w.reject(new Error(died));
    waiting.clear();
  });
  const kill = () => proc.kill('SIGKILL');
  process.once('exit', kill);
  const waiting = new Map<number, { resolve: (p: Probe) => void; reject: (e: Error) => void }>();
  let nextProbe = 0;
  const ready = new Promise<{ url: string; origin: string }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('edge did not start within 60s')), 60_000);
    proc.on('message', (m: { url?: string; origin?: string; probe?: number; result?: Probe }) => {
      if (m.url && m.origin) {
        clearTimeout(t);
        resolve({ url: m.url, origin: m.origin });
      } else if (m.probe !== undefined && m.result) {
        waiting.get(m.probe)?.resolve(m.result);
        waiting.delete(m.probe);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`edge exited with code ${code}`));
    });
  });
  const { url, origin } = await ready;
  return {
    url,
    origin,
    pid: proc.pid!,
    async death(ms) {
      if (!died && proc.exitCode === null && proc.signalCode === null) {
        await new Promise((r) => {
          const t = setTimeout(r, ms);
          proc.once('exit', () => setTimeout(() => r(clearTimeout(t)), 0));
        });
      }
      return died;
    },
    probe(opts = {}) {
      const id = nextProbe++;
      return new Promise((resolve, reject) => {
        if (died) return reject(new Error(died));
        waiting.set(id, { resolve, reject });
        proc.send({ probe: id, ...opts });
      });
    },
    async stop() {
      if (stderrLines) log(`(the edge wrote ${stderrLines} lines to stderr)`);
      if (proc.exitCode === null && proc.signalCode === null && proc.connected) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.send('stop');
        const t = setTimeout(kill, 10_000);
        await exited;
        clearTimeout(t);
      }
      process.off('exit', kill);
    },
  };
}

/** RSS and its high-water mark of a process, from /proc (bytes). */
function procMemory(pid: number): { rss: number; hwm: number } {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // exited: NaN
  }
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Restarts the high-water mark at the current RSS (Linux: clear_refs 5). */
function resetHighWaterMark(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Private memory of the edge's Postgres connections (server side: prepared statements and
 * their plans live there), from /proc (needs the same user or root; NaN otherwise).
 */
async function backendsMemory(root: pg.Client): Promise<{ count: number; bytes: number }> {
  const { rows } = await root.query(
    `select pid from pg_stat_activity
     where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`,
  );
  let bytes = 0;
  for (const { pid } of rows) {
    try {
      const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      for (const k of ['Private_Clean', 'Private_Dirty'])
        bytes += Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1]) * 1024;
    } catch {
      bytes = NaN;
    }
  }
  return { count: rows.length, bytes };
}

// ---------------------------------------------------------------------------------------
// Operations generated from the schema (seeded PRNG: the same run every time)

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What an operation is meant to be: valid; at or over a limit (depth, aliases, page size,
 * odd scalars); wrong-typed (arguments, unknown fields); malformed (syntax); a document
 * whose fields are switched by Boolean variables through @include, sent again with other
 * values (each combination can need its own plan); a large document (tens of KiB of aliases,
 * refused by the limits after parsing).
 */
type Kind = 'valid' | 'boundary' | 'wrong-typed' | 'malformed' | 'variants' | 'large';

const KIND_SHARES: [Kind, number][] = [
  ['valid', 0.5],
  ['boundary', 0.13],
  ['wrong-typed', 0.17],
  ['malformed', 0.12],
  ['variants', 0.07],
  ['large', 0.01],
];

/** Mutations a generated operation may run: only ones that touch rows by key (which do not exist). */
const SAFE_MUTATION = /^(update|delete)[A-Z]\w*By(RowId|ShortUrl)$/;

/** Boolean variables a "variants" document declares (2^6 combinations). */
const SWITCHES = 6;

class OperationGenerator {
  private r: () => number;
  private n = 0;
  private fragments: string[] = [];
  private variables: string[] = [];
  private values: Record<string, unknown> = {};
  private mode: Kind = 'valid';
  private readonly mutations: GraphQLField<unknown, unknown>[];
  private readonly kinds: [Kind, number][];
  private switched: { query: string; values: Record<string, unknown> }[] = [];

  constructor(
    private schema: GraphQLSchema,
    seed: number,
    only?: Kind[],
  ) {
    this.r = prng(seed);
    this.mutations = Object.values(schema.getMutationType()?.getFields() ?? {}).filter((m) =>
      SAFE_MUTATION.test(m.name),
    );
    this.kinds = KIND_SHARES.filter(([k]) => !only?.length || only.includes(k));
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }
  private id(): string {
    return (this.n++).toString(36);
  }

  /** One operation: the document, its variables, and what kind of input it is meant to be. */
  next(): { query: string; variables?: Record<string, unknown>; kind: Kind } {
    const total = this.kinds.reduce((a, [, w]) => a + w, 0);
    let x = this.r() * total;
    this.mode = this.kinds[this.kinds.length - 1]![0];
    for (const [kind, w] of this.kinds) {
      x -= w;
      if (x < 0) {
        this.mode = kind;
        break;
      }
    }
    if (this.mode === 'variants' && this.switched.length && this.chance(0.75)) {
      // An earlier document again, with another combination of its switches.
      const { query, values } = this.pick(this.switched);
      const switches = Object.keys(values).filter((k) => /^b\d$/.test(k));
      return {
        query,
        variables: { ...values, ...Object.fromEntries(switches.map((b) => [b, this.chance(0.5)])) },
        kind: 'variants',
      };
    }
    if (this.mode === 'large') return { query: this.large(), kind: 'large' };
    this.fragments = [];
    this.variables = [];
    this.values = {};
    const depth = 1 + Math.floor(this.r() * 12);
    let body: string;
    let op: string;
    if (this.mutations.length && this.mode !== 'malformed' && this.mode !== 'variants' && this.chance(0.12)) {
      const m = this.pick(this.mutations);
      op = 'mutation';
      body = `{ ${this.field(m, Math.min(depth, 4))} }`;
    } else {
      op = 'query';
      body = this.selection(this.schema.getQueryType()!, this.mode === 'variants' ? Math.min(depth, 8) : depth, true);
    }
    if (this.mode === 'variants') {
      // Only the switches in use: an unused variable fails validation.
      for (let i = 0; i < SWITCHES; i++) {
        if (!`${body}${this.fragments.join('')}`.includes(`$b${i})`)) continue;
        this.variables.push(`$b${i}: Boolean!`);
        this.values[`b${i}`] = this.chance(0.5);
      }
    }
    const vars = this.variables.length ? `(${this.variables.join(', ')})` : '';
    let query = `${op} Q${this.id()}${vars} ${body}\n${this.fragments.join('\n')}`;
    if (this.mode === 'malformed') query = this.corrupt(query);
    if (this.mode === 'variants') this.switched.push({ query, values: this.values });
    return { query, variables: this.variables.length ? this.values : undefined, kind: this.mode };
  }

  /** 40-90 KiB of aliased fields: parsed in full, then refused by the alias and field limits. */
  private large(): string {
    const target = 40_000 + Math.floor(this.r() * 50_000);
    const parts: string[] = [];
    let length = 0;
    while (length < target) {
      const p = `a${this.id()}: currentUser { rowId email createdAt }`;
      parts.push(p);
      length += p.length + 1;
    }
    return `query L${this.id()} { ${parts.join(' ')} }`;
  }

  private corrupt(q: string): string {
    switch (Math.floor(this.r() * 5)) {
      case 0:
        return q.slice(0, 1 + Math.floor(this.r() * (q.length - 1)));
      case 1:
        return q.replace('}', '');
      case 2: {
        const at = Math.floor(this.r() * q.length);
        return `${q.slice(0, at)}${this.pick(['@#', '$$', '"', '{{', ')', '...', '!', '=', '\\u'])}${q.slice(at)}`;
      }
      case 3:
        return Array.from({ length: 5 + Math.floor(this.r() * 60) }, () =>
          String.fromCharCode(32 + Math.floor(this.r() * 95)),
        ).join('');
      default:
        return `${q} ${this.pick(['query', 'fragment', '{', 'mutation M', '}}'])}`;
    }
  }

  /** A selection set on `type` at most `depth` levels deep. */
  private selection(type: GraphQLNamedType, depth: number, root = false): string {
    if (isUnionType(type) || isInterfaceType(type)) {
      const impls = isUnionType(type) ? type.getTypes() : this.schema.getPossibleTypes(type);
      const parts = ['__typename'];
      for (let i = 0; i < 1 + Math.floor(this.r() * 2) && impls.length; i++) {
        const impl = this.pick(impls);
        parts.push(`... on ${impl.name} ${this.selection(impl, depth)}`);
      }
      return `{ ${parts.join(' ')} }`;
    }
    if (!isObjectType(type)) return '';
    const fields = Object.values(type.getFields()).filter((fd) => !fd.name.startsWith('__'));
    const leaves = fields.filter((fd) => isLeafType(getNamedType(fd.type)));
    const deeper = fields.filter((fd) => !isLeafType(getNamedType(fd.type)) && fd.name !== 'query');
    const parts: string[] = [];
    const used = new Set<string>();
    const count = 1 + Math.floor(this.r() * (root ? 2 : 4));
    for (let i = 0; i < count; i++) {
      const goDeeper = depth > 1 && deeper.length && (i === 0 || this.chance(0.15));
      const pool = goDeeper ? deeper : leaves.length ? leaves : null;
      parts.push(pool ? this.field(this.pick(pool), depth - 1, used) : '__typename');
    }
    if (this.mode === 'wrong-typed' && this.chance(0.3)) parts.push(`noSuchField${this.id()}`);
    if (this.mode === 'boundary' && this.chance(0.3)) {
      // More aliases than the limit allows.
      for (let i = 0; i < 21; i++) parts.push(`b${this.id()}: __typename`);
    }
    if (this.chance(0.2)) {
      const name = `F${this.id()}`;
      this.fragments.push(`fragment ${name} on ${type.name} { ${parts.join(' ')} }`);
      return `{ ...${name} }`;
    }
    if (this.chance(0.1)) return `{ ... on ${type.name} { ${parts.join(' ')} } }`;
    return `{ ${parts.join(' ')} }`;
  }

  private field(fd: GraphQLField<unknown, unknown>, depth: number, used?: Set<string>): string {
    // A field selected twice in one set conflicts (different arguments) unless aliased.
    const alias = used?.has(fd.name) || this.chance(0.05) ? `a${this.id()}: ` : '';
    used?.add(fd.name);
    const args = fd.args
      .filter((a) => isNonNullType(a.type) || this.chance(0.35))
      .map((a) => `${a.name}: ${this.argument(a)}`);
    if (this.mode === 'wrong-typed' && this.chance(0.2)) args.push(`noSuchArg: ${this.int()}`);
    const named = getNamedType(fd.type);
    const sub = isLeafType(named) ? '' : ` ${this.selection(named, Math.max(depth, 1))}`;
    const when = this.mode === 'variants' ? ` @include(if: $b${Math.floor(this.r() * SWITCHES)})` : '';
    return `${alias}${fd.name}${args.length ? `(${args.join(', ')})` : ''}${when}${sub}`;
  }

  private argument(a: GraphQLArgument): string {
    if (
      (this.mode === 'valid' || this.mode === 'variants') &&
      this.chance(0.15) &&
      isLeafType(getNamedType(a.type)) &&
      !isListType(a.type)
    ) {
      const name = `v${this.id()}`;
      this.variables.push(`$${name}: ${a.type.toString()}`);
      this.values[name] = JSON.parse(this.literal(a.type, 0, true));
      return `$${name}`;
    }
    return this.literal(a.type, 0);
  }

  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.r() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  private int(): string {
    if (this.mode === 'boundary') return String(this.pick([-1, 0, 101, 1000, 2147483647, -2147483648]));
    return String(Math.floor(this.r() * 100));
  }

  /** A literal of `type` (JSON-compatible when `json`: for variables). */
  private literal(type: GraphQLInputType, depth: number, json = false): string {
    if (this.mode === 'wrong-typed' && this.chance(0.3)) {
      return this.pick(['"wrong"', '3.25', 'true', '{ x: 1 }', '[1, "2"]', '2147483648', 'null', 'NOT_AN_ENUM']);
    }
    if (isNonNullType(type)) return this.literal(type.ofType, depth, json);
    const t = getNullableType(type);
    if (isListType(t)) {
      return `[${Array.from({ length: Math.floor(this.r() * 3) }, () => this.literal(t.ofType, depth + 1, json)).join(', ')}]`;
    }
    if (isEnumType(t)) {
      const v = this.pick(t.getValues()).name;
      return json ? JSON.stringify(v) : v;
    }
    if (isInputObjectType(t)) {
      if (depth > 2) return 'null';
      const parts = Object.values(t.getFields())
        .filter((fd) => isNonNullType(fd.type) || this.chance(0.3))
        .map((fd) => `${json ? JSON.stringify(fd.name) : fd.name}: ${this.literal(fd.type, depth + 1, json)}`);
      return `{${parts.join(', ')}}`;
    }
    if (isScalarType(t)) {
      const str = (s: string) => JSON.stringify(s);
      switch (t.name) {
        case 'Int':
          return this.int();
        case 'Float':
          return String(Math.round(this.r() * 1e6) / 100);
        case 'Boolean':
          return String(this.chance(0.5));
        case 'UUID':
          return str(
            this.mode === 'boundary'
              ? this.pick(['', 'not-a-uuid', '00000000-0000-0000-0000-000000000000'])
              : this.uuid(),
          );
        case 'Datetime':
          return str(new Date(Date.UTC(2020, 0, 1) + Math.floor(this.r() * 2e11)).toISOString());
        case 'BigInt':
          return str(String(Math.floor(this.r() * 1e12)));
        case 'Cursor':
          // A cursor from nowhere is refused when executed: only hostile inputs send one.
          if (this.mode === 'valid' || this.mode === 'variants') return 'null';
          return str(Buffer.from(`["x",${this.id()}]`).toString('base64'));
        case 'ID':
          return str(Buffer.from(`["x",${this.id()}]`).toString('base64'));
        default:
          return str(`s${this.id()}${this.mode === 'boundary' ? 'x'.repeat(Math.floor(this.r() * 200)) : ''}`);
      }
    }
    return 'null';
  }
}

/** The edge's GraphQL schema, built in this process from the same preset. */
async function loadSchema(authUrl: string, secrets: Secrets): Promise<GraphQLSchema> {
  const { loadConfig } = await import('../proxy/core/config.ts');
  const { createPool } = await import('../proxy/core/db.ts');
  const { createPostGraphile } = await import('../proxy/graphql/preset.ts');
  const { SessionsPlugin } = await import('../proxy/features/sessions/plugin.ts');
  const { PasswordPlugin } = await import('../proxy/features/password/plugin.ts');
  const { newOutcome } = await import('../proxy/core/request.ts');
  const cfg = loadConfig({
    ...process.env,
    AUTH_DATABASE_URL: authUrl,
    JWT_KEYS_DIR: secrets.keysDir,
    CSRF_SECRET: secrets.csrfSecret.toString('hex'),
  });
  const pool = createPool(authUrl, 2);
  const gql = createPostGraphile({
    cfg,
    pool,
    plugins: [SessionsPlugin, PasswordPlugin],
    credentialMutations: new Set(),
    requestState: async () => ({ outcome: newOutcome() }),
  });
  try {
    return await gql.pgl.getSchema();
  } finally {
    await gql.release();
    await pool.end();
  }
}

// ---------------------------------------------------------------------------------------
// The benchmark

const SEED_SQL = `
set session_replication_role = replica;
insert into app_public.users (email) values ('memory@bench.example');
insert into app_public.documents (owner_id, full_url, short_url)
  select u.id, 'https://example.com/' || n, 'm' || n
  from app_public.users u, generate_series(1, 50) n where u.email = 'memory@bench.example';
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'user', d.owner_id, 'owner', d.created_at from app_public.documents d;
set session_replication_role = origin;
`;

const mib = (b: number) => f(b / MiB, 1);

async function main(cleanup: (fn: () => Promise<void>) => void): Promise<boolean> {
  const t0 = Date.now();
  const db = await prepareDatabase('pgauth_bench_memory');
  cleanup(() => db.close());
  const { root } = db;
  await root.query(SEED_SQL);
  const userId = (await root.query(`select id from app_public.users where email = 'memory@bench.example'`)).rows[0]
    .id as string;
  const sessionId = (
    await root.query(
      `insert into app_private.sessions (user_id, expires_at) values ($1, now() + interval '1 day') returning id`,
      [userId],
    )
  ).rows[0].id as string;
  const role = (await root.query('select app_hidden.user_role($1) r', [userId])).rows[0].r as RequestRole;

  const secrets = await makeSecrets();
  cleanup(async () => secrets.remove());
  const schema = await loadSchema(db.cfg.authUrl, secrets);
  const edge = await startEdge(db.cfg, secrets);
  cleanup(() => edge.stop());

  const names = cookieNames(false);
  const tokens = {
    issuer: edge.origin,
    audience: process.env.JWT_AUDIENCE ?? 'pgauth',
    ttlSeconds: ACCESS_TTL_SECONDS,
  };
  const csrf = issueCsrfToken(secrets.csrfSecret, sessionId);
  const signedIn = {
    'content-type': 'application/json',
    origin: edge.origin,
    cookie: `${names.access}=${await signAccessToken(secrets.keys, tokens, { sub: userId, sid: sessionId, role })}; ${names.csrf}=${csrf}`,
    'x-csrf-token': csrf,
  };
  const anonymous = { 'content-type': 'application/json', origin: edge.origin };
  const client = makePoster(edge.url, CONCURRENCY);
  cleanup(async () => client.close());

  // Warm-up: the fixed queries a real client sends, then the idle baseline.
  const LIST = JSON.stringify({ query: '{ visibleDocuments { nodes { rowId fullUrl shortUrl createdAt } } }' });
  const ME = JSON.stringify({ query: '{ currentUser { rowId email } }' });
  for (let i = 0; i < 200; i++) {
    const res = await client.post('/graphql', i % 2 ? signedIn : anonymous, i % 4 < 2 ? LIST : ME);
    if (res.status >= 500) throw new Error(`warm-up: ${res.status} ${res.body.slice(0, 300)}`);
  }
  await edge.probe({ gc: true });
  await sleep(2000);
  const idle = procMemory(edge.pid);
  const idleProbe = await edge.probe();
  const idlePg = await backendsMemory(root);
  const hwmReset = resetHighWaterMark(edge.pid);
  log(
    `edge ready after ${((Date.now() - t0) / 1000).toFixed(1)}s (node ${EDGE_NODE_FLAGS.join(' ') || '(no flags)'}, ` +
      `V8 heap limit ${mib(idleProbe.heapLimit)} MiB); idle RSS ${mib(idle.rss)} MiB, heap ${mib(idleProbe.heapUsed)} MiB; ` +
      `${idlePg.count} Postgres connections, ${mib(idlePg.bytes)} MiB private`,
  );

  // The load: unique operations, half anonymous, half signed in, with RSS sampled meanwhile.
  const only = (process.env.BENCH_KINDS ?? '').split(',').filter(Boolean) as Kind[];
  const gen = new OperationGenerator(schema, SEED, only);
  const seen = new Set<string>();
  const bodies: { body: string; kind: Kind; signedIn: boolean }[] = [];
  while (bodies.length < OPS) {
    const op = gen.next();
    const body = JSON.stringify({ query: op.query, variables: op.variables });
    if (seen.has(body)) continue;
    seen.add(body);
    bodies.push({
      body,
      kind: op.kind,
      signedIn: bodies.length % 2 === 0,
    });
  }
  seen.clear();
  let peak = idle.rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, procMemory(edge.pid).rss);
  }, 100);
  const statuses = new Map<string, number>();
  const rows: (string | number)[][] = [];
  const history: { ops: number; rss: number; heap: number; documents: number; plans: number }[] = [];
  const cacheLen = (p: Probe, label: string) => p.caches.find((c) => c.label === label)?.length ?? 0;
  let sent = 0;
  let done = 0;
  let bytes = 0;
  const tLoad = performance.now();
  let probing = Promise.resolve();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < bodies.length) {
        const b = bodies[sent++]!;
        bytes += b.body.length;
        const res = await client.post('/graphql', b.signedIn ? signedIn : anonymous, b.body).catch(async (e) => {
          // A reset connection: did the edge die (the exit event may follow the reset)?
          throw new Error((await edge.death(2000)) ?? String(e));
        });
        const outcome = `${b.kind} ${res.status}${res.body.includes('"errors"') ? ' errors' : ''}`;
        statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
        if (process.env.BENCH_MEMORY_DEBUG) log(`${outcome}: ${res.body.slice(0, 120)}`);
        if (++done % PROBE_EVERY === 0) {
          const at = done;
          probing = probing.then(async () => {
            const p = await edge.probe();
            const rss = procMemory(edge.pid).rss;
            const backends = await backendsMemory(root);
            peak = Math.max(peak, rss);
            const plans = p.caches.find((c) => c.label === 'grafast operation plans');
            history.push({
              ops: at,
              rss,
              heap: p.heapUsed,
              documents: cacheLen(p, 'grafserv documents'),
              plans: plans?.plans ?? 0,
            });
            rows.push([
              at,
              mib(rss),
              mib(rss - idle.rss),
              mib(p.heapUsed),
              cacheLen(p, 'grafserv documents'),
              `${plans?.length ?? 0} / ${plans?.plans ?? 0}`,
              `${backends.count} / ${mib(backends.bytes)}`,
              f((at / (performance.now() - tLoad)) * 1000, 0),
            ]);
          });
        }
      }
    }),
  );
  await probing;
  const loadSeconds = (performance.now() - tLoad) / 1000;
  clearInterval(sampler);
  const end = procMemory(edge.pid);
  // Before the pool's idle timeout closes them.
  const endPg = await backendsMemory(root);
  peak = Math.max(peak, end.rss, hwmReset ? end.hwm : 0);

  log(`\n${OPS} unique operations (${mib(bytes)} MiB of bodies) in ${f(loadSeconds, 1)}s, ${CONCURRENCY} at a time:`);
  log(
    table(
      [
        'ops',
        'RSS MiB',
        'over idle',
        'heap MiB',
        'documents cached',
        'operations / plans cached',
        'Postgres conns / MiB',
        'ops/s',
      ],
      rows,
    ),
  );
  log('\nresponses by kind of input (200 errors: data and errors; 4xx/5xx: refused or failed):');
  const classes = ['200', '200 errors', '400', '401', '403', '404', '5xx'];
  log(
    table(
      ['kind', 'sent', ...classes],
      KIND_SHARES.map(([kind]) => kind)
        .filter((kind) => [...statuses.keys()].some((k) => k.startsWith(`${kind} `)))
        .map((kind) => {
          const count = (cls: string) =>
            [...statuses.entries()]
              .filter(([k]) => k.startsWith(`${kind} `))
              .filter(([k]) => {
                const [, status, errors] = k.split(' ');
                const c = status!.startsWith('5') ? '5xx' : status === '200' && errors ? '200 errors' : status;
                return c === cls;
              })
              .reduce((a, [, n]) => a + n, 0);
          return [kind, bodies.filter((b) => b.kind === kind).length, ...classes.map(count)];
        }),
    ),
  );

  // Growth per 1,000 operations: over the first half and the second half of the run.
  const at = (ops: number) => history.find((h) => h.ops >= ops) ?? history.at(-1)!;
  const half = at(Math.floor(OPS / 2 / PROBE_EVERY) * PROBE_EVERY);
  const last = history.at(-1)!;
  const first = history[0]!;
  const per = (a: number, b: number, opsA: number, opsB: number) => ((b - a) / MiB / (opsB - opsA)) * 1000;
  log(
    `\nRSS growth per 1,000 operations: ${f(per(first.rss, half.rss, first.ops, half.ops), 1)} MiB up to ${half.ops}, ` +
      `${f(per(half.rss, last.rss, half.ops, last.ops), 1)} MiB after; heap ${f(per(first.heap, half.heap, first.ops, half.ops), 1)} / ` +
      `${f(per(half.heap, last.heap, half.ops, last.ops), 1)} MiB`,
  );

  log(`\nidle for ${AFTER_SECONDS}s...`);
  await sleep(AFTER_SECONDS * 1000);
  const after = procMemory(edge.pid);
  const afterGc = await edge.probe({ gc: true });
  const drained = await edge.probe({ drain: true });
  log(
    table(
      ['', 'RSS MiB', 'over idle'],
      [
        ['idle (before the load)', mib(idle.rss), '0.0'],
        ['peak during the load', mib(peak), mib(peak - idle.rss)],
        ['end of the load', mib(end.rss), mib(end.rss - idle.rss)],
        [`${AFTER_SECONDS}s after`, mib(after.rss), mib(after.rss - idle.rss)],
        [`${AFTER_SECONDS}s after, forced GC`, mib(afterGc.rss), mib(afterGc.rss - idle.rss)],
      ],
    ),
  );
  log('\ncaches at the end (heap freed when each is emptied, forced GC in between; plans first):');
  log(
    table(
      ['cache', 'entries', 'max entries', 'heap MiB', 'KiB per entry'],
      afterGc.caches.map((c) => {
        const freed = drained.drained?.find((d) => d.label === c.label)?.bytes ?? NaN;
        return [
          c.label,
          c.plans !== undefined ? `${c.length} (${c.plans} plans)` : c.length,
          c.maxLength,
          mib(freed),
          f(freed / 1024 / c.length, 0),
        ];
      }),
    ),
  );
  log(`heap after emptying them: ${mib(drained.heapUsed)} MiB (idle: ${mib(idleProbe.heapUsed)} MiB)`);

  if (endPg.count)
    log(
      `Postgres: ${endPg.count} connections of the edge, ${mib(endPg.bytes)} MiB private (idle: ${mib(idlePg.bytes)} MiB)`,
    );
  const growth = peak - idle.rss;
  const ok = growth < TARGET_MIB * MiB;
  log(`\ntarget: peak RSS under ${TARGET_MIB} MiB above idle: ${ok ? 'met' : 'MISSED'} (${mib(growth)} MiB)`);
  return ok;
}

if (process.env.BENCH_MEMORY_CHILD) {
  child().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  run(main);
}
