/**
 * The login role's connection pool, and statements run outside GraphQL with the same
 * transaction-local settings PostGraphile applies: role and claims from the verified
 * identity only (B1, B2). `asEdge` is the edge's own narrow path to its entry points
 * (login, refresh, OAuth sign-in, denial records, the provider-token lease): the login role
 * switches to `auth_edge`, which no request role can become or call (db/CONVENTIONS.md).
 */
import pg from 'pg';
import { EDGE_ROLE } from '../../db/scripts/config.ts';
import type { Identity } from './request.ts';

export function createPool(url: string, max: number): pg.Pool {
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
  });
  return pool;
}

type Who = Identity | Pick<Identity, 'role'> | null;

// The settings PostGraphile applies per request; jwt.claims.role (the token's role) matters
// only while the edge role runs: audit rows then name the caller's request role.
const CLAIMS = `select set_config('role', $1, true), set_config('jwt.claims.user_id', $2, true),
  set_config('jwt.claims.session_id', $3, true), set_config('jwt.claims.role', $4, true)`;

function claimValues(who: Who, role?: string): string[] {
  const id = who as Partial<Identity> | null;
  const requestRole = id?.role ?? 'anonymous';
  return [role ?? requestRole, id?.userId ?? '', id?.sessionId ?? '', requestRole];
}

async function inTransaction<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  settings: string[],
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = await pool.connect();
  // A client whose connection breaks mid-query emits 'error' on itself; without a listener
  // that is an uncaught exception (the process would exit). The query's promise rejects too.
  const ignore = () => {};
  client.on('error', ignore);
  let broken = false;
  try {
    await client.query('begin');
    await client.query(CLAIMS, settings);
    const { rows } = await client.query<T>(text, values);
    await client.query('commit');
    return rows;
  } catch (e) {
    broken = true;
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.off('error', ignore);
    // A client that failed mid-transaction may be dead: never hand it to the next request.
    client.release(broken ? true : undefined);
  }
}

/** `identity` null means anonymous; `{ role: 'bot' }` alone is a service job with no user. */
export function asRequestRole<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  identity: Who,
  text: string,
  values: unknown[],
): Promise<T[]> {
  return inTransaction<T>(pool, claimValues(identity), text, values);
}

/** One of the edge's entry points, with the caller's claims (if any) still set. */
export function asEdge<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  identity: Identity | null,
  text: string,
  values: unknown[],
): Promise<T[]> {
  return inTransaction<T>(pool, claimValues(identity, EDGE_ROLE), text, values);
}

/** Inside a transaction that already carries the request's settings: become the edge role. */
export const BECOME_EDGE = `select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', '${EDGE_ROLE}', true)`;
