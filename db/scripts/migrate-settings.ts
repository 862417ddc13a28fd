import { fileURLToPath } from 'node:url';
import type { Settings } from 'graphile-migrate';
import type { DbConfig } from './config.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * graphile-migrate settings built from the one DbConfig, so the CLI wrapper, `db:setup` and
 * the tests cannot disagree. Role names reach the SQL as placeholders.
 */
export function migrateSettings(cfg: DbConfig): Settings {
  return {
    connectionString: cfg.ownerUrl,
    shadowConnectionString: cfg.shadowUrl,
    rootConnectionString: cfg.rootUrl,
    databaseOwner: cfg.ownerRole,
    migrationsFolder: MIGRATIONS_FOLDER,
    placeholders: {
      ':DATABASE_OWNER': cfg.ownerRole,
      ':DATABASE_AUTHENTICATOR': cfg.authRole,
    },
  };
}
