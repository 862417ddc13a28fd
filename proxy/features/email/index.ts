/**
 * The email feature: the account lifecycle by mail (verification, password reset, sign-in by
 * link or code, email change), its GraphQL (plugin.ts), its landing pages and development
 * mailbox (routes.ts), and the outbox worker that sends what SQL queued (queue.ts,
 * mailer.ts). Configured by the `email` section of core/config.ts.
 */
import type { Hono } from 'hono';
import pg from 'pg';
import type { Runner } from 'graphile-worker';
import type { Config } from '../../core/config.ts';
import type { SessionIssuer } from '../sessions/issuer.ts';
import { Mailbox } from './mailbox.ts';
import { Mailer } from './mailer.ts';
import { installMailQueue, startMailWorker } from './queue.ts';
import { emailRoutes } from './routes.ts';
import { webhookTasks } from '../webhooks/deliver.ts';

export { EmailPlugin, emailCredentialMutations } from './plugin.ts';

export interface EmailFeature {
  routes: Hono;
  /** The development mailbox, when this process runs one. */
  mailbox: Mailbox | null;
  /** What the start-up line says about mail. */
  notice: string;
  stop(): Promise<void>;
}

/** The sending half alone (the server's, or `npm run worker`'s): mailer, worker, mailbox. */
export async function startMailSender(cfg: Config): Promise<{ mailbox: Mailbox | null; stop(): Promise<void> }> {
  const e = cfg.email;
  const mailbox = e.devMailbox ? new Mailbox() : null;
  if (mailbox) await mailbox.listen(e.devSmtpPort);
  const smtpUrl = e.smtpUrl ?? mailbox?.url;
  if (!e.worker || !smtpUrl) {
    await mailbox?.close();
    return { mailbox: null, stop: async () => {} };
  }
  const mailer = new Mailer({ smtpUrl, from: e.from, templatesDir: e.templatesDir, publicOrigin: cfg.publicOrigin });
  // The queue belongs to the owner (its schema, its tables): the worker connects as the owner.
  const pool = new pg.Pool({ connectionString: cfg.db.ownerUrl, max: e.concurrency + 2 });
  // A connection lost mid-job fails that job (retried later), never the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  let runner: Runner;
  try {
    runner = await startMailWorker(pool, (job) => mailer.send(job), {
      concurrency: e.concurrency,
      pollIntervalMs: e.pollIntervalMs,
      tasks: webhookTasks(cfg.webhooks),
    });
  } catch (err) {
    await pool.end();
    await mailbox?.close();
    throw err;
  }
  return {
    mailbox,
    async stop() {
      await runner.stop().catch(() => {});
      mailer.close();
      await pool.end().catch(() => {});
      await mailbox?.close();
    },
  };
}

export async function emailFeature(d: {
  cfg: Config;
  pool: pg.Pool;
  issuer: SessionIssuer;
  allowed: ReadonlySet<string>;
}): Promise<EmailFeature> {
  // The outbox functions need the queue's schema; db:setup installs it, this keeps a server
  // given only DATABASE_URL/AUTH_DATABASE_URL working too (a no-op when current).
  await installMailQueue(d.cfg.db.ownerUrl);
  const sender = await startMailSender(d.cfg);
  const e = d.cfg.email;
  const notice = sender.mailbox
    ? `mail: development mailbox at ${d.cfg.publicOrigin}/dev/mail (SMTP 127.0.0.1:${sender.mailbox.port}); set SMTP_URL to send real mail`
    : e.worker
      ? `mail: sent through ${new URL(e.smtpUrl ?? 'smtp://none').host} by this process's worker`
      : 'mail: queued only (MAIL_WORKER=false); `npm run worker` sends it';
  return {
    routes: emailRoutes({ ...d, mailbox: sender.mailbox }),
    mailbox: sender.mailbox,
    notice,
    stop: sender.stop,
  };
}
