/**
 * `npm start`: runs the whole product in one process. With no database configured it starts
 * an embedded PostgreSQL in .data/ and sets it up; with ROOT_DATABASE_URL it sets up that
 * server; with only DATABASE_URL/AUTH_DATABASE_URL it migrates (owner) and connects.
 * Creates a signing key on first start in development. Ctrl-C stops everything.
 */
import { WebSocketServer } from 'ws';
import { serve } from '@hono/node-server';
import { migrate } from 'graphile-migrate';
import { dbConfigFromEnv } from '../db/scripts/config.ts';
import { migrateSettings } from '../db/scripts/migrate-settings.ts';
import { setup } from '../db/scripts/setup.ts';
import { loadConfig } from './config.ts';
import { startEmbedded, type EmbeddedDb } from './embedded.ts';
import { loadKeys } from './keys.ts';

async function main(): Promise<void> {
  const cfg = loadConfig();
  process.env.GRAPHILE_ENV ??= cfg.production ? 'production' : 'development';
  const env = { ...process.env };
  let embedded: EmbeddedDb | undefined;
  if (!env.ROOT_DATABASE_URL && !env.AUTH_DATABASE_URL) {
    if (cfg.production) throw new Error('production needs ROOT_DATABASE_URL or DATABASE_URL + AUTH_DATABASE_URL');
    embedded = await startEmbedded();
    env.ROOT_DATABASE_URL = embedded.rootUrl;
    console.log('embedded PostgreSQL running (data in .data/pg)');
  }
  const db = dbConfigFromEnv(env);
  if (env.ROOT_DATABASE_URL) await setup(db, { current: !cfg.production, log: (s) => console.log(s) });
  else if (env.DATABASE_URL) await migrate(migrateSettings(db));

  const keys = await loadKeys(cfg.keysDir, { create: !cfg.production });
  const { createApp } = await import('./app.ts');
  const edge = await createApp(cfg, keys, db.authUrl);
  const wss = new WebSocketServer({ noServer: true });
  const server = serve({ fetch: edge.app.fetch, port: cfg.port, websocket: { server: wss } });
  console.log(
    `pgauth listening on ${cfg.publicOrigin}: GraphQL at /graphql${cfg.production ? '' : ', IDE at /graphiql'}`,
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    await new Promise<void>((res) => server.close(() => res()));
    for (const ws of wss.clients) ws.terminate();
    await edge.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
