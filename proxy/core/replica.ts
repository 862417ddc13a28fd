/**
 * Read replicas (AUTH_DATABASE_REPLICA_URL): read-only GraphQL operations (queries) may run on
 * a streaming replica; mutations, subscriptions and every edge call (login, refresh, denial
 * records...) stay on the primary.
 *
 * The guarantee is the primary's: a read sees everything committed before its request began,
 * so a logout, a revocation, a disabled user or a demotion takes effect on the next request
 * (D6, E3), and a client reads its own writes. Replication lag cannot weaken it:
 *
 * - when a read starts, the primary's WAL insert position is fetched (one tiny statement,
 *   shared by the reads that arrive while it is in flight: only a fetch that started after a
 *   read began counts for that read);
 * - the read goes to the replica only if the replica has replayed up to that position
 *   (`pg_last_wal_replay_lsn()`, monotonic: the last value seen is a lower bound and is asked
 *   again only when it is not enough); otherwise it runs on the primary.
 *
 * So a lagging replica costs throughput (reads fall back to the primary), never correctness.
 * A replica that fails (connection refused, recovery conflict, restarted) is left alone for
 * a few seconds and the read is retried on the primary. A URL that is not a standby (no
 * replay position) is never used. Counts are served by /readyz.
 */
import type pg from 'pg';
import type { WithPgClient } from 'postgraphile/@dataplan/pg';
import type { NodePostgresPgClient } from 'postgraphile/adaptors/pg';

export interface ReplicaStats {
  /** Reads run on the replica. */
  replica: number;
  /** Reads that fell back to the primary: the replica had not replayed far enough. */
  behind: number;
  /** Reads that fell back because the replica failed or is resting after a failure. */
  failed: number;
  /** `standby`, `down` (resting after a failure), or `not-a-standby` (never used). */
  state: 'standby' | 'down' | 'not-a-standby';
}

export interface ReadRouter {
  /** PostGraphile's withPgClient for a read-only operation. */
  withPgClient: WithPgClient<NodePostgresPgClient>;
  stats: ReplicaStats;
}

/** How long a failed replica is left alone. */
const REST_MS = 5000;

/** An LSN `X/Y` as a number that orders (64 bits). */
function lsn(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/**
 * `fetch` shared by concurrent callers, each getting the result of a fetch that started
 * after it called: one in flight, at most one queued behind it.
 */
function coalesced<T>(fetch: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const start = (): Promise<T> => {
    current = fetch().finally(() => {
      current = null;
    });
    return current;
  };
  return () => {
    if (!current) return start();
    queued ??= current
      .catch(() => {})
      .then(() => {
        queued = null;
        return current ?? start();
      });
    return queued;
  };
}

/** Errors after which the read is retried on the primary: the replica, not the read, failed. */
function replicaFault(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    // connection exceptions, admin shutdown / cannot connect now, recovery conflicts
    if (/^(08|57P0[1-4])/.test(code) || code === '40001') return true;
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/.test(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    String((e as Error | null)?.message ?? ''),
  );
}

export function createReadRouter(d: {
  primaryPool: pg.Pool;
  replicaPool: pg.Pool;
  primary: WithPgClient<NodePostgresPgClient>;
  replica: WithPgClient<NodePostgresPgClient>;
  log?: (line: string) => void;
}): ReadRouter {
  const log = d.log ?? ((line: string) => console.error(line));
  const stats: ReplicaStats = { replica: 0, behind: 0, failed: 0, state: 'standby' };
  let restUntil = 0;
  /** The replica's replay position last seen: it only moves forward. */
  let replayed = -1n;

  const primaryLsn = coalesced(async () => {
    const { rows } = await d.primaryPool.query<{ lsn: string }>(
      'select pg_catalog.pg_current_wal_insert_lsn()::text as lsn',
    );
    return lsn(rows[0]!.lsn);
  });
  const replicaLsn = coalesced(async () => {
    const { rows } = await d.replicaPool.query<{ lsn: string | null }>(
      'select pg_catalog.pg_last_wal_replay_lsn()::text as lsn',
    );
    const text = rows[0]?.lsn;
    if (text == null) {
      if (stats.state !== 'not-a-standby') {
        log(
          JSON.stringify({
            level: 'error',
            event: 'replica-not-a-standby',
            message: 'AUTH_DATABASE_REPLICA_URL is not a standby: reads stay on the primary',
          }),
        );
      }
      stats.state = 'not-a-standby';
      return -1n;
    }
    const v = lsn(text);
    if (v > replayed) replayed = v;
    return replayed;
  });

  function fail(e: unknown): void {
    stats.failed++;
    if (Date.now() >= restUntil) {
      log(JSON.stringify({ level: 'warn', event: 'replica-failed', message: String((e as Error)?.message ?? e) }));
    }
    restUntil = Date.now() + REST_MS;
    if (stats.state === 'standby') stats.state = 'down';
  }

  /** Whether this read may run on the replica. */
  async function replicaCaughtUp(): Promise<boolean> {
    if (stats.state === 'not-a-standby') return false;
    if (Date.now() < restUntil) {
      stats.failed++;
      return false;
    }
    let target: bigint;
    try {
      target = await primaryLsn();
    } catch {
      // The primary itself is unreachable: the read fails there as it would without a replica.
      return false;
    }
    try {
      if (replayed < target) await replicaLsn();
    } catch (e) {
      fail(e);
      return false;
    }
    if (stats.state === 'down') stats.state = 'standby';
    if (replayed >= target) return true;
    if (stats.state === 'standby') stats.behind++;
    return false;
  }

  const withPgClient: WithPgClient<NodePostgresPgClient> = async (pgSettings, callback) => {
    if (!(await replicaCaughtUp())) return d.primary(pgSettings, callback);
    try {
      const r = await d.replica(pgSettings, callback);
      stats.replica++;
      return r;
    } catch (e) {
      if (!replicaFault(e)) throw e;
      fail(e);
      // A read-only statement: running it again on the primary is safe.
      return d.primary(pgSettings, callback);
    }
  };
  return { withPgClient, stats };
}
