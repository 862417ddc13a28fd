/**
 * `npm start`: runs the whole product in one process. With no database configured it starts
 * an embedded PostgreSQL in .data/ and sets it up; with ROOT_DATABASE_URL it sets up that
 * server; with only DATABASE_URL/AUTH_DATABASE_URL it migrates (owner) and connects.
 * Creates a signing key on first start in development. SIGINT or SIGTERM stops the server
 * and the embedded database; so does a crash.
 */
import { serve } from '@hono/node-server';
import { migrate } from 'graphile-migrate';
import { WebSocketServer } from 'ws';
import { migrateSettings } from '../db/scripts/migrate-settings.ts';
import { setup } from '../db/scripts/setup.ts';
import { loadConfig, withDatabase } from './core/config.ts';
import { type EmbeddedDb, startEmbedded } from './core/embedded.ts';
import { loadKeys } from './core/keys.ts';

let embedded: EmbeddedDb | undefined;

async function main(): Promise<void> {
  let cfg = loadConfig();
  process.env.GRAPHILE_ENV ??= cfg.production ? 'production' : 'development';
  if (cfg.databaseMode === 'embedded') {
    embedded = await startEmbedded('.data', cfg.embeddedPgPort);
    cfg = withDatabase(cfg, embedded.rootUrl);
    console.log('embedded PostgreSQL running (data in .data/pg)');
  }
  if (cfg.databaseMode === 'root') await setup(cfg.db, { current: !cfg.production, log: (s) => console.log(s) });
  else await migrate(migrateSettings(cfg.db));

  const keys = await loadKeys(cfg.keysDir, { create: !cfg.production });
  const { createApp } = await import('./app.ts');
  const edge = await createApp(cfg, keys);
  const wss = new WebSocketServer({ noServer: true });
  const server = serve({ fetch: edge.app.fetch, port: cfg.port, websocket: { server: wss } });
  const aliases = cfg.production ? '' : ' (and its loopback aliases)';
  console.log(
    `pgauth listening on ${cfg.publicOrigin}${aliases}: GraphQL at /graphql${cfg.production ? '' : ', IDE at /graphiql'}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping...`);
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((res) => server.close(() => res()));
    await edge.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Never leave the embedded PostgreSQL behind: a crash stops it before exiting. */
async function crash(e: unknown): Promise<never> {
  console.error(e instanceof Error ? e.message : e);
  await embedded?.stop().catch(() => {});
  process.exit(1);
}
process.on('uncaughtException', (e) => void crash(e));
process.on('unhandledRejection', (e) => void crash(e));

main().catch(crash);
