/**
 * Probes (docs/deployment.md "Health and readiness"):
 *
 * - `GET /healthz`, liveness: 200 while the process answers. It touches no database, so a
 *   database outage never makes an orchestrator restart healthy instances.
 * - `GET /readyz`, readiness: 200 when the primary answers `select 1` AND every committed
 *   migration on disk is applied (core/schema.ts, as the owner; once current it stays so for
 *   this process, until then re-checked at most every RECHECK_MS); 503 otherwise and while
 *   the instance stops (SIGTERM: balancers stop sending before the server closes). Replica
 *   counts are informative; a failed replica never makes an instance unready (reads fall back
 *   to the primary).
 */
import { Hono } from 'hono';
import type pg from 'pg';
import type { ReadRouter } from '../../core/replica.ts';
import { missingMigrations } from '../../core/schema.ts';

const RECHECK_MS = 2000;

export interface HealthDeps {
  pool: pg.Pool;
  /** The owner's URL: graphile-migrate's table is the owner's. */
  ownerUrl: string;
  replica: ReadRouter | null;
  draining(): boolean;
  /** The migrations check (tests replace it); core/schema.ts's by default. */
  missing?: (ownerUrl: string) => Promise<string[]>;
}

export function healthRoutes(d: HealthDeps): Hono {
  const missing = d.missing ?? missingMigrations;
  let current = false;
  let checked: { at: number; result: Promise<string[]> } | null = null;
  /** The migrations this database lacks ([] once current; remembered from then on). */
  const schema = async (): Promise<string[]> => {
    if (current) return [];
    if (!checked || performance.now() - checked.at > RECHECK_MS) {
      checked = { at: performance.now(), result: missing(d.ownerUrl) };
    }
    const left = await checked.result;
    if (!left.length) current = true;
    return left;
  };

  const routes = new Hono();
  routes.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
  routes.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    const replicaStats = d.replica ? { replica: d.replica.stats } : {};
    if (d.draining()) return c.json({ status: 'stopping', ...replicaStats }, 503);
    try {
      await d.pool.query('select 1');
    } catch {
      return c.json({ status: 'unavailable', database: 'down', ...replicaStats }, 503);
    }
    let left: string[];
    try {
      left = await schema();
    } catch {
      checked = null;
      return c.json({ status: 'unavailable', database: 'up', migrations: 'unknown', ...replicaStats }, 503);
    }
    if (left.length) {
      return c.json(
        { status: 'unavailable', database: 'up', migrations: { missing: left.length }, ...replicaStats },
        503,
      );
    }
    return c.json({ status: 'ready', database: 'up', migrations: 'current', ...replicaStats });
  });
  return routes;
}
