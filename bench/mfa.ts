/**
 * `npm run bench:mfa`: what a TOTP second factor costs a sign-in, against the password alone
 * in the same run, and verifyMfa's own latency.
 *
 * Seeds users sharing one bcrypt hash at the configured cost, half of them with an active
 * TOTP factor (secret encrypted as the edge does it, under an OAUTH_TOKEN_KEYS key given to
 * the server). Then, at the same concurrency (2: both sides are CPU-bound on the machine's
 * cores), interleaved rounds of:
 *   password      the `login` mutation through the edge for a user without a factor;
 *   passwordTotp  `login` for a user with a factor (pending MFA: bearer token in the body),
 *                 then `verifyMfa` with this step's code computed here (otpauth): the whole
 *                 two-step sign-in, ending with new tokens at aal2.
 * Each TOTP user signs in at most once per run (a code is accepted once: N2).
 * Target: passwordTotp sign-ins/s >= 90% of password sign-ins/s (the factor costs at most
 * 10% of a bcrypt-dominated login). Reports verifyMfa's p50/p99. Exit 1 when missed.
 * Uses ROOT_DATABASE_URL when set (database `pgauth_bench_mfa`), otherwise a throwaway cluster.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { encryptToken, parseTokenKeys } from '../proxy/features/oauth/token-crypto.ts';
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
const USERS = Number(process.env.BENCH_MFA_USERS ?? 1500);
const TARGET = 0.9;
const PASSWORD = 'correct horse battery staple';
const LOGIN = `mutation ($email: String!, $password: String!) {
  login(input: { email: $email, password: $password }) { userId mfaRequired accessToken mfaFactors { id } }
}`;
const VERIFY = `mutation ($f: UUID!, $c: String!) { verifyMfa(input: { factorId: $f, code: $c }) { userId mfaRequired } }`;

type Side = 'password' | 'passwordTotp';
const SIDES: Side[] = ['password', 'passwordTotp'];
interface Measured {
  rate: number;
  p50: number;
  p99: number;
  count: number;
  foreign: number;
}

async function main(cleanup: (fn: () => Promise<void>) => void): Promise<boolean> {
  const db = await prepareDatabase('pgauth_bench_mfa');
  cleanup(() => db.close());
  const { hash, cost } = await passwordHash(db.root, PASSWORD);
  const plainUsers = await seedPasswordUsers(db.root, 'plain', 200, hash);
  const totpUsers = await seedPasswordUsers(db.root, 'totp', USERS, hash);

  // One TOTP secret for all (each factor's ciphertext differs: its id is associated data).
  const keySpec = `bench1:${randomBytes(32).toString('base64')}`;
  const keys = parseTokenKeys(keySpec);
  const secret = new OTPAuth.Secret({ size: 20 });
  const ids = (await db.root.query('select id from app_public.users where email like $1 order by email', ['totp%']))
    .rows as { id: string }[];
  const factorIds = ids.map(() => randomUUID());
  await db.root.query(
    `insert into app_private.mfa_factors (id, user_id, kind, status) select f, u, 'totp', 'active'
     from unnest($1::uuid[], $2::uuid[]) t(f, u)`,
    [factorIds, ids.map((r) => r.id)],
  );
  await db.root.query(
    `insert into app_private.mfa_totp_secrets (factor_id, key_id, secret) select f, 'bench1', s
     from unnest($1::uuid[], $2::bytea[]) t(f, s)`,
    [factorIds, factorIds.map((id) => encryptToken(keys, id, 'totp_secret', secret.base32))],
  );
  await db.root.query('vacuum analyze');
  log(`seeded ${plainUsers.length} users without and ${totpUsers.length} with TOTP, one bcrypt hash at cost ${cost}`);

  const secrets = await makeSecrets();
  process.env.OAUTH_TOKEN_KEYS = keySpec;
  process.env.DATABASE_URL = db.cfg.ownerUrl;
  process.env.MAIL_WORKER = 'false';
  cleanup(async () => secrets.remove());
  const edge = await startServer('edge', db.cfg, secrets);
  cleanup(() => edge.stop());
  const http = makePoster(edge.url, CONCURRENCY);
  cleanup(async () => http.close());

  const headers = { 'content-type': 'application/json', origin: edge.origin, 'x-token-delivery': 'body' };
  const totp = new OTPAuth.TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
  const post = async (query: string, variables: Record<string, unknown>, bearer?: string) => {
    const res = await http.post(
      '/graphql',
      bearer ? { ...headers, authorization: `Bearer ${bearer}` } : headers,
      JSON.stringify({ query, variables }),
    );
    if (res.status !== 200 || res.body.includes('"errors"')) throw new Error(`${res.status} ${res.body.slice(0, 300)}`);
    return { json: JSON.parse(res.body) as { data: Record<string, Record<string, unknown>> }, ms: res.ms };
  };
  let nextTotpUser = 0;
  const verifyMs: number[] = [];
  const ops: Record<Side, (w: number, i: number) => Promise<void>> = {
    async password(w, i) {
      const email = plainUsers[(w + i * CONCURRENCY) % plainUsers.length]!;
      const r = await post(LOGIN, { email, password: PASSWORD });
      if (r.json.data.login!.mfaRequired !== false) throw new Error('a user without a factor was asked for one');
    },
    async passwordTotp() {
      const k = nextTotpUser++;
      if (k >= totpUsers.length) throw new Error(`more than ${totpUsers.length} TOTP sign-ins: raise BENCH_MFA_USERS`);
      const login = (await post(LOGIN, { email: totpUsers[k]!, password: PASSWORD })).json.data.login!;
      if (login.mfaRequired !== true) throw new Error('a user with a factor was not asked for it');
      const v = await post(VERIFY, { f: factorIds[k], c: totp.generate() }, login.accessToken as string);
      if (v.json.data.verifyMfa!.mfaRequired !== false) throw new Error('verifyMfa did not complete');
      verifyMs.push(v.ms);
    },
  };
  const measure = (side: Side, seconds: number): Promise<Measured> =>
    quietly(side, async () => {
      const r = await closedLoop(CONCURRENCY, seconds, ops[side]);
      return { rate: r.rate, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), count: r.count };
    });

  log('warming up...');
  await measure('password', 2);
  await measure('passwordTotp', 2);
  verifyMs.length = 0;
  const results: Record<Side, Measured[]> = { password: [], passwordTotp: [] };
  log(`measuring: ${ROUNDS} interleaved rounds x ${SECONDS}s per side, concurrency ${CONCURRENCY}`);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...SIDES].reverse() : SIDES;
    for (const side of order) results[side].push(await measure(side, SECONDS));
    log(`  round ${round + 1}: ${order.map((s) => `${s} ${f(results[s].at(-1)!.rate, 2)}/s`).join(', ')}`);
  }

  const med = (side: Side, k: keyof Measured) => median(results[side].map((x) => x[k]));
  const label: Record<Side, string> = {
    password: 'login (no factor)',
    passwordTotp: 'login + verifyMfa (TOTP)',
  };
  log(`\nconcurrency ${CONCURRENCY}, medians of ${ROUNDS} rounds of ${SECONDS}s, bcrypt cost ${cost}:`);
  log(
    table(
      ['side', 'sign-ins/s', 'p50 ms', 'p99 ms', 'other load', 'per round'],
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
  log(
    `verifyMfa alone (${verifyMs.length} calls): p50 ${f(percentile(verifyMs, 50), 1)} ms, p99 ${f(percentile(verifyMs, 99), 1)} ms`,
  );
  const noisy = SIDES.some((s) => results[s].some((x) => x.foreign > FOREIGN_LIMIT));
  if (noisy) log('warning: other load ran during some measurements (see "other load"); the figures may be skewed');
  const ratio = med('passwordTotp', 'rate') / med('password', 'rate');
  log(`\npassword + TOTP sign-ins / password sign-ins: ${f(ratio * 100, 1)}%`);
  const ok = ratio >= TARGET;
  log(
    `target: password + TOTP >= ${TARGET * 100}% of password alone: ${ok ? 'met' : 'MISSED'}${noisy ? ' (under other load: not conclusive)' : ''}`,
  );
  return ok;
}

run(main);
