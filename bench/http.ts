/**
 * `npm run bench:http`: what the edge costs on an authenticated GraphQL read.
 *
 * Seeds 1,000 users, 20,000 documents with ACLs and groups, and one live session. Then
 * loads `{ visibleDocuments { nodes { rowId fullUrl shortUrl createdAt } } }` (the signed-in
 * user's 20 newest visible documents) at a fixed concurrency with autocannon against
 *   edge      the real edge: access JWT and CSRF cookies + X-CSRF-Token + Origin (the token
 *             verified once, EdDSA, then found in the edge's verified-token cache), guards,
 *             secure headers, then PostGraphile;
 *   bare      PostGraphile alone (the edge's own preset via createPostGraphile) on node:http
 *             with a fixed identity: the same pgSettings, no edge;
 *   hono      the same bare PostGraphile on @hono/node-server, no middleware (informational:
 *             splits the edge's cost between the Hono stack and its own middleware);
 *   cold      the edge again, with a new access token and CSRF token on every request, so
 *             its verified-token caches never hit (informational: each token's first request).
 * Each server runs in its own child process (bench/server.ts). After a warm-up long enough
 * for the JIT, measurements are interleaved over several rounds and the medians reported;
 * each waits for a quiet machine and is repeated if other load shows up meanwhile. Every
 * response is checked byte for byte against the first one. A second pass at 1 connection
 * gives the edge's added latency without contention.
 * Target: edge req/s >= 0.9 x bare req/s. Exit 1 when missed.
 * Uses ROOT_DATABASE_URL when set (database `pgauth_bench_http`), otherwise a throwaway cluster.
 */
import autocannon from 'autocannon';
import { signAccessToken } from '../proxy/core/tokens.ts';
import { issueCsrfToken } from '../proxy/core/csrf-token.ts';
import { cookieNames } from '../proxy/core/cookies.ts';
import type { RequestRole } from '../db/scripts/config.ts';
import {
  f,
  FOREIGN_LIMIT,
  log,
  machineCpu,
  median,
  percentile,
  makeSecrets,
  prepareDatabase,
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
const TARGET = 0.9;
/** More than the edge's token caches hold (10,000), so cycling through them always misses. */
const COLD_TOKENS = 12_000;
const QUERY = '{ visibleDocuments { nodes { rowId fullUrl shortUrl createdAt } } }';

const SEED = `
set session_replication_role = replica;
create temp table bu as select n, gen_random_uuid() as id from generate_series(1, 1000) n;
insert into app_public.users (id, email) select id, 'u' || n || '@bench.example' from bu;
create temp table bd as
  select n, gen_random_uuid() as id, ((n - 1) % 1000) + 1 as owner_n,
         now() - (random() * interval '730 days') as created_at
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
create temp table bg as select n, gen_random_uuid() as id from generate_series(1, 20) n;
insert into app_public.groups (id, name) select id, 'g' || n from bg;
insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
  select 'user', u.id, 'member', 'group', g.id from bu u join bg g on g.n = ((u.n - 1) % 20) + 1;
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'group', g.id, 'viewer', d.created_at
  from bg g cross join generate_series(1, 25) k join bd d on d.n = ((g.n::bigint * 15485863 + k * 32452843) % 20000) + 1
  on conflict do nothing;
create table public.bench_user as select id from bu where n = 1;
set session_replication_role = origin;
`;

type Variant = 'edge' | 'bare' | 'hono' | 'cold';

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  /** Server process CPU per request, ms. */
  serverCpu: number;
  /** Whole-machine busy share, 0..1. */
  busy: number;
  /** Cores busy outside this benchmark meanwhile. */
  foreign: number;
}

async function main(cleanup: (fn: () => Promise<void>) => void): Promise<boolean> {
  const db = await prepareDatabase('pgauth_bench_http');
  cleanup(() => db.close());
  const { root } = db;
  const t0 = Date.now();
  await root.query(SEED);
  await root.query('vacuum analyze');
  const userId = (await root.query('select id from public.bench_user')).rows[0].id as string;
  const sessionId = (
    await root.query(
      `insert into app_private.sessions (user_id, expires_at) values ($1, now() + interval '1 day') returning id`,
      [userId],
    )
  ).rows[0].id as string;
  const role = (await root.query('select app_hidden.user_role($1) r', [userId])).rows[0].r as RequestRole;
  const counts = (
    await root.query(`select (select count(*) from app_public.users) u, (select count(*) from app_public.documents) d,
    (select count(*) from app_public.document_acl) a, (select count(*) from app_public.relation_edge) r`)
  ).rows[0];
  log(
    `seeded ${counts.u} users, ${counts.d} documents, ${counts.a} ACL rows, ${counts.r} relation edges in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  );

  const secrets = await makeSecrets();
  cleanup(async () => secrets.remove());
  const identity = { userId, sessionId, role };
  const started = {} as Record<'edge' | 'bare' | 'hono', Server>;
  for (const [name, kind] of [
    ['edge', 'edge'],
    ['bare', 'bareNode'],
    ['hono', 'bareHono'],
  ] as const) {
    started[name] = await startServer(kind, db.cfg.authUrl, secrets, identity);
    cleanup(() => started[name].stop());
  }
  const servers: Record<Variant, Server> = { ...started, cold: started.edge };
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
  // The edge caches verified access and CSRF tokens (LRU of 10,000). The cold variant sends
  // a different pair on every request, cycling through more than the cache holds, so each
  // request pays for the EdDSA and HMAC verifications: a burst of first requests.
  const coldHeaders = await Promise.all(Array.from({ length: COLD_TOKENS }, credentials));
  if (new Set(coldHeaders.map((h) => h.cookie)).size !== COLD_TOKENS)
    throw new Error('cold tokens are not all distinct');
  let nextCold = 0;
  const body = JSON.stringify({ query: QUERY });

  // Same answer everywhere, and it is the real page of 20 documents.
  let expectBody = '';
  for (const [name, server] of Object.entries(started)) {
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body });
    const text = await res.text();
    const nodes = (JSON.parse(text) as { data?: { visibleDocuments?: { nodes?: unknown[] } } }).data?.visibleDocuments
      ?.nodes;
    if (res.status !== 200 || nodes?.length !== 20)
      throw new Error(`${name}: unexpected response ${res.status} ${text.slice(0, 300)}`);
    if (expectBody && text !== expectBody) throw new Error(`${name}: response differs from the edge's`);
    expectBody = text;
  }

  async function load(name: Variant, seconds: number, connections: number): Promise<Measured> {
    const server = servers[name];
    return quietly(name, async () => {
      const latencies: number[] = [];
      const cpu0 = server.cpuMs();
      const m0 = machineCpu();
      const r = await new Promise<autocannon.Result>((resolve, reject) => {
        const inst = autocannon(
          {
            url: `${server.url}/graphql`,
            method: 'POST',
            headers,
            body,
            connections,
            duration: seconds,
            verifyBody: (got: unknown) => got === expectBody,
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
        inst.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
      });
      const m1 = machineCpu();
      const bad = r.errors + r.timeouts + r.non2xx + r.mismatches;
      if (bad > 0)
        throw new Error(
          `${name}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.mismatches} wrong bodies`,
        );
      const n = r.requests.total;
      return {
        rps: n / r.duration,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        serverCpu: (server.cpuMs() - cpu0) / n,
        busy: (m1.busy - m0.busy) / (m1.total - m0.total),
      };
    });
  }

  log(`\nwarming up (${WARMUP_SECONDS}s each: edge, bare, hono)...`);
  for (const name of ['edge', 'bare', 'hono'] as const) await load(name, WARMUP_SECONDS, CONNECTIONS);
  await load('cold', 2, CONNECTIONS);

  const results: Record<Variant, Measured[]> = { edge: [], bare: [], hono: [], cold: [] };
  log(`measuring: ${ROUNDS} interleaved rounds x ${SECONDS}s per variant, ${CONNECTIONS} connections`);
  for (let round = 0; round < ROUNDS; round++) {
    const order: Variant[] = round % 2 === 0 ? ['edge', 'bare', 'hono', 'cold'] : ['cold', 'hono', 'bare', 'edge'];
    for (const name of order) results[name].push(await load(name, SECONDS, CONNECTIONS));
    log(`  round ${round + 1}: ${order.map((n) => `${n} ${f(results[n].at(-1)!.rps, 0)} req/s`).join(', ')}`);
  }
  // Latency on an otherwise idle system: one connection, so the difference is the edge's
  // own time on the request path rather than a share of contended CPU.
  const serial: Record<'edge' | 'bare', Measured[]> = { edge: [], bare: [] };
  for (let round = 0; round < SERIAL_ROUNDS; round++) {
    for (const name of (round % 2 === 0 ? ['edge', 'bare'] : ['bare', 'edge']) as ('edge' | 'bare')[]) {
      serial[name].push(await load(name, SECONDS, 1));
    }
  }

  const med = (xs: Measured[], k: keyof Measured) => median(xs.map((x) => x[k]));
  const label: Record<Variant, string> = {
    edge: 'edge (Hono + middleware + PostGraphile)',
    bare: 'PostGraphile alone (node:http)',
    hono: 'PostGraphile on Hono, no middleware',
    cold: 'edge, new token every request',
  };
  const all: Variant[] = ['edge', 'bare', 'hono', 'cold'];
  log(`\n${CONNECTIONS} connections, medians of ${ROUNDS} rounds of ${SECONDS}s:`);
  log(
    table(
      ['variant', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'machine busy', 'other load', 'req/s per round'],
      all.map((n) => [
        label[n],
        f(med(results[n], 'rps'), 0),
        f(med(results[n], 'p50'), 2),
        f(med(results[n], 'p99'), 2),
        f(med(results[n], 'serverCpu'), 3),
        `${f(med(results[n], 'busy') * 100, 0)}%`,
        f(Math.max(...results[n].map((x) => x.foreign)), 2),
        results[n].map((x) => f(x.rps, 0)).join(' / '),
      ]),
    ),
  );
  const rps = (n: Variant) => med(results[n], 'rps');
  const ratio = rps('edge') / rps('bare');
  log(`\n1 connection (latency without contention), medians of ${SERIAL_ROUNDS} rounds of ${SECONDS}s:`);
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
  const paired = results.edge.map((x, i) => x.rps / results.bare[i]!.rps).sort((a, b) => a - b);
  log(
    `\nedge / bare throughput: ${f(ratio, 3)} (the edge costs ${f((1 - ratio) * 100, 1)}% of req/s); ` +
      `per round ${f(paired[0]!, 2)} to ${f(paired.at(-1)!, 2)}, median ${f(median(paired), 3)}`,
  );
  log(
    `  Hono stack alone (hono / bare): ${f(rps('hono') / rps('bare'), 3)}; the edge's middleware (edge / hono): ${f(rps('edge') / rps('hono'), 3)}`,
  );
  log(`  with a new token on every request (cold / bare): ${f(rps('cold') / rps('bare'), 3)}`);
  log(
    `edge overhead per request: ${f(1000 / rps('edge') - 1000 / rps('bare'), 3)} ms of machine time at saturation (1/rps), ` +
      `${f(med(results.edge, 'serverCpu') - med(results.bare, 'serverCpu'), 3)} ms server CPU, ` +
      `${f(med(serial.edge, 'p50') - med(serial.bare, 'p50'), 3)} ms p50 latency at 1 connection; ` +
      `a token's first request adds ${f(med(results.cold, 'serverCpu') - med(results.edge, 'serverCpu'), 3)} ms server CPU`,
  );
  const noisy = all.some((n) => results[n].some((x) => x.foreign > FOREIGN_LIMIT));
  if (noisy) log('warning: other load ran during some measurements (see "other load"); the figures may be skewed');
  const ok = ratio >= TARGET;
  log(
    `\ntarget: edge req/s >= ${TARGET} x bare: ${ok ? 'met' : 'MISSED'}${noisy ? ' (under other load: not conclusive)' : ''}`,
  );
  return ok;
}

run(main);
