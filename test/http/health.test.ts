// Issue 13, health: /healthz is liveness (the process answers, no database), /readyz is
// readiness (the database answers AND every committed migration is applied; 503 while
// stopping). Graceful stop (core/shutdown.ts, what server.ts runs on SIGTERM): readiness
// drops, no new connections, the request in flight finishes, WebSocket clients are told to go
// away (1001), then the pools close.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createApp } from '../../proxy/app.ts';
import { loadConfig } from '../../proxy/core/config.ts';
import { loadKeys } from '../../proxy/core/keys.ts';
import { GOING_AWAY, gracefulStop } from '../../proxy/core/shutdown.ts';
import { healthRoutes } from '../../proxy/middleware/health/index.ts';
import { freePort, signedIn, type TestServer, useServer } from './server.ts';

const srv = useServer();
let owner: pg.Client;
let root: pg.Client;
const EMPTY_DB = `pgauth_health_${process.pid}`;
beforeAll(async () => {
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  root = new pg.Client({ connectionString: process.env.TEST_ROOT_DATABASE_URL });
  await root.connect();
  await root.query(`drop database if exists ${EMPTY_DB}`);
  await root.query(`create database ${EMPTY_DB}`);
});
afterAll(async () => {
  await owner?.end();
  await root?.query(`drop database if exists ${EMPTY_DB}`);
  await root?.end();
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('probes', () => {
  it('/healthz is liveness: 200, no-store, whatever the database', async () => {
    const r = await fetch(`${srv.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.json()).toEqual({ status: 'ok' });
    // Even with the database unreachable (a pool to a closed port) liveness holds.
    const down = new pg.Pool({ host: '127.0.0.1', port: await freePort(), connectionTimeoutMillis: 2000 });
    down.on('error', () => {});
    const routes = healthRoutes({
      pool: down,
      ownerUrl: 'postgres://127.0.0.1:1/x',
      replica: null,
      draining: () => false,
    });
    expect((await routes.request('/healthz')).status).toBe(200);
    await down.end();
  });

  it('/readyz: 200 with the database up and every committed migration applied', async () => {
    const r = await fetch(`${srv.url}/readyz`);
    expect(r.status, await r.clone().text()).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ready', database: 'up', migrations: 'current' });
  });

  it('L1: /readyz is 503 when the database is unreachable, and when its migrations are behind this release', async () => {
    const down = new pg.Pool({ host: '127.0.0.1', port: await freePort(), connectionTimeoutMillis: 2000 });
    down.on('error', () => {});
    const unreachable = healthRoutes({
      pool: down,
      ownerUrl: 'postgres://127.0.0.1:1/x',
      replica: null,
      draining: () => false,
    });
    const r1 = await unreachable.request('/readyz');
    expect(r1.status).toBe(503);
    expect(await r1.json()).toMatchObject({ status: 'unavailable', database: 'down' });
    await down.end();

    // A reachable database that never saw a migration (an instance started before the release step).
    const url = new URL(process.env.TEST_ROOT_DATABASE_URL!);
    url.pathname = `/${EMPTY_DB}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    const behind = healthRoutes({ pool, ownerUrl: url.toString(), replica: null, draining: () => false });
    const r2 = await behind.request('/readyz');
    expect(r2.status).toBe(503);
    const body = (await r2.json()) as { database: string; migrations: { missing: number } };
    expect(body.database).toBe('up');
    expect(body.migrations.missing).toBeGreaterThan(0);
    await pool.end();
  });
});

describe('graceful stop', () => {
  it('L1/issue 13: readiness drops, new connections are refused, the request in flight completes, WebSockets get 1001, pools close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgauth-stop-'));
    const port = await freePort();
    const cfg = loadConfig({
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => /^[A-Z_]*DATABASE_URL$/.test(k))),
      PORT: String(port),
      PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
      JWT_KEYS_DIR: join(dir, 'keys'),
      DEV_SECRET_FILE: join(dir, 'csrf-secret'),
      OAUTH_REFRESH_INTERVAL_MS: '0',
      LOG_REQUESTS: 'false',
      GRAPHQL_WATCH: 'false',
      MAIL_WORKER: 'false',
    });
    const keys = await loadKeys(cfg.keysDir, { create: true, alg: cfg.jwtAlg });
    const edge = await createApp(cfg, keys);
    const wss = new WebSocketServer({ noServer: true });
    const server = serve({
      fetch: edge.app.fetch,
      port,
      hostname: '127.0.0.1',
      websocket: { server: wss },
    }) as Server;
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${port}`;
    try {
      const a = await signedIn({ url } as TestServer, 'stop');
      const doc = await a.client.gql<{ createDocument: { document: { rowId: string } } }>(
        `mutation { createDocument(input: { document: { fullUrl: "https://stop.example/" } }) { document { rowId } } }`,
      );
      const rowId = doc.data!.createDocument.document.rowId;

      // A WebSocket client (GraphQL over graphql-ws), open.
      const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws', { headers: { origin: url } });
      await new Promise<void>((res, rej) => {
        ws.once('open', () => res());
        ws.once('error', rej);
      });
      const wsClosed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
      ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));

      // A request in flight: its UPDATE waits on a row the test holds.
      await owner.query('begin');
      await owner.query('select 1 from app_public.documents where id = $1 for update', [rowId]);
      const id = 'health-inflight-0001';
      const pending = a.client.gql(
        `mutation ($r: UUID!) { updateDocumentByRowId(input: { rowId: $r, documentPatch: { comment: "drained" } }) { document { comment } } }`,
        { r: rowId },
        { headers: { 'x-request-id': id } },
      );
      let waiting = false;
      for (let i = 0; i < 2000 && !waiting; i++) {
        const { rows } = await root.query(
          `select 1 from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`,
          [id],
        );
        waiting = rows.length > 0;
      }
      expect(waiting, 'the request never reached the database').toBe(true);

      const stopped = gracefulStop({ server, wss, edge }, 30_000);
      expect(await wsClosed).toBe(GOING_AWAY);
      expect(await listening(port)).toBe(false);
      const ready = await edge.app.request('/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'stopping' });

      await owner.query('rollback');
      const done = await pending;
      expect(done.status, done.raw).toBe(200);
      expect(done.data).toEqual({ updateDocumentByRowId: { document: { comment: 'drained' } } });
      await stopped;
      expect(edge.pool.totalCount).toBe(0);
      expect((edge.pool as pg.Pool & { ended: boolean }).ended).toBe(true);
    } finally {
      await owner.query('rollback').catch(() => {});
      if (server.listening) {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
        await edge.close().catch(() => {});
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
