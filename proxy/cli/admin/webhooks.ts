/**
 * `npm run admin -- webhooks list|add|remove|deliveries|retry`: auth-event webhook endpoints
 * and their deliveries (db/migrations/committed/000010-administration-and-webhooks.sql). `add` checks the URL exactly
 * as adminCreateWebhookEndpoint does (https; no loopback, link-local or private address unless
 * WEBHOOK_ALLOW_PRIVATE=true: O5) and prints the signing secret once.
 */
import type pg from 'pg';
import { loadConfig } from '../../core/config.ts';
import { resolveWebhookTarget, UnsafeTargetError } from '../../features/webhooks/ssrf.ts';
import {
  arg,
  CliError,
  type CommandGroup,
  EXIT,
  fromDbError,
  opt,
  printDone,
  printRecord,
  printRows,
} from './common.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidArg(v: string, what: string): string {
  if (!UUID.test(v)) throw new CliError(`<${what}> must be a UUID (got "${v}")`, EXIT.usage);
  return v;
}

/** Runs a statement, mapping registered SQL codes to exit codes (NTFND 3, others 4). */
async function sql<T extends Record<string, unknown>>(db: pg.Client, text: string, values: unknown[]): Promise<T[]> {
  try {
    return (await db.query<T>(text, values)).rows;
  } catch (e) {
    throw fromDbError(e) ?? e;
  }
}

export const webhooks: CommandGroup = {
  summary: 'auth-event webhook endpoints and deliveries',
  commands: {
    list: {
      usage: 'list',
      summary: 'endpoints (never their secrets)',
      async run(db, args) {
        const rows = await sql(
          db,
          `select id, url, event_types, enabled, description, created_at,
                  (select count(*) from app_public.webhook_deliveries d where d.endpoint_id = e.id and d.status = 'pending')::int pending,
                  (select count(*) from app_public.webhook_deliveries d where d.endpoint_id = e.id and d.status = 'failed')::int failed
           from app_public.webhook_endpoints e order by created_at desc, id`,
          [],
        );
        printRows(args, rows, [
          'id',
          'url',
          'event_types',
          'enabled',
          'pending',
          'failed',
          'description',
          'created_at',
        ]);
      },
    },
    add: {
      usage: 'add <url> [--events a,b] [--description text]',
      summary: 'adds an endpoint; prints its signing secret once',
      help: 'Events: user.created, user.verified, user.deleted, user.banned, user.unbanned, session.created,\nsession.revoked, password.changed, mfa.enrolled, mfa.removed, identity.linked, identity.unlinked\n(default: all). Exit 4 when the URL is refused (not https, or a loopback, link-local or private address).',
      async run(db, args) {
        const url = arg(args, 0, 'url');
        const events = (opt(args, 'events') ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        try {
          const { allowPrivate, timeoutMs } = loadConfig().webhooks;
          await resolveWebhookTarget(url, { allowPrivate, timeoutMs });
        } catch (e) {
          if (e instanceof UnsafeTargetError) throw new CliError(`refused: ${e.message} (WEBHOOKURL)`, EXIT.refused);
          throw e;
        }
        const [row] = await sql<{ id: string; secret: string }>(
          db,
          'select id, secret from app_private.add_webhook_endpoint($1, $2, $3, null)',
          [url, events, opt(args, 'description') ?? null],
        );
        printRecord(args, { id: row!.id, url, secret: row!.secret });
        if (!args.json) console.log('\nStore the secret now: it is not shown again.');
      },
    },
    remove: {
      usage: 'remove <endpoint>',
      summary: 'deletes an endpoint, its secret and its deliveries',
      async run(db, args) {
        const id = uuidArg(arg(args, 0, 'endpoint'), 'endpoint');
        const rows = await sql(db, 'delete from app_public.webhook_endpoints where id = $1 returning id', [id]);
        if (!rows.length) throw new CliError(`no such endpoint: ${id}`, EXIT.notFound);
        printDone(args, `removed ${id}`, { id });
      },
    },
    deliveries: {
      usage: 'deliveries [<endpoint>] [--failed] [--limit n]',
      summary: 'recent deliveries with their last outcome (--failed: those that failed at least once)',
      async run(db, args) {
        // `--failed` takes no value: a UUID after it is the endpoint.
        const failed = args.options.failed;
        const first = args.positional[0] ?? (typeof failed === 'string' ? failed : undefined);
        const endpoint = first ? uuidArg(first, 'endpoint') : null;
        const limit = Number(opt(args, 'limit') ?? 50);
        if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive integer', EXIT.usage);
        const rows = await sql(
          db,
          `select d.id, d.endpoint_id, d.event_type, d.status, d.attempts, d.last_response_status, d.last_error,
                  d.next_attempt_at, d.created_at
           from app_public.webhook_deliveries d
           where ($1::uuid is null or d.endpoint_id = $1) and (not $2 or d.status = 'failed' or d.last_error is not null)
           order by d.created_at desc, d.id limit $3`,
          [endpoint, failed !== undefined, limit],
        );
        printRows(args, rows, [
          'id',
          'endpoint_id',
          'event_type',
          'status',
          'attempts',
          'last_response_status',
          'last_error',
          'next_attempt_at',
          'created_at',
        ]);
      },
    },
    retry: {
      usage: 'retry <delivery>',
      summary: 'queues an undelivered (failed or waiting) delivery for an attempt now',
      async run(db, args) {
        const id = uuidArg(arg(args, 0, 'delivery'), 'delivery');
        const [row] = await sql<{ ok: boolean }>(db, 'select app_private.retry_webhook_delivery($1) ok', [id]);
        if (!row?.ok) throw new CliError(`no undelivered delivery ${id}`, EXIT.notFound);
        printDone(args, `queued ${id}`, { id });
      },
    },
  },
};
