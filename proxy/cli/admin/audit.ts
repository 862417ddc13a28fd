/**
 * `npm run admin -- audit tail [--user <u>] [--event <e>] [--failed|--succeeded] [--since <t>]
 * [--limit <n>] [--follow]`: app_public.admin_audit_log, oldest of the page first, like tail.
 */
import type pg from 'pg';
import { type Args, CliError, type CommandGroup, EXIT, opt, resolveUser } from './common.ts';

interface AuditRow {
  id: string;
  at: Date;
  actor_user_id: string | null;
  actor_role: string;
  event: string;
  table_name: string | null;
  target_id: string | null;
  detail: unknown;
}

function line(args: Args, r: AuditRow): string {
  if (args.json) {
    const { id, at, actor_user_id, actor_role, event, table_name, target_id, detail } = r;
    return JSON.stringify({ id: Number(id), at, actor_user_id, actor_role, event, table_name, target_id, detail });
  }
  const detail = r.detail ? ` ${JSON.stringify(r.detail)}` : '';
  return `${r.id}  ${r.at.toISOString()}  ${r.event}  by ${r.actor_role}${r.actor_user_id ? `:${r.actor_user_id}` : ''}  ${r.table_name ?? '-'} ${r.target_id ?? '-'}${detail}`;
}

export const audit: CommandGroup = {
  summary: 'read the audit log',
  commands: {
    tail: {
      usage: 'tail [--user <u>] [--event <e>] [--failed|--succeeded] [--since <time>] [--limit <n>] [--follow]',
      summary: 'the latest audit rows (oldest first); --follow keeps printing new ones',
      help: [
        'options:',
        '  --user <id|email>  rows by or about the user',
        '  --event <name>     one event (login, login_failed, user_banned, ...)',
        '  --failed / --succeeded  failed, rejected, denied, limited, reuse, locked, expired events / the rest',
        '  --since <time>     from this time on',
        '  --limit <n>        rows, 1..100 (default 20)',
        '  --follow           poll every --interval ms (default 1000) until interrupted',
        'prints: id, time, event, actor role[:user], table, target, detail (--json: one object per line)',
      ].join('\n'),
      async run(db, args) {
        const user = opt(args, 'user');
        const userId = user ? await resolveUser(db, user) : null;
        if (args.options.failed && args.options.succeeded)
          throw new CliError('--failed and --succeeded exclude each other', EXIT.usage);
        const success = args.options.failed ? false : args.options.succeeded ? true : null;
        const n = Number(opt(args, 'limit') ?? 20);
        if (!Number.isInteger(n) || n < 1 || n > 100) throw new CliError('--limit must be 1..100', EXIT.usage);
        const interval = Number(opt(args, 'interval') ?? 1000);
        if (!Number.isFinite(interval) || interval < 50)
          throw new CliError('--interval must be at least 50 ms', EXIT.usage);
        const since = opt(args, 'since') ?? null;
        if (since !== null && Number.isNaN(Date.parse(since)))
          throw new CliError('--since must be a time (ISO 8601)', EXIT.usage);
        const event = opt(args, 'event') ?? null;
        const page = async (after: string | null): Promise<AuditRow[]> => {
          // Newest first from SQL; after a known id, everything newer (in pages of 100).
          const { rows } = await (db as pg.Client).query<AuditRow>(
            `select * from app_public.admin_audit_log($1, $2, $3, $4::timestamptz, null, null, $5)
              where $6::bigint is null or id > $6::bigint`,
            [userId, event, success, since, after ? 100 : n, after],
          );
          return rows.reverse();
        };
        let rows = await page(null);
        for (const r of rows) console.log(line(args, r));
        if (!args.options.follow) return;
        let last =
          rows.at(-1)?.id ??
          (await db.query<{ id: string }>('select coalesce(max(id), 0)::text as id from app_public.audit_log')).rows[0]!
            .id;
        let stop = false;
        const end = () => {
          stop = true;
        };
        process.once('SIGINT', end);
        process.once('SIGTERM', end);
        while (!stop) {
          await new Promise((r) => setTimeout(r, interval));
          rows = await page(last);
          for (const r of rows) console.log(line(args, r));
          last = rows.at(-1)?.id ?? last;
        }
      },
    },
  },
};
