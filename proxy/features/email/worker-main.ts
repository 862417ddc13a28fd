/**
 * `npm run worker`: the mail outbox worker alone, for deployments that run it apart from the
 * web instances (any number of each: a job is sent by one worker at a time). Same
 * configuration as the server (SMTP_URL, MAIL_FROM, MAIL_TEMPLATES_DIR, DATABASE_URL as the
 * queue's owner); with nothing configured it works on `npm start`'s embedded database and
 * catches mail in its own development mailbox. Stops cleanly on SIGINT/SIGTERM.
 */
import { loadConfig } from '../../core/config.ts';
import { logger, setLogLevel } from '../../core/logger.ts';
import { startMailSender } from './index.ts';
import { installMailQueue } from './queue.ts';

async function main(): Promise<void> {
  const cfg = loadConfig();
  setLogLevel(cfg.ops.logLevel);
  if (!cfg.email.worker && cfg.production) throw new Error('npm run worker needs SMTP_URL in production');
  await installMailQueue(cfg.db.ownerUrl);
  const sender = await startMailSender({ ...cfg, email: { ...cfg.email, worker: true } });
  logger.info(
    sender.mailbox
      ? `mail worker running; development mailbox SMTP on 127.0.0.1:${sender.mailbox.port} (no /dev/mail page in this process)`
      : `mail worker running, sending through ${new URL(cfg.email.smtpUrl ?? 'smtp://none').host}`,
  );
  let stopping = false;
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(s, () => {
      if (stopping) return;
      stopping = true;
      logger.info(`${s}: stopping the mail worker...`);
      sender.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((e: unknown) => {
  logger.fatal({ message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
