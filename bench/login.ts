/**
 * `npm run bench:login`: password sign-ins per second through the edge against the bcrypt
 * work they cannot avoid, and against each other when they share one client address.
 *
 * Seeds users that share one bcrypt hash made at the configured cost
 * (app_private.auth_config.bcrypt_cost), then compares, at the same concurrency (2: both
 * sides are CPU-bound on the machine's cores):
 *   edge      the `login` GraphQL mutation through the real edge (cookie-less client, Origin =
 *             PUBLIC_ORIGIN), each worker cycling through its own users and from its own
 *             client address (X-Forwarded-For, TRUST_PROXY_HOPS=1); each login verifies the
 *             password, writes the session, refresh token and audit rows, signs an access token;
 *   sameAddr  the same, but every worker from one address that has one failed login on record
 *             (issue 16: login used to hold that address's counter row locked through bcrypt,
 *             so such logins ran one at a time);
 *   raw       `select crypt(pre-hash($1), $2)` with the same password and hash, on Postgres.
 * Interleaved rounds, medians reported; each waits for a quiet machine.
 * Targets: edge logins/s >= 0.9 x raw verifications/s, and sameAddr >= 0.9 x edge. Exit 1 when
 * either is missed.
 * Uses ROOT_DATABASE_URL when set (database `pgauth_bench_login`), otherwise a throwaway cluster.
 */
import pg from 'pg';
import { rootUrlFor } from '../db/scripts/config.ts';
import {
  closedLoop,
  f,
  FOREIGN_LIMIT,
  log,
  makePoster,
  makeSecrets,
  median,
  passwordHash,
  percentile,
  prepareDatabase,
  quietly,
  run,
  seedPasswordUsers,
  startServer,
  table,
} from './lib.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const USERS = 200;
const TARGET = 0.9;
const PASSWORD = 'correct horse battery staple';
const LOGIN = `mutation ($email: String!, $password: String!) {
  login(input: { email: $email, password: $password }) { userId sessionId role accessTokenExpiresAt }
}`;

type Side = 'edge' | 'sameAddr' | 'raw';
const SIDES: Side[] = ['edge', 'sameAddr', 'raw'];
/** One address per worker (documentation range), and the shared one with a prior failure. */
const workerAddress = (w: number) => `198.51.100.${10 + w}`;
const SHARED_ADDRESS = '203.0.113.77';
interface Measured {
  rate: number;
  p50: number;
  p99: number;
  count: number;
  foreign: number;
}

async function main(cleanup: (fn: () => Promise<void>) => void): Promise<boolean> {
  const db = await prepareDatabase('pgauth_bench_login');
  cleanup(() => db.close());
  const { hash, cost } = await passwordHash(db.root, PASSWORD);
  const emails = await seedPasswordUsers(db.root, 'login', USERS, hash);
  await db.root.query('vacuum analyze');
  log(`seeded ${emails.length} users sharing one bcrypt hash at cost ${cost}`);

  // The one failure on record for the shared address (what used to serialize its logins).
  await db.root.query('insert into app_private.ip_login_failures (ip, failures) values ($1::inet, 1)', [
    SHARED_ADDRESS,
  ]);

  const secrets = await makeSecrets();
  // Client addresses come from X-Forwarded-For, as behind one reverse proxy. The edge's email
  // feature needs the owner's URL (its queue schema); no mail worker polls during the runs.
  process.env.TRUST_PROXY_HOPS = '1';
  process.env.DATABASE_URL = db.cfg.ownerUrl;
  process.env.MAIL_WORKER = 'false';
  cleanup(async () => secrets.remove());
  const edge = await startServer('edge', db.cfg.authUrl, secrets);
  cleanup(() => edge.stop());
  const http = makePoster(edge.url, CONCURRENCY);
  cleanup(async () => http.close());
  const raw = new pg.Pool({ connectionString: rootUrlFor(db.cfg, db.cfg.dbName), max: CONCURRENCY });
  cleanup(() => raw.end());

  const headers = { 'content-type': 'application/json', origin: edge.origin };
  // Worker w uses users w, w + CONCURRENCY, ...: no two logins of one user at once.
  const login = async (w: number, i: number, address: string) => {
    const email = emails[(w + i * CONCURRENCY) % emails.length]!;
    const res = await http.post(
      '/graphql',
      { ...headers, 'x-forwarded-for': address },
      JSON.stringify({ query: LOGIN, variables: { email, password: PASSWORD } }),
    );
    if (res.status !== 200 || !res.body.includes('"userId"'))
      throw new Error(`login failed: ${res.status} ${res.body.slice(0, 300)}`);
  };
  const ops: Record<Side, (worker: number, i: number) => Promise<void>> = {
    edge: (w, i) => login(w, i, workerAddress(w)),
    sameAddr: (w, i) => login(w, i, SHARED_ADDRESS),
    async raw() {
      const { rows } = await raw.query(
        'select public.crypt(app_private.password_input($1, app_private.current_password_scheme()), $2) = $2 as ok',
        [PASSWORD, hash],
      );
      if (!rows[0].ok) throw new Error('crypt did not verify');
    },
  };
  const measure = (side: Side, seconds: number): Promise<Measured> =>
    quietly(side, async () => {
      const r = await closedLoop(CONCURRENCY, seconds, ops[side]);
      return { rate: r.rate, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), count: r.count };
    });

  log('warming up...');
  await measure('edge', 3);
  await measure('sameAddr', 2);
  await measure('raw', 2);
  const results: Record<Side, Measured[]> = { edge: [], sameAddr: [], raw: [] };
  log(`measuring: ${ROUNDS} interleaved rounds x ${SECONDS}s per side, concurrency ${CONCURRENCY}`);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no side always runs first (or last) in a round.
    const order = SIDES.map((_, k) => SIDES[(k + round) % SIDES.length]!);
    for (const side of order) results[side].push(await measure(side, SECONDS));
    log(`  round ${round + 1}: ${order.map((s) => `${s} ${f(results[s].at(-1)!.rate, 2)}/s`).join(', ')}`);
  }

  // Every login succeeded and nothing was counted as a failure (beyond the seeded one).
  const check = (
    await db.root.query(`select (select count(*)::int from app_private.sessions) sessions,
    (select coalesce(sum(failures), 0)::int from app_private.ip_login_failures) ip_failures,
    (select coalesce(sum(failed_attempts), 0)::int from app_private.user_secrets) failed`)
  ).rows[0];
  if (check.ip_failures !== 1 || check.failed) throw new Error(`failures were recorded: ${JSON.stringify(check)}`);

  const med = (side: Side, k: keyof Measured) => median(results[side].map((x) => x[k]));
  const label: Record<Side, string> = {
    edge: 'login mutation through the edge, one address per worker',
    sameAddr: 'the same, all from one address with a prior failure',
    raw: `select crypt() on Postgres (bf, cost ${cost})`,
  };
  log(`\nconcurrency ${CONCURRENCY}, medians of ${ROUNDS} rounds of ${SECONDS}s (${check.sessions} sessions created):`);
  log(
    table(
      ['side', 'per second', 'p50 ms', 'p99 ms', 'other load', 'per round'],
      SIDES.map((s) => [
        label[s],
        f(med(s, 'rate'), 2),
        f(med(s, 'p50'), 1),
        f(med(s, 'p99'), 1),
        f(Math.max(...results[s].map((x) => x.foreign)), 2),
        results[s].map((x) => f(x.rate, 2)).join(' / '),
      ]),
    ),
  );
  const noisy = SIDES.some((s) => results[s].some((x) => x.foreign > FOREIGN_LIMIT));
  if (noisy) log('warning: other load ran during some measurements (see "other load"); the figures may be skewed');
  const ratio = med('edge', 'rate') / med('raw', 'rate');
  log(`\nedge logins / raw bcrypt verifications: ${f(ratio * 100, 1)}%`);
  log(
    `time per login beyond the bcrypt verification: ${f(med('edge', 'p50') - med('raw', 'p50'), 1)} ms (p50 difference)`,
  );
  const shared = med('sameAddr', 'rate') / med('edge', 'rate');
  log(`one address with a prior failure / one address per worker: ${f(shared, 2)}x`);
  const ok = ratio >= TARGET;
  const sharedOk = shared >= TARGET;
  const caveat = noisy ? ' (under other load: not conclusive)' : '';
  log(`\ntarget: edge logins/s >= ${TARGET * 100}% of raw crypt()/s: ${ok ? 'met' : 'MISSED'}${caveat}`);
  log(`target: one-address logins/s >= ${TARGET}x multi-address logins/s: ${sharedOk ? 'met' : 'MISSED'}${caveat}`);
  return ok && sharedOk;
}

run(main);
