/**
 * The login role's connection pool, and statements run outside GraphQL with the same
 * transaction-local settings PostGraphile applies: role and claims from the verified
 * identity only (B1, B2). `asEdge` is the edge's own narrow path to its entry points
 * (login, refresh, OAuth sign-in, denial records, the provider-token lease): the login role
 * switches to `auth_edge`, which no request role can become or call (db/CONVENTIONS.md).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import type { PgClientQuery, PgClientResult, WithPgClient } from 'postgraphile/@dataplan/pg';
import { makePgService, type NodePostgresPgClient } from 'postgraphile/adaptors/pg';
import { EDGE_ROLE } from '../../db/scripts/config.ts';
import type { DbPoolMode } from './config.ts';
import type { Identity } from './request.ts';

// Clients of a pool behind a transaction pooler (DATABASE_POOL_MODE=transaction, PgBouncer):
// consecutive transactions of one client may reach different server connections, so nothing
// may outlive a transaction: no named prepared statements (every statement is parsed unnamed
// in its own flight), no session-level SET.
const transactionPooled = new WeakSet<object>();

export function createPool(url: string, max: number, mode: DbPoolMode = 'session'): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  // A client losing its server (pg_terminate_backend, a primary restart, a cut link) must never
  // end the process (L1). pg emits 'error' on the client, and pg-pool listens only while the
  // client is idle (re-emitting it here); a client in use, PostGraphile's included, would throw
  // an uncaught exception. Every client therefore gets a listener for life. The query in
  // flight rejects with the same error, which the request answers as 503 UNAVAILABLE, and
  // pg-pool discards the client when it is released (no longer queryable).
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    if (mode === 'transaction') transactionPooled.add(client);
  });
  return pool;
}

type Who = Identity | Pick<Identity, 'role'> | null;

// ---------------------------------------------------------------------------------------
// One statement with its settings in one round trip (B1)
//
// Settings are applied with set_config(..., true): local to the transaction. Instead of
// `begin`, settings, statement, `commit` (four round trips, the settings statement parsed and
// planned every time), the settings statement (prepared once per connection) and the
// statement are sent together and followed by a single Sync: PostgreSQL runs both in one
// implicit transaction that ends at the Sync, committing the statement and discarding the
// settings. If the settings fail, the statement is skipped; if the statement fails, both are
// rolled back. A connection is only returned to the pool idle (not in a transaction).

/** `select pg_catalog.set_config('role', $1, true), ...` for one set of keys, named by its text. */
interface SettingsStatement {
  name: string;
  text: string;
}

const settingsStatements = new Map<string, SettingsStatement>();

function settingsStatement(keys: readonly string[]): SettingsStatement {
  const id = keys.join('\n');
  let s = settingsStatements.get(id);
  if (!s) {
    const text = `select ${keys.map((k, i) => `pg_catalog.set_config(${pg.escapeLiteral(k)}, $${i + 1}, true)`).join(', ')}`;
    s = { name: `pgauth_settings_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text };
    // The key sets are the edge's own (a handful); never let a caller grow this map.
    if (settingsStatements.size > 32) settingsStatements.clear();
    settingsStatements.set(id, s);
  }
  return s;
}

/** The parts of pg's Connection and Query that a pipelined query drives (pg 8, lib/query.js). */
interface Wire {
  parsedStatements: Record<string, string>;
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { statement: string; values: unknown[] }): void;
  execute(config: { portal: string }): void;
}
interface QueryInternals {
  prepare(connection: Wire): void;
  handleDataRow(msg: unknown): void;
  handleCommandComplete(msg: unknown, connection: Wire): void;
}
type QueryClass = new (
  config: pg.QueryConfig & { rowMode?: 'array'; queryMode?: 'extended' },
) => pg.Query & QueryInternals & { callback?: (err: Error | undefined, res: pg.QueryResult) => void };

/**
 * A query preceded, in the same flight, by Bind/Execute of a prepared settings statement. Its
 * result (one row, one CommandComplete) is swallowed; the rest is pg's own Query.
 */
class WithSettings extends (pg.Query as unknown as QueryClass) {
  #settings: { name: string; values: string[]; text?: string };
  #settingsDone = false;

  /** With `settings.text`, the settings statement is parsed unnamed in the same flight. */
  constructor(
    config: pg.QueryConfig & { rowMode?: 'array' },
    settings: { name: string; values: string[]; text?: string },
  ) {
    // Always the extended protocol, even without parameters: the simple one cannot pipeline.
    super({ ...config, queryMode: 'extended' });
    this.#settings = settings;
  }

  override prepare(connection: Wire): void {
    if (this.#settings.text !== undefined) connection.parse({ text: this.#settings.text, name: '', types: [] });
    connection.bind({ statement: this.#settings.name, values: this.#settings.values });
    connection.execute({ portal: '' });
    super.prepare(connection);
  }

  override handleDataRow(msg: unknown): void {
    if (this.#settingsDone) super.handleDataRow(msg);
  }

  override handleCommandComplete(msg: unknown, connection: Wire): void {
    if (this.#settingsDone) super.handleCommandComplete(msg, connection);
    else this.#settingsDone = true;
  }
}

type Settings = readonly (readonly [string, string])[];

/**
 * Runs `query` as its own transaction with `settings` transaction-local: one round trip once
 * the settings statement is prepared on this connection (the first use prepares it by running
 * it alone, in a transaction of its own that changes nothing).
 */
async function oneShot<T extends pg.QueryResultRow>(
  client: pg.PoolClient,
  settings: Settings,
  query: pg.QueryConfig & { rowMode?: 'array' },
): Promise<pg.QueryResult<T>> {
  const stmt = settingsStatement(settings.map(([k]) => k));
  const values = settings.map(([, v]) => v);
  const wire = (client as unknown as { connection: Wire }).connection;
  const unnamed = transactionPooled.has(client);
  if (!unnamed && wire.parsedStatements[stmt.name] === undefined) await client.query({ ...stmt, values });
  return new Promise((resolve, reject) => {
    const q = new WithSettings(query, unnamed ? { name: '', values, text: stmt.text } : { name: stmt.name, values });
    q.callback = (err, res) => (err ? reject(err) : resolve(res as pg.QueryResult<T>));
    void client.query(q as unknown as pg.Submittable);
  });
}

/** Whether a client may go back to the pool: connected, and not inside a transaction. */
function reusable(client: pg.PoolClient): boolean {
  const c = client as unknown as { _queryable?: boolean; _ending?: boolean; getTransactionStatus?(): string | null };
  return c._queryable !== false && !c._ending && c.getTransactionStatus?.() === 'I';
}

// The settings the edge's own statements apply; jwt.claims.role (the token's role) matters
// only while the edge role runs: audit rows then name the caller's request role.
const CLAIM_KEYS = ['role', 'jwt.claims.user_id', 'jwt.claims.session_id', 'jwt.claims.role'] as const;

function claimSettings(who: Who, role?: string): Settings {
  const id = who as Partial<Identity> | null;
  const requestRole = id?.role ?? 'anonymous';
  const values = [role ?? requestRole, id?.userId ?? '', id?.sessionId ?? '', requestRole];
  return CLAIM_KEYS.map((k, i) => [k, values[i]!] as const);
}

async function inTransaction<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  settings: Settings,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = await pool.connect();
  let reuse = false;
  try {
    const { rows } = await oneShot<T>(client, settings, { text, values });
    reuse = true;
    return rows;
  } finally {
    // A client that failed may be dead: never hand it to the next request.
    client.release(reuse && reusable(client) ? undefined : true);
  }
}

/** `identity` null means anonymous; `{ role: 'bot' }` alone is a service job with no user. */
export function asRequestRole<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  identity: Who,
  text: string,
  values: unknown[],
): Promise<T[]> {
  return inTransaction<T>(pool, claimSettings(identity), text, values);
}

/** One of the edge's entry points, with the caller's claims (if any) still set. */
export function asEdge<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  identity: Identity | null,
  text: string,
  values: unknown[],
): Promise<T[]> {
  return inTransaction<T>(pool, claimSettings(identity, EDGE_ROLE), text, values);
}

/** Inside a transaction that already carries the request's settings: become the edge role. */
export const BECOME_EDGE = `select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', '${EDGE_ROLE}', true)`;

// ---------------------------------------------------------------------------------------
// PostGraphile's connection adaptor
//
// @dataplan/pg's own adaptor runs every operation as `begin`, its settings statement (parsed
// and planned on every request), the operation, `commit`. Each PostGraphile operation is one
// statement (a query, or a mutation: PgExecutor runs one statement per withPgClient call),
// so here it is one oneShot(): one round trip, the same transaction-local settings (B1).
// A callback that needs several statements in one transaction says so with withTransaction()
// (graphql/edge-call.ts does, to become the edge role); a second statement outside one is
// refused rather than run in a transaction of its own.

/** Named (prepared) statements kept per connection, as @dataplan/pg keeps them. */
const PREPARED_MAX = 100;
const $prepared = Symbol('pgauth prepared statements');
type Prepared = pg.PoolClient & { [$prepared]?: LRUCache<string, true> };

function queryConfig(client: Prepared, q: PgClientQuery): pg.QueryConfig & { rowMode?: 'array' } {
  if (q.name && transactionPooled.has(client)) q = { ...q, name: undefined };
  if (q.name) {
    let lru = client[$prepared];
    if (!lru) {
      const wire = (client as unknown as { connection: Wire }).connection;
      lru = client[$prepared] = new LRUCache<string, true>({
        max: PREPARED_MAX,
        dispose: (_v, key) => {
          if (wire.parsedStatements[key] === undefined) return;
          // Forgotten before the deallocate is queued: a later use of the name parses again.
          delete wire.parsedStatements[key];
          client.query(`deallocate ${pg.escapeIdentifier(key)}`).catch(() => {});
        },
      });
    }
    if (!lru.get(q.name)) lru.set(q.name, true);
  }
  return {
    text: q.text,
    values: q.values,
    ...(q.name ? { name: q.name } : {}),
    ...(q.arrayMode ? { rowMode: 'array' } : {}),
  };
}

const result = <T>(r: pg.QueryResult): PgClientResult<T> => ({ rows: r.rows as T[], rowCount: r.rowCount });

/** Inside an explicit transaction: statements as they are; nested transactions are savepoints. */
function transactionClient(client: Prepared, level: number): NodePostgresPgClient {
  return {
    rawClient: client,
    async query<T>(q: PgClientQuery) {
      return result<T>(await client.query(queryConfig(client, q)));
    },
    async withTransaction(callback) {
      const sp = `tx${level}`;
      await client.query(`savepoint ${sp}`);
      try {
        const r = await callback(transactionClient(client, level + 1));
        await client.query(`release savepoint ${sp}`);
        return r;
      } catch (e) {
        await client.query(`rollback to savepoint ${sp}`).catch(() => {});
        throw e;
      }
    },
  };
}

async function transaction<T>(
  client: Prepared,
  settings: Settings,
  callback: (c: NodePostgresPgClient) => Promise<T>,
): Promise<T> {
  await client.query('begin');
  try {
    if (settings.length) {
      const { name, text } = settingsStatement(settings.map(([k]) => k));
      const values = settings.map(([, v]) => v);
      await client.query(transactionPooled.has(client) ? { text, values } : { name, text, values });
    }
    const r = await callback(transactionClient(client, 1));
    await client.query('commit');
    return r;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  }
}

const jitOff = new WeakSet<pg.PoolClient>();

export function withPgClientFor(pool: pg.Pool): WithPgClient<NodePostgresPgClient> {
  return async (pgSettings, callback) => {
    const settings: Settings = Object.entries(pgSettings ?? {}).flatMap(([k, v]) =>
      v == null ? [] : [[k, String(v)] as const],
    );
    const client: Prepared = await pool.connect();
    // Session-level: not behind a transaction pooler (docs/deployment.md sets it per role there).
    if (!jitOff.has(client) && !transactionPooled.has(client)) {
      jitOff.add(client);
      // As @dataplan/pg does: JIT optimisation costs more than it saves on these queries.
      client.query('set jit_optimize_above_cost = -1').catch(() => {});
    }
    let used = false;
    const once = () => {
      if (used) throw new Error('one statement per withPgClient callback: use withTransaction for several');
      used = true;
    };
    try {
      return await callback({
        rawClient: client,
        async query<T>(q: PgClientQuery) {
          // Without settings nothing is transaction-local: statements run as they are (as in
          // @dataplan/pg), e.g. introspection.
          if (!settings.length) return result<T>(await client.query(queryConfig(client, q)));
          once();
          return result<T>(await oneShot(client, settings, queryConfig(client, q)));
        },
        withTransaction(cb) {
          once();
          return transaction(client, settings, cb);
        },
      });
    } finally {
      client.release(reusable(client) ? undefined : true);
    }
  };
}

/** The pg service for PostGraphile: @dataplan/pg's, with the adaptor above on `pool`. */
export function pgService(
  pool: pg.Pool,
  schemas: string[],
): GraphileConfig.PgServiceConfiguration<'@dataplan/pg/adaptors/pg'> {
  const base = makePgService({ pool, schemas });
  return { ...base, adaptor: { ...base.adaptor, createWithPgClient: () => withPgClientFor(pool) } };
}
