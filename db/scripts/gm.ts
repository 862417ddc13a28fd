/**
 * graphile-migrate with settings from the environment (see config.ts), so there is no .gmrc
 * to drift from the other tools:
 *
 *   npm run db:migrate                committed migrations (`-- --current`: then current/ once)
 *   npm run db:watch                  committed, then current/ on every save
 *   npm run db:commit -- "message"    current/ -> committed/NNNNNN-<slug-of-message>.sql, then
 *                                     db/schema.sql and db/schema/ from the rebuilt shadow
 *   npm run db:uncommit               the last committed migration back into current/
 */
import { commit, migrate, uncommit, watch } from 'graphile-migrate';
import { dbConfigFromEnv } from './config.ts';
import { writeDumps } from './dump.ts';
import { migrateSettings } from './migrate-settings.ts';
import { harden } from './setup.ts';

const cfg = dbConfigFromEnv();
const settings = migrateSettings(cfg);
const [command, ...rest] = process.argv.slice(2);
const flags = new Set(rest.filter((a) => a.startsWith('--')));
const message = rest.find((a) => !a.startsWith('--'));
const actions: Record<string, () => Promise<void>> = {
  // `watch` once = migrate, then run current/ once.
  migrate: () => (flags.has('--current') ? watch(settings, true) : migrate(settings)),
  watch: () => watch(settings, flags.has('--once')),
  commit: async () => {
    // Without a message graphile-migrate falls back to a `--! Message:` header in current/.
    await commit(settings, message);
    // commit() rebuilt the shadow database from committed migrations alone: with the root
    // hardening setup applies, it is exactly what a fresh install gets.
    await harden(cfg, new URL(cfg.shadowUrl).pathname.slice(1));
    for (const file of writeDumps(cfg.shadowUrl)) console.log(`wrote ${file}`);
    console.log('db/schema.sql and db/schema/ rewritten from the shadow database: commit them with the migration');
  },
  uncommit: () => uncommit(settings),
};
const action = command ? actions[command] : undefined;
if (!action) {
  console.error(`usage: gm.ts ${Object.keys(actions).join('|')} [--once|--current] ["commit message"]`);
  process.exit(2);
}
action().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
