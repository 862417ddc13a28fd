/**
 * graphile-migrate with settings from the environment (see config.ts), so there is no .gmrc
 * to drift from the other tools: `npm run db:watch | db:commit | db:uncommit | db:migrate`.
 */
import { commit, migrate, uncommit, watch } from 'graphile-migrate';
import { dbConfigFromEnv } from './config.ts';
import { migrateSettings } from './migrate-settings.ts';

const settings = migrateSettings(dbConfigFromEnv());
const [command, ...rest] = process.argv.slice(2);
const once = rest.includes('--once');
const actions: Record<string, () => Promise<void>> = {
  migrate: () => migrate(settings),
  watch: () => watch(settings, once),
  commit: () => commit(settings, rest.find((a) => !a.startsWith('--')) ?? null),
  uncommit: () => uncommit(settings),
};
const action = command ? actions[command] : undefined;
if (!action) {
  console.error(`usage: gm.ts ${Object.keys(actions).join('|')} [--once] [message]`);
  process.exit(2);
}
action().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
