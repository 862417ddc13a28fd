/**
 * `npm run bench:http`: what an authenticated GraphQL read costs, in the edge and in Postgres.
 *
 * Seeds 1,000 users, 20,000 documents with ACLs and groups, and one live session
 * (deterministically: the same rows in every database and every run). Two reads:
 *   list  `{ visibleDocuments { nodes { rowId fullUrl shortUrl createdAt } } }`: the signed-in
 *         user's 20 newest visible documents;
 *   me    `{ currentUser { rowId email } }`: "who am I", the cheapest authenticated read.
 * Each is loaded at a fixed concurrency with autocannon against
 *   edge   the real edge: access JWT and CSRF cookies + X-CSRF-Token + Origin (the token
 *          verified once, then found in the edge's verified-token cache), its /graphql
 *          middleware, secure headers, then PostGraphile with the edge's adaptor;
 *   bare   PostGraphile alone (the edge's own preset via createPostGraphile, the same adaptor)
 *          on node:http with a fixed identity: the same pgSettings, no edge;
 *   stock  PostGraphile alone as the code was before the read-path work: @dataplan/pg's own
 *          adaptor (begin, settings, statement, commit) on a second database built without
 *          the read-path migration (committed/000005-read-path.sql, first current/3000-read-path.sql):
 *          the SQL read path before it;
 *   hono   bare PostGraphile on @hono/node-server, no middleware (list only; splits the edge's
 *          cost between the Hono stack and its middleware);
 *   cold   the edge with a new access token and CSRF token on every request, so its
 *          verified-token caches never hit (list only; each token's first request);
 *   apikey the edge with `Authorization: Bearer pga_...` (a personal API key of the same user,
 *          checked in SQL on every request: nothing cached) instead of cookies (list only).
 * Each server runs in its own child process (bench/server.ts), with its own connection pool
 * named by application_name. After a warm-up long enough for the JIT, measurements are
 * interleaved over several rounds and medians reported; each waits for a quiet machine and is
 * repeated if other load shows up meanwhile, and starts with 0.5 s of unmeasured load (the
 * pool closes connections idle for 10 s: they are open and warm when the clock starts). Every
 * response is checked byte for byte against the first one. Postgres CPU per request is the
 * CPU time of the login role's backends of that server (pids from pg_stat_activity, CPU from
 * /proc/<pid>/schedstat) over the measurement, divided by the requests served.
 * A second pass at 1 connection gives the edge's added latency without contention.
 * Targets: edge >= 0.95 x bare req/s (list); Postgres CPU <= 0.25 ms per `me` request through
 * the edge; edge list req/s >= 1.2 x stock; an API-key request costs <= 1.1 x a cookie request
 * (apikey req/s >= edge req/s / 1.1, list). Exit 1 when one is missed.
 * BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each server (bench/server.ts).
 * Uses ROOT_DATABASE_URL when set (databases `pgauth_bench_http`, `..._before`), otherwise a
 * throwaway cluster.
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { signAccessToken } from '../proxy/core/tokens.ts';
import { issueCsrfToken } from '../proxy/core/csrf-token.ts';
import { cookieNames } from '../proxy/core/cookies.ts';
import { type RequestRole, rootUrlFor } from '../db/scripts/config.ts';
import {
  backendCpu,
  backendCpuMs,
  f,
  FOREIGN_LIMIT,
  log,
  machineCpu,
  median,
  percentile,
  makeSecrets,
  prepareDatabase,
  prepareDatabaseWithout,
  quietly,
  run,
  startServer,
  table,
  type Server,
} from './lib.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
// Many short interleaved rounds: on this VM throughput drifts by +-20% over seconds, so
// short alternations pair each edge run with a bare run under similar conditions.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const SERIAL_ROUNDS = 4;
// The servers need well over 5 s of load before the JIT settles (measured: ~8 s to reach
// steady req/s from a cold start).
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 10);
const PRELOAD_SECONDS = 0.5;
const TARGET_EDGE = 0.95;
const TARGET_PG_ME_MS = 0.25;
const TARGET_LIST_VS_STOCK = 1.2;
const TARGET_APIKEY_COST = 1.1;
/** More than the edge's token caches hold (10,000), so cycling through them always misses. */
const COLD_TOKENS = 12_000;
/** The read-path migration measured against (stock runs on a database without it), by the
 * names it has had. */
const READ_PATH_FILES = ['000005-read-path.sql', '3000-read-path.sql'];

const QUERIES = {
  list: '{ visibleDocuments { nodes { rowId fullUrl shortUrl createdAt } } }',
  me: '{ currentUser { rowId email } }',
} as const;
type QueryName = keyof typeof QUERIES;

// Deterministic: ids from md5, times from a seeded random(), so every database (and run) holds
// the same rows and every variant must answer byte for byte the same.
const SEED = `
select setseed(0.42);
set session_replication_role = replica;
create temp table bu as select n, md5('user' || n)::uuid as id from generate_series(1, 1000) n;
insert into app_public.users (id, email, created_at)
  select id, 'u' || n || '@bench.example', timestamptz '2026-01-01' from bu;
create temp table bd as
  select n, md5('doc' || n)::uuid as id, ((n - 1) % 1000) + 1 as owner_n,
         timestamptz '2026-01-01' - (random() * interval '730 days') as created_at
  from generate_series(1, 20000) n;
insert into app_public.documents (id, owner_id, full_url, short_url, created_at)
  select d.id, u.id, 'https://example.com/' || d.n, 'h' || d.n, d.created_at from bd d join bu u on u.n = d.owner_n;
-- Owners, then two direct shares per document to pseudo-random users.
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'user', u.id, 'owner', d.created_at from bd d join bu u on u.n = d.owner_n;
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'user', u.id, (case when s = 1 then 'viewer' else 'manager' end)::app_public.access_level, d.created_at
  from bd d cross join generate_series(1, 2) s
  join bu u on u.n = ((d.n::bigint * 7919 + s * 104729) % 1000) + 1
  on conflict do nothing;
-- 20 groups of 50 members; each group can view 25 documents.
create temp table bg as select n, md5('group' || n)::uuid as id from generate_series(1, 20) n;
insert into app_public.groups (id, name) select id, 'g' || n from bg;
insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
  select 'user', u.id, 'member', 'group', g.id from bu u join bg g on g.n = ((u.n - 1) % 20) + 1;
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'group', g.id, 'viewer', d.created_at
  from bg g cross join generate_series(1, 25) k join bd d on d.n = ((g.n::bigint * 15485863 + k * 32452843) % 20000) + 1
  on conflict do nothing;
insert into app_private.sessions (id, user_id, expires_at)
  select md5('session1')::uuid, id, now() + interval '1 day' from bu where n = 1;
set session_replication_role = origin;
`;
const USER_ID = "md5('user1')::uuid";
const SESSION_ID = "md5('session1')::uuid";

type Variant = 'edge' | 'bare' | 'stock' | 'hono' | 'cold' | 'apikey';
const LIST_ONLY: ReadonlySet<Variant> = new Set(['hono', 'cold', 'apikey']);

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  /** Server process CPU per request, ms. */
  serverCpu: number;
  /** CPU of the server's database backends per request, ms. */
  pgCpu: number;
  /** Whole-machine busy share, 0..1. */
  busy: number;
  /** Cores busy outside this benchmark meanwhile. */
  foreign: number;
}

async function seed(root: pg.Client): Promise<void> {
  await root.query(SEED);
  await root.query('vacuum analyze');
}

async function main(cleanup: (fn: () => Promise<void>) => void): Promise<boolean> {
  const db = await prepareDatabase('pgauth_bench_http');
  cleanup(() => db.close());
  const { root } = db;
  const t0 = Date.now();
  await seed(root);
  const before = await prepareDatabaseWithout(db, 'pgauth_bench_http_before', READ_PATH_FILES);
  if (before) {
    const r = new pg.Client({ connectionString: rootUrlFor(before, before.dbName) });
    await r.connect();
    try {
      await seed(r);
      // The comparison is what it says: currentUser's function before and after the change.
      const lang = async (c: pg.Client) =>
        (
          await c.query(
            `select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang where p.oid = 'app_public."current_user"()'::regprocedure`,
          )
        ).rows[0].lanname as string;
      const [was, now] = [await lang(r), await lang(root)];
      if (was === now) throw new Error(`the database before the read path has the same current_user() (${now})`);
      log(`current_user(): ${was} before the read-path migration, ${now} now`);
    } finally {
      await r.end();
    }
  } else {
    log(`no read-path migration found (${READ_PATH_FILES.join(', ')}): stock runs on the same database`);
  }
  const ids = (await root.query(`select ${USER_ID} u, ${SESSION_ID} s`)).rows[0];
  const userId = ids.u as string;
  const sessionId = ids.s as string;
  const role = (await root.query('select app_hidden.user_role($1) r', [userId])).rows[0].r as RequestRole;
  const counts = (
    await root.query(`select (select count(*) from app_public.users) u, (select count(*) from app_public.documents) d,
    (select count(*) from app_public.document_acl) a, (select count(*) from app_public.relation_edge) r`)
  ).rows[0];
  log(
    `seeded ${counts.u} users, ${counts.d} documents, ${counts.a} ACL rows, ${counts.r} relation edges${before ? ' (twice)' : ''} in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  );

  const secrets = await makeSecrets();
  cleanup(async () => secrets.remove());
  const identity = { userId, sessionId, role };
  const appName = (v: string) => `bench-${v}`;
  const started = {} as Record<Exclude<Variant, 'cold'>, Server>;
  for (const [name, kind, url, adaptor] of [
    ['edge', 'edge', db.cfg, undefined],
    ['bare', 'bareNode', db.cfg, undefined],
    ['stock', 'bareNode', before ?? db.cfg, 'stock'],
    ['hono', 'bareHono', db.cfg, undefined],
  ] as const) {
    started[name] = await startServer(kind, url, secrets, identity, { adaptor, appName: appName(name) });
    cleanup(() => started[name].stop());
  }
  const servers: Record<Variant, Server> = { ...started, cold: started.edge, apikey: started.edge };
  const edge = started.edge;
  const names = cookieNames(false);
  const credentials = async () => {
    const accessToken = await signAccessToken(secrets.keys, edge.tokens, { sub: userId, sid: sessionId, role });
    const csrf = issueCsrfToken(secrets.csrfSecret, sessionId);
    return {
      'content-type': 'application/json',
      origin: edge.origin,
      cookie: `${names.access}=${accessToken}; ${names.csrf}=${csrf}`,
      'x-csrf-token': csrf,
    };
  };
  // Every variant gets the same request, byte for byte; only the edge looks at the credentials.
  const headers = await credentials();
  // A personal API key of the same user (created as the user would: app_public.create_api_key).
  await root.query('begin');
  await root.query(
    `select set_config('role', 'app_user', true), set_config('jwt.claims.user_id', $1, true), set_config('jwt.claims.session_id', $2, true)`,
    [userId, sessionId],
  );
  const apiKey = (await root.query(`select key from app_public.create_api_key('bench', '{}')`)).rows[0].key as string;
  await root.query('commit');
  const apiKeyHeaders = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  // The edge caches verified access and CSRF tokens (LRU of 10,000). The cold variant sends
  // a different pair on every request, cycling through more than the cache holds, so each
  // request pays for the signature and HMAC verifications: a burst of first requests.
  const coldHeaders = await Promise.all(Array.from({ length: COLD_TOKENS }, credentials));
  if (new Set(coldHeaders.map((h) => h.cookie)).size !== COLD_TOKENS)
    throw new Error('cold tokens are not all distinct');
  let nextCold = 0;
  const bodies = Object.fromEntries(
    Object.entries(QUERIES).map(([k, q]) => [k, JSON.stringify({ query: q })]),
  ) as Record<QueryName, string>;

  // Same answer everywhere, and it is the real page of 20 documents / the user.
  const expectBody = {} as Record<QueryName, string>;
  for (const q of Object.keys(QUERIES) as QueryName[]) {
    for (const [name, server] of [...Object.entries(started), ['apikey', started.edge] as const]) {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: name === 'apikey' ? apiKeyHeaders : headers,
        body: bodies[q],
      });
      const text = await res.text();
      const data = (JSON.parse(text) as { data?: Record<string, { nodes?: unknown[]; rowId?: string }> }).data;
      const ok = q === 'list' ? data?.visibleDocuments?.nodes?.length === 20 : data?.currentUser?.rowId === userId;
      if (res.status !== 200 || !ok)
        throw new Error(`${name} ${q}: unexpected response ${res.status} ${text.slice(0, 300)}`);
      if (expectBody[q] && text !== expectBody[q]) throw new Error(`${name} ${q}: response differs from the edge's`);
      expectBody[q] = text;
    }
  }

  function autocannonRun(name: Variant, q: QueryName, seconds: number, connections: number, latencies?: number[]) {
    const server = servers[name];
    return new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        {
          url: `${server.url}/graphql`,
          method: 'POST',
          headers: name === 'apikey' ? apiKeyHeaders : headers,
          body: bodies[q],
          connections,
          duration: seconds,
          verifyBody: (got: unknown) => got === expectBody[q],
          ...(name === 'cold'
            ? {
                requests: [
                  {
                    setupRequest: (req: autocannon.Request) => ({
                      ...req,
                      headers: coldHeaders[nextCold++ % COLD_TOKENS],
                    }),
                  },
                ],
              }
            : {}),
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      if (latencies) inst.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
    });
  }

  async function load(name: Variant, q: QueryName, seconds: number, connections: number): Promise<Measured> {
    const server = servers[name];
    const backends = appName(name === 'cold' || name === 'apikey' ? 'edge' : name);
    return quietly(`${name} ${q}`, async () => {
      await autocannonRun(name, q, PRELOAD_SECONDS, connections);
      const latencies: number[] = [];
      const pg0 = await backendCpu(root, db.cfg.authRole, backends);
      const cpu0 = server.cpuMs();
      const m0 = machineCpu();
      const r = await autocannonRun(name, q, seconds, connections, latencies);
      const m1 = machineCpu();
      const cpu1 = server.cpuMs();
      const pg1 = await backendCpu(root, db.cfg.authRole, backends);
      const bad = r.errors + r.timeouts + r.non2xx + r.mismatches;
      if (bad > 0)
        throw new Error(
          `${name} ${q}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.mismatches} wrong bodies`,
        );
      const n = r.requests.total;
      return {
        rps: n / r.duration,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        serverCpu: (cpu1 - cpu0) / n,
        pgCpu: backendCpuMs(pg0, pg1) / n,
        busy: (m1.busy - m0.busy) / (m1.total - m0.total),
      };
    });
  }

  const variantsOf = (q: QueryName): Variant[] =>
    (['edge', 'bare', 'stock', 'hono', 'cold', 'apikey'] as Variant[]).filter((v) => q === 'list' || !LIST_ONLY.has(v));
  log(`\nwarming up (${WARMUP_SECONDS}s each: edge, bare, stock, hono; both queries)...`);
  for (const name of ['edge', 'bare', 'stock', 'hono'] as const) {
    for (const q of Object.keys(QUERIES) as QueryName[]) {
      if (q === 'list' || !LIST_ONLY.has(name)) await autocannonRun(name, q, WARMUP_SECONDS / 2, CONNECTIONS);
    }
  }
  await autocannonRun('cold', 'list', 2, CONNECTIONS);

  const results: Record<QueryName, Partial<Record<Variant, Measured[]>>> = { list: {}, me: {} };
  for (const q of Object.keys(QUERIES) as QueryName[]) for (const v of variantsOf(q)) results[q][v] = [];
  log(`measuring: ${ROUNDS} interleaved rounds x ${SECONDS}s per variant and query, ${CONNECTIONS} connections`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of Object.keys(QUERIES) as QueryName[]) {
      const order = round % 2 === 0 ? variantsOf(q) : variantsOf(q).reverse();
      for (const name of order) results[q][name]!.push(await load(name, q, SECONDS, CONNECTIONS));
      log(
        `  round ${round + 1} ${q}: ${order.map((n) => `${n} ${f(results[q][n]!.at(-1)!.rps, 0)}`).join(', ')} req/s`,
      );
    }
  }
  // Latency on an otherwise idle system: one connection, so the difference is the edge's
  // own time on the request path rather than a share of contended CPU.
  const serial: Record<'edge' | 'bare', Measured[]> = { edge: [], bare: [] };
  for (let round = 0; round < SERIAL_ROUNDS; round++) {
    for (const name of (round % 2 === 0 ? ['edge', 'bare'] : ['bare', 'edge']) as ('edge' | 'bare')[]) {
      serial[name].push(await load(name, 'list', SECONDS, 1));
    }
  }

  const med = (xs: Measured[], k: keyof Measured) => median(xs.map((x) => x[k]));
  const label: Record<Variant, string> = {
    edge: 'edge (Hono + middleware + PostGraphile)',
    bare: 'PostGraphile alone (node:http)',
    stock: `PostGraphile alone, before (${before ? 'stock adaptor, SQL without the read path' : 'stock adaptor'})`,
    hono: 'PostGraphile on Hono, no middleware',
    cold: 'edge, new token every request',
    apikey: 'edge, personal API key (Bearer pga_...)',
  };
  for (const q of Object.keys(QUERIES) as QueryName[]) {
    log(`\n${q}: ${QUERIES[q]}\n${CONNECTIONS} connections, medians of ${ROUNDS} rounds of ${SECONDS}s:`);
    log(
      table(
        [
          'variant',
          'req/s',
          'p50 ms',
          'p99 ms',
          'server CPU ms/req',
          'Postgres CPU ms/req',
          'other load',
          'req/s per round',
        ],
        variantsOf(q).map((n) => {
          const xs = results[q][n]!;
          return [
            label[n],
            f(med(xs, 'rps'), 0),
            f(med(xs, 'p50'), 2),
            f(med(xs, 'p99'), 2),
            f(med(xs, 'serverCpu'), 3),
            f(med(xs, 'pgCpu'), 3),
            f(Math.max(...xs.map((x) => x.foreign)), 2),
            xs.map((x) => f(x.rps, 0)).join(' / '),
          ];
        }),
      ),
    );
  }
  const rps = (q: QueryName, n: Variant) => med(results[q][n]!, 'rps');
  const paired = (q: QueryName, a: Variant, b: Variant) =>
    results[q][a]!.map((x, i) => x.rps / results[q][b]![i]!.rps).sort((x, y) => x - y);
  const ratioLine = (q: QueryName, a: Variant, b: Variant) => {
    const p = paired(q, a, b);
    return `${f(rps(q, a) / rps(q, b), 3)} (per round ${f(p[0]!, 2)} to ${f(p.at(-1)!, 2)}, median ${f(median(p), 3)})`;
  };
  log(`\n1 connection (latency without contention), list, medians of ${SERIAL_ROUNDS} rounds of ${SECONDS}s:`);
  log(
    table(
      ['variant', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req'],
      (['edge', 'bare'] as const).map((n) => [
        label[n],
        f(med(serial[n], 'rps'), 0),
        f(med(serial[n], 'p50'), 3),
        f(med(serial[n], 'p99'), 3),
        f(med(serial[n], 'serverCpu'), 3),
      ]),
    ),
  );
  const edgeRatio = rps('list', 'edge') / rps('list', 'bare');
  const pgMe = med(results.me.edge!, 'pgCpu');
  const vsStock = rps('list', 'edge') / rps('list', 'stock');
  log(`\nedge / bare, list: ${ratioLine('list', 'edge', 'bare')}; me: ${ratioLine('me', 'edge', 'bare')}`);
  log(
    `  Hono stack alone (hono / bare): ${f(rps('list', 'hono') / rps('list', 'bare'), 3)}; the edge's middleware (edge / hono): ${f(rps('list', 'edge') / rps('list', 'hono'), 3)}`,
  );
  log(`  with a new token on every request (cold / bare): ${f(rps('list', 'cold') / rps('list', 'bare'), 3)}`);
  const apiKeyCost = rps('list', 'edge') / rps('list', 'apikey');
  log(
    `API key / cookie (edge), list: ${ratioLine('list', 'apikey', 'edge')} req/s: an API-key request costs ${f(apiKeyCost, 3)} x a cookie request ` +
      `(${f(med(results.list.apikey!, 'serverCpu'), 3)} vs ${f(med(results.list.edge!, 'serverCpu'), 3)} ms server CPU, ` +
      `${f(med(results.list.apikey!, 'pgCpu'), 3)} vs ${f(med(results.list.edge!, 'pgCpu'), 3)} ms Postgres CPU)`,
  );
  log(
    `edge overhead per request (list): ${f(1000 / rps('list', 'edge') - 1000 / rps('list', 'bare'), 3)} ms of machine time at saturation (1/rps), ` +
      `${f(med(results.list.edge!, 'serverCpu') - med(results.list.bare!, 'serverCpu'), 3)} ms server CPU, ` +
      `${f(med(serial.edge, 'p50') - med(serial.bare, 'p50'), 3)} ms p50 latency at 1 connection; ` +
      `a token's first request adds ${f(med(results.list.cold!, 'serverCpu') - med(results.list.edge!, 'serverCpu'), 3)} ms server CPU`,
  );
  log(
    `against the code before (stock): edge / stock, list: ${ratioLine('list', 'edge', 'stock')}; me: ${ratioLine('me', 'edge', 'stock')}`,
  );
  log(`  bare / stock, list: ${ratioLine('list', 'bare', 'stock')}; me: ${ratioLine('me', 'bare', 'stock')}`);
  log(
    `Postgres CPU per request, me: edge ${f(pgMe, 3)} ms, bare ${f(med(results.me.bare!, 'pgCpu'), 3)} ms, stock ${f(med(results.me.stock!, 'pgCpu'), 3)} ms; ` +
      `list: edge ${f(med(results.list.edge!, 'pgCpu'), 3)} ms, bare ${f(med(results.list.bare!, 'pgCpu'), 3)} ms, stock ${f(med(results.list.stock!, 'pgCpu'), 3)} ms`,
  );
  const all = (Object.keys(QUERIES) as QueryName[]).flatMap((q) => variantsOf(q).flatMap((v) => results[q][v]!));
  const noisy = all.some((x) => x.foreign > FOREIGN_LIMIT);
  if (noisy) log('warning: other load ran during some measurements (see "other load"); the figures may be skewed');
  const checks: [string, boolean][] = [
    [`edge req/s >= ${TARGET_EDGE} x bare (list)`, edgeRatio >= TARGET_EDGE],
    [`Postgres CPU <= ${TARGET_PG_ME_MS} ms per me request through the edge`, pgMe <= TARGET_PG_ME_MS],
    [`edge list req/s >= ${TARGET_LIST_VS_STOCK} x stock`, vsStock >= TARGET_LIST_VS_STOCK],
    [`an API-key request costs <= ${TARGET_APIKEY_COST} x a cookie request (list)`, apiKeyCost <= TARGET_APIKEY_COST],
  ];
  log('');
  for (const [what, ok] of checks) {
    log(`target: ${what}: ${ok ? 'met' : 'MISSED'}${noisy ? ' (under other load: not conclusive)' : ''}`);
  }
  return checks.every(([, ok]) => ok);
}

run(main);
