/**
 * Running a statement as the request role outside GraphQL (the OAuth routes), with the same
 * transaction-local settings PostGraphile applies: role and claims from the verified
 * identity only (B1, B2).
 */
import type pg from 'pg';
import type { Identity } from './graphql/context.ts';

/** `identity` null means anonymous; `{ role: 'bot' }` alone is a service job with no user. */
export async function asRequestRole<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  identity: Identity | Pick<Identity, 'role'> | null,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const id = identity as Partial<Identity> | null;
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(
      `select set_config('role', $1, true), set_config('jwt.claims.user_id', $2, true), set_config('jwt.claims.session_id', $3, true)`,
      [id?.role ?? 'anonymous', id?.userId ?? '', id?.sessionId ?? ''],
    );
    const { rows } = await client.query<T>(text, values);
    await client.query('commit');
    return rows;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
