/**
 * One server under test for the HTTP benchmarks, in its own child process (forked by
 * bench/lib.ts startServer): the load generator never shares its event loop, and process-wide
 * state of one variant (the edge's AsyncLocalStorage turns on promise hooks for every promise
 * in the process) cannot slow another.
 *
 * BENCH_SERVER_KIND selects the variant:
 * - edge:     the real edge, started as test/http/server.ts starts it (loadConfig, loadKeys,
 *             createApp, @hono/node-server).
 * - bareNode: PostGraphile alone: the same preset the edge builds (createPostGraphile: same
 *             plugins, pool and pgSettings derivation) whose context is the fixed identity in
 *             BENCH_BARE_IDENTITY, served by grafserv's node:http adapter. No Hono, cookies,
 *             JWT, CSRF or headers middleware.
 * - bareHono: the same fixed-identity PostGraphile on @hono/node-server with grafserv's Hono
 *             adapter and no middleware: separates the Hono stack from the edge's middleware.
 * BENCH_ADAPTOR=stock gives a bare variant @dataplan/pg's own adaptor (begin, settings,
 * statement, commit per operation) instead of proxy/core/db.ts's: the code as it was.
 *
 * Sends { url, origin } over IPC when listening; exits on 'stop' or disconnect.
 * BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of the process (open it in Chrome
 * DevTools) to <dir>/<kind>-<pid>.cpuprofile on stop.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Hono } from 'hono';
import { serve, upgradeWebSocket } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { grafserv as nodeGrafserv } from 'postgraphile/grafserv/node';
import { grafserv as honoGrafserv } from 'postgraphile/grafserv/hono/v4';
import { loadConfig } from '../proxy/core/config.ts';
import { loadKeys } from '../proxy/core/keys.ts';
import { createApp } from '../proxy/app.ts';
import { createPool } from '../proxy/core/db.ts';
import { PasswordPlugin } from '../proxy/features/password/plugin.ts';
import { SessionsPlugin } from '../proxy/features/sessions/plugin.ts';
import { createPostGraphile } from '../proxy/graphql/preset.ts';
import { makePgService } from 'postgraphile/adaptors/pg';
import { AuthError } from '../proxy/core/errors.ts';
import { type AuthRequest, type Identity, newOutcome } from '../proxy/core/request.ts';

const HOST = '127.0.0.1';
export type ServerKind = 'edge' | 'bareNode' | 'bareHono';

interface Listener {
  close(cb: () => void): unknown;
  once(ev: 'listening', cb: () => void): unknown;
  address(): unknown;
}

async function listening(server: Listener): Promise<number> {
  await new Promise<void>((r) => server.once('listening', r));
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  const kind = process.env.BENCH_SERVER_KIND as ServerKind;
  const closers: (() => Promise<void>)[] = [];

  // The issuer must equal the origin clients use, so the port is chosen first.
  const probe = serve({ fetch: () => new Response(''), port: 0, hostname: HOST });
  const port = await listening(probe);
  await new Promise((r) => probe.close(r));
  const origin = `http://${HOST}:${port}`;
  const cfg = loadConfig({ ...process.env, PORT: String(port), PUBLIC_ORIGIN: origin });

  if (kind === 'edge') {
    const keys = await loadKeys(cfg.keysDir, { create: false });
    const edge = await createApp(cfg, keys);
    const wss = new WebSocketServer({ noServer: true });
    const server = serve({ fetch: edge.app.fetch, port, hostname: HOST, websocket: { server: wss } });
    await listening(server);
    closers.push(
      () => new Promise((r) => server.close(() => r())),
      () => edge.close(),
    );
  } else {
    const identity = JSON.parse(process.env.BENCH_BARE_IDENTITY!) as Identity;
    // What the edge puts on the context for a cookie request with a valid CSRF token.
    const auth: AuthRequest = {
      identity,
      ip: HOST,
      userAgent: null,
      bodyDelivery: false,
      refreshCookie: null,
      csrfSessionId: identity.sessionId,
      canAuthenticate: false,
      issue: () => Promise.reject(new AuthError('BADREQ')),
      clear: () => {},
    };
    const pool = createPool(cfg.db.authUrl, cfg.dbPoolMax);
    const gql = createPostGraphile({
      cfg,
      pool,
      plugins: [SessionsPlugin, PasswordPlugin],
      credentialMutations: new Set(),
      requestState: async () => ({ auth, outcome: newOutcome() }),
      ...(process.env.BENCH_ADAPTOR === 'stock'
        ? { pgService: (p: typeof pool, schemas: string[]) => makePgService({ pool: p, schemas }) }
        : {}),
    });
    if (kind === 'bareNode') {
      const server = createServer();
      await gql.pgl.createServ(nodeGrafserv).addTo(server);
      server.listen(port, HOST);
      await listening(server);
      closers.push(() => new Promise((r) => server.close(() => r())));
    } else {
      const app = new Hono();
      await gql.pgl.createServ((config) => honoGrafserv(config as never, upgradeWebSocket)).addTo(app as never);
      const wss = new WebSocketServer({ noServer: true });
      const server = serve({ fetch: app.fetch, port, hostname: HOST, websocket: { server: wss } });
      await listening(server);
      closers.push(() => new Promise((r) => server.close(() => r())));
    }
    closers.push(
      () => gql.release(),
      () => pool.end(),
    );
  }

  const profileDir = process.env.BENCH_CPU_PROFILE;
  if (profileDir) {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    closers.unshift(async () => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(profileDir, `${kind}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    });
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const c of closers) await c().catch((e) => console.error(e));
    process.exit(0);
  };
  process.on('message', (m) => {
    if (m === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send!({ url: origin, origin });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
