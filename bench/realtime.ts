/**
 * `npm run bench:realtime`: what the re-read under RLS costs realtime delivery (P2).
 *
 * Seeds N subscribers (BENCH_SUBSCRIBERS, 100 users, each with a live session) who see one
 * document through a group share (so every change reaches every one of them, and the re-read
 * walks the group membership as a real policy does). Each subscriber holds a graphql-ws
 * socket with `subscription { documentChanged { kind documentId } }`, authenticated with a
 * bearer token in connection_init. The writer updates the document as the superuser (the
 * triggers NOTIFY id and kind). Two servers, each the real edge (createApp) in its own child
 * process, measured one after the other in the same run:
 *   recheck    the product: every event re-read for every subscriber, as that subscriber,
 *              under RLS (app_hidden.realtime_document_events), events queued meanwhile
 *              re-read together;
 *   norecheck  the same path with the re-read replaced by "deliver everything" (a
 *              measurement-only switch of createApp, never set by the server).
 * Throughput: BENCH_EVENTS updates (1,000) committed as fast as 4 connections can, events/s
 * delivered = N x events / (first commit to last delivery). Latency: 200 updates one at a
 * time (the next once every subscriber has the previous one), from just before the UPDATE
 * (autocommit: its commit) to each subscriber's receipt, p50/p99 over all deliveries.
 * Targets: recheck >= 0.5 x norecheck events/s; recheck p99 <= 50 ms at 100 subscribers.
 * Exit 1 when one is missed. Each measurement waits for a quiet machine (bench/lib.ts).
 * Uses ROOT_DATABASE_URL when set (database `pgauth_bench_realtime`), else a throwaway cluster.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Client as WsClient, createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';
import { type DbConfig, dbEnv, rootUrlFor } from '../db/scripts/config.ts';
import { createApp } from '../proxy/app.ts';
import { loadConfig } from '../proxy/core/config.ts';
import { loadKeys } from '../proxy/core/keys.ts';
import { signAccessToken, type TokenSettings } from '../proxy/core/tokens.ts';
import {
  ACCESS_TTL_SECONDS,
  f,
  log,
  makeSecrets,
  percentile,
  prepareDatabase,
  quietly,
  run,
  type Secrets,
  table,
} from './lib.ts';

type Variant = 'recheck' | 'norecheck';
const N = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const LATENCY_EVENTS = 200;
const WRITERS = 4;
const DOC = "md5('rt-doc')::uuid";

const SEED = `
set session_replication_role = replica;
insert into app_public.users (id, email) select md5('rt-user' || n)::uuid, 'rt' || n || '@bench.example' from generate_series(0, ${N}) n;
insert into app_public.groups (id, name) values (md5('rt-group')::uuid, 'subscribers');
insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
  select 'user', md5('rt-user' || n)::uuid, 'member', 'group', md5('rt-group')::uuid from generate_series(1, ${N}) n;
insert into app_public.documents (id, owner_id, full_url, short_url, created_at)
  values (${DOC}, md5('rt-user0')::uuid, 'https://example.com/rt', 'rt1', timestamptz '2026-01-01');
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at) values
  (${DOC}, 'user', md5('rt-user0')::uuid, 'owner', timestamptz '2026-01-01'),
  (${DOC}, 'group', md5('rt-group')::uuid, 'viewer', timestamptz '2026-01-01');
insert into app_private.sessions (id, user_id, expires_at)
  select md5('rt-session' || n)::uuid, md5('rt-user' || n)::uuid, now() + interval '1 day' from generate_series(1, ${N}) n;
set session_replication_role = origin;
`;

// ---------------------------------------------------------------------------------------
// The server under test (this file, forked with BENCH_REALTIME_SERVER set)

async function serverMain(variant: Variant): Promise<void> {
  const probe = serve({ fetch: () => new Response(''), port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => probe.once('listening', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const origin = `http://127.0.0.1:${port}`;
  const cfg = loadConfig({ ...process.env, PORT: String(port), PUBLIC_ORIGIN: origin });
  const keys = await loadKeys(cfg.keysDir, { create: false });
  const edge = await createApp(cfg, keys, { realtimeUnsafeNoRecheck: variant === 'norecheck' });
  const wss = new WebSocketServer({ noServer: true });
  const server = serve({ fetch: edge.app.fetch, port, hostname: '127.0.0.1', websocket: { server: wss } });
  await new Promise((r) => server.once('listening', r));
  const stop = async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise((r) => server.close(r));
    await edge.close();
    process.exit(0);
  };
  process.on('message', (m) => m === 'stop' && void stop());
  process.on('disconnect', () => void stop());
  process.send?.({ url: `ws://127.0.0.1:${port}/graphql`, origin });
}

interface Server {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

async function startServer(variant: Variant, db: DbConfig, secrets: Secrets): Promise<Server> {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, [], {
    env: {
      ...process.env,
      ...dbEnv(db),
      BENCH_REALTIME_SERVER: variant,
      JWT_KEYS_DIR: secrets.keysDir,
      CSRF_SECRET: secrets.csrfSecret.toString('hex'),
      ACCESS_TOKEN_TTL: String(ACCESS_TTL_SECONDS),
      LOG_REQUESTS: 'false',
      MAIL_WORKER: 'false',
      GRAPHQL_WATCH: 'false',
      // Every subscriber connects from loopback.
      REALTIME_CONNECTIONS_PER_MINUTE: '1000000',
      GRAPHILE_ENV: process.env.GRAPHILE_ENV ?? 'production',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const { url, origin } = await new Promise<{ url: string; origin: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; origin: string }));
    child.once('exit', (code) => reject(new Error(`${variant} server exited with code ${code}`)));
  });
  return {
    url,
    origin,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send('stop');
      const t = setTimeout(kill, 10_000);
      await exited;
      clearTimeout(t);
      process.off('exit', kill);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Subscribers and the writer

interface Subscribers {
  /** Resolves when every subscriber has received `count` events since the last reset. */
  received(count: number): Promise<void>;
  /** Receipt times (performance.now()) of the events since the last reset, per subscriber. */
  times: number[][];
  reset(): void;
  close(): Promise<void>;
}

async function subscribe(server: Server, tokens: string[]): Promise<Subscribers> {
  const times: number[][] = tokens.map(() => []);
  let waiter: { count: number; resolve: () => void } | null = null;
  let done = 0;
  const check = () => {
    if (waiter && done === tokens.length) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  };
  const clients: WsClient[] = [];
  await Promise.all(
    tokens.map(
      (token, i) =>
        new Promise<void>((ready, fail) => {
          class Ws extends WebSocket {
            constructor(url: string, protocols?: string | string[]) {
              super(url, protocols, { headers: { origin: server.origin } });
            }
          }
          const client = createClient({
            url: server.url,
            webSocketImpl: Ws,
            retryAttempts: 0,
            connectionParams: { authorization: `Bearer ${token}` },
          });
          clients.push(client);
          client.subscribe<{ documentChanged: { kind: string } }>(
            { query: 'subscription { documentChanged { kind documentId } }' },
            {
              next: (r) => {
                if (r.data?.documentChanged.kind === 'SUBSCRIBED') return ready();
                const t = times[i]!;
                t.push(performance.now());
                if (waiter && t.length === waiter.count) {
                  done++;
                  check();
                }
              },
              error: (e) => fail(new Error(`subscriber ${i}: ${JSON.stringify(e)}`)),
              complete: () => {},
            },
          );
        }),
    ),
  );
  return {
    times,
    received(count) {
      return new Promise((resolve, reject) => {
        done = times.filter((t) => t.length >= count).length;
        waiter = { count, resolve };
        const t = setTimeout(
          () => reject(new Error(`events missing after 120 s (${done}/${tokens.length} done)`)),
          120_000,
        );
        const ok = resolve;
        waiter.resolve = () => {
          clearTimeout(t);
          ok();
        };
        check();
      });
    },
    reset() {
      for (const t of times) t.length = 0;
      done = 0;
    },
    async close() {
      for (const c of clients) await c.dispose();
    },
  };
}

async function throughput(subs: Subscribers, writers: pg.Client[]): Promise<{ eventsPerSecond: number }> {
  subs.reset();
  const all = subs.received(EVENTS);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    writers.map(async (w) => {
      while (next < EVENTS) {
        const i = next++;
        await w.query(`update app_public.documents set comment = $1 where id = ${DOC}`, [`t${i}`]);
      }
    }),
  );
  await all;
  const last = Math.max(...subs.times.map((t) => t[t.length - 1]!));
  return { eventsPerSecond: (N * EVENTS) / ((last - t0) / 1000) };
}

async function latency(subs: Subscribers, writer: pg.Client): Promise<{ p50: number; p99: number }> {
  subs.reset();
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const got = subs.received(i + 1);
    const t0 = performance.now();
    await writer.query(`update app_public.documents set comment = $1 where id = ${DOC}`, [`l${i}`]);
    await got;
    for (const t of subs.times) lat.push(t[i]! - t0);
  }
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

/** PostgreSQL's md5(text)::uuid (the seed's ids). */
function md5Uuid(s: string): string {
  const h = createHash('md5').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---------------------------------------------------------------------------------------

async function main(cleanup: (fn: () => Promise<void>) => void): Promise<boolean> {
  const db = await prepareDatabase('pgauth_bench_realtime');
  cleanup(() => db.close());
  await db.root.query(SEED);
  const secrets = await makeSecrets();
  cleanup(async () => secrets.remove());
  const writers = await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const c = new pg.Client({ connectionString: rootUrlFor(db.cfg, db.cfg.dbName) });
      await c.connect();
      return c;
    }),
  );
  cleanup(async () => {
    for (const w of writers) await w.end();
  });
  log(`${N} subscribers, ${EVENTS} events (throughput), ${LATENCY_EVENTS} events one at a time (latency)`);

  const results = new Map<Variant, { eventsPerSecond: number; p50: number; p99: number; foreign: number }>();
  for (const variant of ['norecheck', 'recheck'] as Variant[]) {
    const server = await startServer(variant, db.cfg, secrets);
    try {
      const tokens: TokenSettings = { issuer: server.origin, audience: 'pgauth', ttlSeconds: ACCESS_TTL_SECONDS };
      const jwts = await Promise.all(
        Array.from({ length: N }, (_, k) =>
          signAccessToken(secrets.keys, tokens, {
            sub: md5Uuid(`rt-user${k + 1}`),
            sid: md5Uuid(`rt-session${k + 1}`),
            role: 'app_user',
          }),
        ),
      );
      const subs = await subscribe(server, jwts);
      try {
        // Warm-up: JIT, pool connections, plans.
        await throughput(subs, writers);
        const t = await quietly(`${variant} throughput`, () => throughput(subs, writers));
        const l = await quietly(`${variant} latency`, () => latency(subs, writers[0]!));
        results.set(variant, { ...t, ...l, foreign: Math.max(t.foreign, l.foreign) });
        log(`${variant}: ${f(t.eventsPerSecond, 0)} events/s, p50 ${f(l.p50, 1)} ms, p99 ${f(l.p99, 1)} ms`);
      } finally {
        await subs.close();
      }
    } finally {
      await server.stop();
    }
  }

  const base = results.get('norecheck')!;
  const rc = results.get('recheck')!;
  const ratio = rc.eventsPerSecond / base.eventsPerSecond;
  console.log(
    table(
      ['variant', 'events/s', 'x norecheck', 'p50 ms', 'p99 ms', 'p99 x norecheck', 'other load (cores)'],
      [
        ['norecheck', f(base.eventsPerSecond, 0), '1.00', f(base.p50, 1), f(base.p99, 1), '1.00', f(base.foreign, 2)],
        [
          'recheck',
          f(rc.eventsPerSecond, 0),
          f(ratio, 2),
          f(rc.p50, 1),
          f(rc.p99, 1),
          f(rc.p99 / base.p99, 2),
          f(rc.foreign, 2),
        ],
      ],
    ),
  );
  const okRatio = ratio >= 0.5;
  const okP99 = rc.p99 <= 50;
  console.log(`target events/s recheck >= 0.5 x norecheck: ${f(ratio, 2)} ${okRatio ? 'ok' : 'MISSED'}`);
  console.log(`target p99 <= 50 ms at ${N} subscribers: ${f(rc.p99, 1)} ms ${okP99 ? 'ok' : 'MISSED'}`);
  return okRatio && okP99;
}

if (process.env.BENCH_REALTIME_SERVER) {
  serverMain(process.env.BENCH_REALTIME_SERVER as Variant).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  run(main);
}
