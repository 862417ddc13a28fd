/**
 * `npm run bench:refresh`: refresh-token rotations per second through the edge.
 *
 * Native clients (X-Token-Delivery: body, no cookies): each virtual client signs in once as
 * its own user, then loops `refresh(input: { refreshToken })` with the token the previous
 * call returned, so every call rotates a live token (no grace-window replays, no reuse).
 * Each call locks and rotates the token row, inserts its successor, touches the session and
 * signs a new access token. Reports the rate and latency percentiles; no target. Checks at
 * the end that no session was revoked and every rotation was stored.
 * Uses ROOT_DATABASE_URL when set (database `pgauth_bench_refresh`), otherwise a throwaway cluster.
 */
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

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 8);
const PASSWORD = 'correct horse battery staple';
const LOGIN = `mutation ($email: String!, $password: String!) {
  login(input: { email: $email, password: $password }) { sessionId refreshToken }
}`;
const REFRESH = `mutation ($t: String) { refresh(input: { refreshToken: $t }) { sessionId accessToken refreshToken } }`;

async function main(cleanup: (fn: () => Promise<void>) => void): Promise<boolean> {
  const db = await prepareDatabase('pgauth_bench_refresh');
  cleanup(() => db.close());
  const { hash, cost } = await passwordHash(db.root, PASSWORD);
  const emails = await seedPasswordUsers(db.root, 'refresh', CLIENTS, hash);
  log(`seeded ${emails.length} users (bcrypt cost ${cost})`);

  const secrets = await makeSecrets();
  cleanup(async () => secrets.remove());
  const edge = await startServer('edge', db.cfg.authUrl, secrets);
  cleanup(() => edge.stop());
  const http = makePoster(edge.url, CLIENTS);
  cleanup(async () => http.close());
  const headers = { 'content-type': 'application/json', origin: edge.origin, 'x-token-delivery': 'body' };

  async function call<T>(query: string, variables: Record<string, unknown>, field: string): Promise<T> {
    const res = await http.post('/graphql', headers, JSON.stringify({ query, variables }));
    const json = JSON.parse(res.body) as { data?: Record<string, T | null>; errors?: unknown[] };
    const out = json.data?.[field];
    if (res.status !== 200 || !out) throw new Error(`${field} failed: ${res.status} ${res.body.slice(0, 300)}`);
    return out;
  }

  // One session (token family) per virtual client.
  const tokens: string[] = [];
  await Promise.all(
    emails.map(async (email, w) => {
      tokens[w] = (await call<{ refreshToken: string }>(LOGIN, { email, password: PASSWORD }, 'login')).refreshToken;
    }),
  );
  log(`${CLIENTS} clients signed in`);

  let rotations = 0;
  const refresh = async (w: number) => {
    const next = await call<{ refreshToken: string; accessToken: string }>(REFRESH, { t: tokens[w] }, 'refresh');
    if (!next.accessToken || next.refreshToken === tokens[w]) throw new Error('refresh did not rotate the token');
    tokens[w] = next.refreshToken;
    rotations++;
  };
  const measure = (seconds: number) =>
    quietly('refresh', async () => {
      const r = await closedLoop(CLIENTS, seconds, refresh);
      return { rate: r.rate, latencies: r.latencies };
    });

  log(`warming up (${WARMUP_SECONDS}s)...`);
  await measure(WARMUP_SECONDS);
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    rounds.push(await measure(SECONDS));
    log(`  round ${i + 1}: ${f(rounds.at(-1)!.rate, 0)} refreshes/s`);
  }

  const check = (
    await db.root.query(`select (select count(*)::int from app_private.sessions where revoked_at is not null) revoked,
    (select count(*)::int from app_private.refresh_tokens) tokens`)
  ).rows[0];
  if (check.revoked) throw new Error(`${check.revoked} sessions were revoked (token reuse?)`);
  if (check.tokens !== CLIENTS + rotations)
    throw new Error(`expected ${CLIENTS + rotations} refresh tokens, found ${check.tokens}`);

  const all = rounds.flatMap((r) => r.latencies);
  log(
    `\n${CLIENTS} clients, ${ROUNDS} rounds of ${SECONDS}s (${rotations} rotations in all, ${check.tokens} refresh tokens stored):`,
  );
  log(
    table(
      ['', 'refreshes/s', 'p50 ms', 'p90 ms', 'p99 ms', 'other load', 'per round'],
      [
        [
          'refresh through the edge (native, body delivery)',
          f(median(rounds.map((r) => r.rate)), 0),
          f(percentile(all, 50), 2),
          f(percentile(all, 90), 2),
          f(percentile(all, 99), 2),
          f(Math.max(...rounds.map((r) => r.foreign)), 2),
          rounds.map((r) => f(r.rate, 0)).join(' / '),
        ],
      ],
    ),
  );
  if (rounds.some((r) => r.foreign > FOREIGN_LIMIT)) {
    log('warning: other load ran during some measurements (see "other load"); the figures may be skewed');
  }
  return true;
}

run(main);
