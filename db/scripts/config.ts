/**
 * Database connection convention (the graphile/starter one):
 *
 * - ROOT_DATABASE_URL   a superuser; used only by `db:setup` to create roles and databases.
 * - DATABASE_URL        the owner role; owns every object and runs migrations.
 * - AUTH_DATABASE_URL   the login role the server connects with (no privileges of its own,
 *                       can only become the request roles).
 * - SHADOW_DATABASE_URL the owner's scratch database graphile-migrate uses to check commits.
 *
 * When only ROOT_DATABASE_URL is given (tests, `npm start` on the embedded cluster) the other
 * three are derived from it with development passwords; production sets all four.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface DbConfig {
  rootUrl: string;
  ownerUrl: string;
  authUrl: string;
  shadowUrl: string;
  ownerRole: string;
  authRole: string;
  dbName: string;
}

/** The request roles the login role may become; nothing else. Created by db/roles.sql (keep in step). */
export const REQUEST_ROLES = ['anonymous', 'app_user', 'manager', 'admin', 'bot'] as const;
export type RequestRole = (typeof REQUEST_ROLES)[number];

/** The role the edge switches to for its own entry points (never a request role); db/roles.sql. */
export const EDGE_ROLE = 'auth_edge';

/** `npm start`'s embedded cluster (port and generated password in .data/), so db:* scripts
 * work against it with nothing configured while it runs. */
function embeddedRoot(env: NodeJS.ProcessEnv): string {
  const file = `${(env.DATA_DIR || '.data').replace(/\/+$/, '')}/pg-password`;
  const password = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const port = env.EMBEDDED_PG_PORT ?? '54329';
  return `postgres://postgres${password ? `:${encodeURIComponent(password)}` : ''}@127.0.0.1:${port}/postgres`;
}

function withCredentials(base: string, user: string, password: string, db: string): string {
  const u = new URL(base);
  u.username = user;
  u.password = password;
  u.pathname = `/${db}`;
  return u.toString();
}

/** Reads the four URLs from the environment, deriving missing ones from ROOT_DATABASE_URL. */
export function dbConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DbConfig {
  const rootUrl = env.ROOT_DATABASE_URL || embeddedRoot(env);
  const dbName = env.DATABASE_NAME || 'pgauth';
  const ownerUrl =
    env.DATABASE_URL ||
    withCredentials(rootUrl, 'pgauth_owner', env.DATABASE_OWNER_PASSWORD || 'pgauth_owner_dev', dbName);
  const authUrl =
    env.AUTH_DATABASE_URL ||
    withCredentials(rootUrl, 'pgauth_authenticator', env.DATABASE_AUTHENTICATOR_PASSWORD || 'pgauth_auth_dev', dbName);
  const owner = new URL(ownerUrl);
  const shadowUrl =
    env.SHADOW_DATABASE_URL ||
    withCredentials(
      ownerUrl,
      decodeURIComponent(owner.username),
      decodeURIComponent(owner.password),
      `${dbName}_shadow`,
    );
  return {
    rootUrl,
    ownerUrl,
    authUrl,
    shadowUrl,
    ownerRole: decodeURIComponent(owner.username),
    authRole: decodeURIComponent(new URL(authUrl).username),
    dbName: new URL(ownerUrl).pathname.slice(1),
  };
}

/** The four variables, for handing a configuration to a child process. */
export function dbEnv(cfg: DbConfig): Record<string, string> {
  return {
    ROOT_DATABASE_URL: cfg.rootUrl,
    DATABASE_URL: cfg.ownerUrl,
    AUTH_DATABASE_URL: cfg.authUrl,
    SHADOW_DATABASE_URL: cfg.shadowUrl,
  };
}

/** `cfg.rootUrl` pointed at another database (the superuser inside our database). */
export function rootUrlFor(cfg: DbConfig, db: string): string {
  const u = new URL(cfg.rootUrl);
  u.pathname = `/${db}`;
  return u.toString();
}
