/**
 * The mail outbox's queue: graphile-worker. SQL adds jobs (app_private.enqueue_mail ->
 * graphile_worker.add_job) in the transaction of the change that causes the mail (M7); this
 * module installs the queue's schema and runs the worker that sends them.
 *
 * - Schema: graphile-worker's own migrations, run as the database owner by db:setup (before
 *   our migrations) and again, as a no-op when current, whenever a server or worker starts.
 *   Request roles get nothing on it: only definer functions can enqueue.
 * - Delivery: at least once. A job is locked by one worker (SKIP LOCKED), so several
 *   instances never send it twice while it runs; a failure keeps the job with its last error
 *   (graphile_worker.jobs.last_error) and retries it with exponential backoff up to
 *   auth_config.email_mail_max_attempts; a success deletes it (and the token in its payload).
 */
import { Logger, run, runMigrations, type Runner, type Task, type TaskList } from 'graphile-worker';
import type pg from 'pg';
import { logger } from '../../core/logger.ts';

/** graphile-worker logs as one JSON line per warning or error; debug and info are dropped. */
export const workerLogger = new Logger((scope) => (level, message) => {
  if (level !== 'error' && level !== 'warning') return;
  logger[level === 'error' ? 'error' : 'warn']({ job: 'mail', scope: scope.label }, message);
});

/** Installs or upgrades the graphile_worker schema as the owner (idempotent, serialised by the worker's own lock). */
export async function installMailQueue(ownerUrl: string): Promise<void> {
  await runMigrations({ connectionString: ownerUrl, logger: workerLogger });
}

export interface MailJob {
  template: string;
  to: string;
  data: Record<string, unknown>;
}

export function isMailJob(p: unknown): p is MailJob {
  const j = p as Partial<MailJob> | null;
  return (
    typeof j === 'object' &&
    j !== null &&
    typeof j.template === 'string' &&
    typeof j.to === 'string' &&
    typeof j.data === 'object' &&
    j.data !== null
  );
}

/** Starts a worker on `pool` (the owner's) that runs `send` for every send_email job. */
export function startMailWorker(
  pool: pg.Pool,
  send: (job: MailJob) => Promise<void>,
  opts: { concurrency: number; pollIntervalMs: number; tasks?: TaskList },
): Promise<Runner> {
  const sendEmail: Task = async (payload) => {
    if (!isMailJob(payload)) throw new Error('malformed send_email payload');
    await send(payload);
  };
  return run({
    pgPool: pool,
    concurrency: opts.concurrency,
    pollInterval: opts.pollIntervalMs,
    noHandleSignals: true,
    logger: workerLogger,
    taskList: {
      ...opts.tasks,
      send_email: sendEmail,
      // Hourly housekeeping (owner-only functions): expired email tokens and stale limit
      // counters; ended sessions (client-credentials sessions an hour after expiry); old
      // webhook deliveries and events.
      email_cleanup: async (_payload, helpers) => {
        await helpers.query('select app_private.purge_email_state()');
        await helpers.query('select app_private.purge_sessions()');
        await helpers.query('select app_private.purge_webhook_state()');
      },
    },
    // Once per hour across all workers: graphile-worker's cron keeps one run per slot.
    crontab: '0 * * * * email_cleanup ?max=1',
  });
}
