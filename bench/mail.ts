/**
 * `npm run bench:mail`: what the mail outbox costs.
 *
 * 1. Throughput, mails/s from enqueue to SMTP acceptance:
 *      queue   N mails queued by app_private.enqueue_mail (graphile_worker.add_job) in one
 *              transaction, sent by the worker (proxy/features/email: graphile-worker, the
 *              templates, nodemailer), clock from COMMIT to the last mail accepted;
 *      direct  the same N mails rendered and sent by the same Mailer from this process, with
 *              as many in flight as the worker's concurrency.
 *    Both go to a real SMTP server on loopback (smtp-server + mailparser). Target: queue >= 0.8
 *    x direct.
 * 2. Latency of app_hidden.register (as the edge calls it: auth_edge, bcrypt at the
 *    configured cost) with the outbox and with app_private.enqueue_mail replaced by a no-op,
 *    the worker stopped (the enqueue in the transaction is measured, not the sending).
 *    Target: with <= 1.05 x without (medians).
 * 3. (M2) Latency of register for a taken address against a free one, paired; reported.
 * Interleaved rounds, medians reported, each on a quiet machine. Exit 1 when a target is missed.
 * Uses ROOT_DATABASE_URL when set (database `pgauth_bench_mail`), otherwise a throwaway cluster.
 */
import pg from 'pg';
import { Mailbox } from '../proxy/features/email/mailbox.ts';
import { Mailer } from '../proxy/features/email/mailer.ts';
import { startMailWorker } from '../proxy/features/email/queue.ts';
import { f, log, median, prepareDatabase, quietly, run, table } from './lib.ts';

const MAILS = Number(process.env.BENCH_MAILS ?? 300);
const REGISTRATIONS = Number(process.env.BENCH_REGISTRATIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 4;
const ORIGIN = 'http://localhost:3000';

run(async (cleanup) => {
  const db = await prepareDatabase('pgauth_bench_mail');
  cleanup(() => db.close());
  const box = new Mailbox({ max: MAILS * 2 });
  await box.listen();
  cleanup(() => box.close());
  const mailer = new Mailer({
    smtpUrl: box.url,
    from: 'bench <no-reply@bench.example>',
    templatesDir: null,
    publicOrigin: ORIGIN,
  });
  cleanup(async () => mailer.close());
  await db.root.query(
    'update app_private.auth_config set register_max_per_ip = 1000000, register_max_global = 1000000',
  );

  // --- 1. throughput ------------------------------------------------------------------
  const ownerPool = new pg.Pool({ connectionString: db.cfg.ownerUrl, max: CONCURRENCY + 2 });
  ownerPool.on('error', () => {});
  ownerPool.on('connect', (c) => c.on('error', () => {}));
  const runner = await startMailWorker(ownerPool, (job) => mailer.send(job), {
    concurrency: CONCURRENCY,
    pollIntervalMs: 1000,
  });
  cleanup(async () => {
    await runner.stop().catch(() => {});
    await ownerPool.end();
  });
  const data = (i: number) => ({
    name: `User ${i}`,
    email: `u${i}@bench.example`,
    action: 'verify',
    token: 'A'.repeat(43),
  });
  let batch = 0;
  const queued = async () => {
    const tag = `q${batch++}`;
    const to = Array.from({ length: MAILS }, (_, i) => `${tag}.${i}@bench.example`);
    let arrived = 0;
    const done = box.waitFor((m) => m.to[0]?.startsWith(`${tag}.`) === true && ++arrived >= MAILS, 120_000);
    const client = await ownerPool.connect();
    try {
      await client.query('begin');
      await client.query(`select app_private.enqueue_mail('verify_email', t, $2::jsonb) from unnest($1::text[]) t`, [
        to,
        JSON.stringify(data(0)),
      ]);
      const t0 = performance.now();
      await client.query('commit');
      await done;
      return { rate: MAILS / ((performance.now() - t0) / 1000) };
    } finally {
      client.release();
    }
  };
  const direct = async () => {
    const tag = `d${batch++}`;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < MAILS) {
          const i = next++;
          await mailer.send({ template: 'verify_email', to: `${tag}.${i}@bench.example`, data: data(i) });
        }
      }),
    );
    return { rate: MAILS / ((performance.now() - t0) / 1000) };
  };
  const rates = { queue: [] as number[], direct: [] as number[] };
  await direct(); // warm-up (template cache, SMTP server)
  for (let r = 0; r < ROUNDS; r++) {
    rates.queue.push((await quietly('queue', queued)).rate);
    rates.direct.push((await quietly('direct', direct)).rate);
    log(`round ${r + 1}: queue ${f(rates.queue.at(-1)!)} mails/s, direct ${f(rates.direct.at(-1)!)} mails/s`);
  }

  // --- 2. register latency ------------------------------------------------------------
  // The worker stops first: this measures the enqueue in register's transaction, not the
  // sending (part 1), which would otherwise compete for the same two cores as bcrypt.
  await runner.stop();
  const { rows: def } = await db.root.query(
    `select pg_get_functiondef('app_private.enqueue_mail(text, text, jsonb)'::regprocedure) as def`,
  );
  const original = def[0].def as string;
  const noop = `create or replace function app_private.enqueue_mail(p_template text, p_to text, p_data jsonb default '{}') returns void
    language plpgsql volatile set search_path = pg_catalog, pg_temp as $$ begin end; $$`;
  cleanup(async () => {
    await db.root.query(original);
  });
  const auth = new pg.Client({ connectionString: db.cfg.authUrl });
  await auth.connect();
  cleanup(() => auth.end());
  let n = 0;
  const registerAs = async (address: string) => {
    const t0 = performance.now();
    await auth.query('begin');
    await auth.query(`select set_config('role', 'auth_edge', true)`);
    await auth.query(
      `select (app_hidden.register($1, 'a long random passphrase', 'Rita', '192.0.2.1', 'bench')).user_id`,
      [address],
    );
    await auth.query('commit');
    return performance.now() - t0;
  };
  const registerOnce = () => registerAs(`r${n++}@bench.example`);
  // Paired: registrations alternate between the two sides (the function swapped, untimed,
  // before each), so a change of load on the machine hits both sides alike.
  const paired = async () => {
    const ms = { with: [] as number[], without: [] as number[] };
    for (let i = 0; i < 2 * REGISTRATIONS; i++) {
      const side = i % 2 ? 'without' : 'with';
      await db.root.query(side === 'with' ? original : noop);
      ms[side].push(await registerOnce());
    }
    await db.root.query(original);
    return { with: median(ms.with), without: median(ms.without) };
  };
  const lat = { with: [] as number[], without: [] as number[] };
  await registerOnce(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const m = await quietly('register', paired);
    lat.with.push(m.with);
    lat.without.push(m.without);
    log(`round ${r + 1}: register p50 with outbox ${f(m.with)} ms, without ${f(m.without)} ms`);
  }

  // --- 3. M2: a taken address costs what a free one does -----------------------------------
  const taken = `taken@bench.example`;
  await registerAs(taken);
  const m2 = { free: [] as number[], taken: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    const m = await quietly('m2', async () => {
      const ms = { free: [] as number[], taken: [] as number[] };
      for (let i = 0; i < 2 * REGISTRATIONS; i++) {
        if (i % 2) ms.taken.push(await registerAs(taken));
        else ms.free.push(await registerOnce());
      }
      return { free: median(ms.free), taken: median(ms.taken) };
    });
    m2.free.push(m.free);
    m2.taken.push(m.taken);
    log(`round ${r + 1}: register p50 free address ${f(m.free)} ms, taken address ${f(m.taken)} ms`);
  }

  const q = median(rates.queue);
  const d = median(rates.direct);
  const w = median(lat.with);
  const wo = median(lat.without);
  const cost = (await db.root.query('select bcrypt_cost from app_private.auth_config')).rows[0].bcrypt_cost;
  log('');
  log(
    table(
      ['measure', 'value', 'target'],
      [
        [`queue (graphile-worker, concurrency ${CONCURRENCY})`, `${f(q)} mails/s`, ''],
        [`direct (nodemailer, ${CONCURRENCY} in flight)`, `${f(d)} mails/s`, ''],
        ['queue / direct', f(q / d, 2), '>= 0.80'],
        [`register p50 with outbox (bcrypt ${cost})`, `${f(w)} ms`, ''],
        ['register p50 without enqueue', `${f(wo)} ms`, ''],
        ['with / without', f(w / wo, 3), '<= 1.05'],
        ['M2: register p50 taken / free address', f(median(m2.taken) / median(m2.free), 3), 'reported'],
      ],
    ),
  );
  return q / d >= 0.8 && w / wo <= 1.05;
});
