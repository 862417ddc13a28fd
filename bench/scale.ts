/**
 * `npm run bench:scale` (issue 18): the scaled-out topology of docs/deployment.md on this
 * machine (test/scale/topology.ts: its own cluster, Debian's PgBouncer in transaction mode,
 * `npm start` instances in direct mode, a node:http round-robin balancer).
 *
 * 1. Throughput: an authenticated list query (`visibleDocuments(first: 20)`, Bearer token)
 *    from BENCH_CLIENTS closed-loop clients through the balancer, with one instance behind it
 *    and with two, both through PgBouncer. On 2 cores this measures the overhead of a second
 *    process, not a gain: both instances, PostgreSQL, PgBouncer and the load share the cores.
 * 2. Latency added by PgBouncer: the same query from one client straight to an instance
 *    connected to PostgreSQL directly (session mode, named statements) and to one connected
 *    through PgBouncer (transaction mode, unnamed statements); p50 ratio, target <= 1.15.
 *
 * Rounds are interleaved; each measurement waits for a quiet machine (bench/lib.ts).
 */
import { join } from 'node:path';
import { setup } from '../db/scripts/setup.ts';
import { rotateKey } from '../proxy/core/keys.ts';
import { Balancer, type Databases, freePort, Instance, sharedDir, startDatabases } from '../test/scale/topology.ts';
import { closedLoop, f, log, makePoster, median, percentile, quietly, run, table } from './lib.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);
const LATENCY_TARGET = 1.15;

const QUERY = JSON.stringify({ query: '{ visibleDocuments(first: 20) { nodes { rowId fullUrl shortUrl } } }' });
const REGISTER = `mutation ($email: String!, $password: String!) {
  register(input: { email: $email, password: $password }) { accessToken }
}`;

type Data = { register: { accessToken: string } };

async function post(url: string, body: object, headers: Record<string, string> = {}): Promise<Data> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: Data; errors?: unknown };
  if (!json.data || json.errors) throw new Error(JSON.stringify(json));
  return json.data;
}

interface Measured {
  rate: number;
  p50: number;
  p99: number;
  foreign: number;
}

/** Closed-loop load of the list query against `base`; every answer must be a 200. */
async function load(label: string, base: string, token: string, clients: number, seconds: number): Promise<Measured> {
  const poster = makePoster(base, clients);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  try {
    const r = await quietly(label, () =>
      closedLoop(clients, seconds, async () => {
        const res = await poster.post('/graphql', headers, QUERY);
        if (res.status !== 200 || !res.body.includes('"nodes"')) throw new Error(`${label}: ${res.status} ${res.body}`);
      }),
    );
    return { rate: r.rate, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), foreign: r.foreign };
  } finally {
    poster.close();
  }
}

async function main(cleanup: (fn: () => Promise<void>) => void): Promise<boolean> {
  log('starting PostgreSQL, PgBouncer (transaction mode) and three instances...');
  const dbs: Databases = await startDatabases({ replica: false, poolSize: 8 });
  cleanup(() => dbs.stop());
  await setup(dbs.db, { current: true });
  const keys = sharedDir(dbs.dir, 'keys');
  await rotateKey(keys, 'EdDSA');
  const lbPort = await freePort();
  const env = (name: string, auth: string, mode: string): Record<string, string> => ({
    NODE_ENV: 'development',
    DATABASE_URL: dbs.db.ownerUrl,
    AUTH_DATABASE_URL: auth,
    DATABASE_POOL_MODE: mode,
    DATABASE_POOL_MAX: '8',
    PUBLIC_ORIGIN: `http://127.0.0.1:${lbPort}`,
    CSRF_SECRET: 'ab'.repeat(32),
    JWT_KEYS_DIR: keys,
    ACCESS_TOKEN_TTL: '3600',
    DATA_DIR: join(dbs.dir, name),
    MAIL_WORKER: 'false',
    GRAPHQL_WATCH: 'false',
    OAUTH_REFRESH_INTERVAL_MS: '0',
    LOG_REQUESTS: 'false',
  });
  const a = new Instance(await freePort(), env('a', dbs.bouncedAuthUrl, 'transaction'));
  const b = new Instance(await freePort(), env('b', dbs.bouncedAuthUrl, 'transaction'));
  const direct = new Instance(await freePort(), env('direct', dbs.db.authUrl, 'session'));
  cleanup(async () => {
    await Promise.all([a, b, direct].map((i) => i.stop()));
  });
  await Promise.all([a.start(), b.start(), direct.start()]);
  const one = new Balancer(lbPort, [a]);
  const two = new Balancer(await freePort(), [a, b]);
  await one.listen();
  await two.listen();
  cleanup(async () => {
    await one.close();
    await two.close();
  });

  // One user who owns 20 documents; the token verifies on every instance (shared keys).
  const { register } = await post(
    a.url,
    {
      query: REGISTER,
      variables: { email: 'bench@example.com', password: 'correct horse battery staple' },
    },
    { 'x-token-delivery': 'body' },
  );
  const token = register.accessToken as string;
  for (let i = 0; i < 20; i++) {
    await post(
      a.url,
      {
        query: `mutation { createDocument(input: { document: { fullUrl: "https://example.org/${i}" } }) { document { rowId } } }`,
      },
      { authorization: `Bearer ${token}` },
    );
  }

  log(`warming up (${WARMUP_SECONDS} s each)...`);
  for (const base of [one.url, two.url, direct.url, a.url]) await load('warm-up', base, token, CLIENTS, WARMUP_SECONDS);

  const rounds: Record<string, Measured[]> = { one: [], two: [], direct: [], bounced: [] };
  for (let r = 1; r <= ROUNDS; r++) {
    log(`round ${r}/${ROUNDS}`);
    rounds.one!.push(await load('one instance', one.url, token, CLIENTS, SECONDS));
    rounds.two!.push(await load('two instances', two.url, token, CLIENTS, SECONDS));
    rounds.direct!.push(await load('direct', direct.url, token, 1, SECONDS));
    rounds.bounced!.push(await load('through PgBouncer', a.url, token, 1, SECONDS));
  }
  const med = (k: string, field: keyof Measured) => median(rounds[k]!.map((m) => m[field]));
  const per = (k: string) => rounds[k]!.map((m) => f(m.rate, 0)).join(' / ');
  log('');
  log(`Throughput, ${CLIENTS} clients through the balancer, both through PgBouncer (transaction mode):`);
  log(
    table(
      ['', 'requests/s', 'p50 ms', 'p99 ms', 'per round', 'other load'],
      [
        [
          'one instance',
          f(med('one', 'rate'), 0),
          f(med('one', 'p50'), 2),
          f(med('one', 'p99'), 2),
          per('one'),
          f(med('one', 'foreign'), 2),
        ],
        [
          'two instances',
          f(med('two', 'rate'), 0),
          f(med('two', 'p50'), 2),
          f(med('two', 'p99'), 2),
          per('two'),
          f(med('two', 'foreign'), 2),
        ],
      ],
    ),
  );
  const ratio = med('two', 'rate') / med('one', 'rate');
  log(`two / one: ${f(ratio, 2)}x`);
  log('');
  log('Latency, one client straight to an instance:');
  log(
    table(
      ['', 'p50 ms', 'p99 ms', 'requests/s', 'per round'],
      [
        [
          'PostgreSQL directly (session mode)',
          f(med('direct', 'p50'), 2),
          f(med('direct', 'p99'), 2),
          f(med('direct', 'rate'), 0),
          per('direct'),
        ],
        [
          'through PgBouncer (transaction mode)',
          f(med('bounced', 'p50'), 2),
          f(med('bounced', 'p99'), 2),
          f(med('bounced', 'rate'), 0),
          per('bounced'),
        ],
      ],
    ),
  );
  const added = med('bounced', 'p50') / med('direct', 'p50');
  const ok = added <= LATENCY_TARGET;
  log(`PgBouncer / direct p50: ${f(added, 3)}x (target <= ${LATENCY_TARGET}: ${ok ? 'met' : 'NOT met'})`);
  log(`instances exited: ${[a, b, direct].filter((i) => i.exitCode !== null).length}`);
  return ok;
}

run(main);
