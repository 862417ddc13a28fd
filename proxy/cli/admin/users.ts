/**
 * `npm run admin -- users list|show|ban|unban|roles`: the admin API's SQL
 * (app_public.admin_users, admin_user, ban_user, unban_user, admin_set_roles) as the owner,
 * audited as `cli`.
 */
import type pg from 'pg';
import {
  type Args,
  arg,
  CliError,
  type CommandGroup,
  EXIT,
  opt,
  printDone,
  printRecord,
  printRows,
  resolveUser,
} from './common.ts';

const USER_COLUMNS = [
  'id',
  'email',
  'display_name',
  'created_at',
  'last_sign_in_at',
  'verified',
  'status',
  'roles',
  'factors',
  'providers',
];

interface AdminUserRow {
  id: string;
  email: string;
  display_name: string | null;
  created_at: Date;
  last_sign_in_at: Date | null;
  email_verified_at: Date | null;
  disabled_at: Date | null;
  is_banned: boolean;
  banned_until: Date | null;
  ban_reason: string | null;
  roles: string[];
  factor_count: number;
  providers: string[];
}

function view(r: AdminUserRow): Record<string, unknown> {
  const status = r.is_banned
    ? `banned${r.banned_until ? ` until ${r.banned_until.toISOString()}` : ''}`
    : r.disabled_at
      ? 'disabled'
      : 'active';
  return {
    id: r.id,
    email: r.email,
    display_name: r.display_name,
    created_at: r.created_at,
    last_sign_in_at: r.last_sign_in_at,
    verified: r.email_verified_at !== null,
    status,
    ban_reason: r.ban_reason,
    roles: r.roles,
    factors: r.factor_count,
    providers: r.providers,
  };
}

/** `--flag` / `--flag=false` as a filter: undefined when absent. */
function flag(args: Args, name: string): boolean | null {
  const v = args.options[name];
  if (v === undefined) return null;
  if (v === true || v === 'true') return true;
  if (v === 'false') return false;
  throw new CliError(`--${name} takes true or false`, EXIT.usage);
}

function limit(args: Args, dflt: number): number {
  const v = opt(args, 'limit');
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new CliError('--limit must be 1..100', EXIT.usage);
  return n;
}

async function one(db: pg.Client, sql: string, values: unknown[]): Promise<AdminUserRow> {
  return (await db.query<AdminUserRow>(sql, values)).rows[0]!;
}

export const users: CommandGroup = {
  summary: 'find, inspect, ban and unban users; set their roles',
  commands: {
    list: {
      usage:
        'list [--search <text>] [--role <r>] [--banned] [--verified] [--disabled] [--limit <n>] [--before <cursor>]',
      summary: 'users newest first (50 per page)',
      help: [
        'options:',
        '  --search <text>   substring of the email or name, case-insensitive',
        '  --role <role>     holds this application role',
        '  --banned, --verified, --disabled  (each also =false)',
        '  --limit <n>       rows per page, 1..100 (default 50)',
        '  --before <cursor> the page after the row whose cursor was printed last',
        'prints: id, email, name, created, last sign-in, verified, status, roles, factors, providers;',
        'then "next: --before <cursor>" when the page was full.',
      ].join('\n'),
      async run(db, args) {
        const n = limit(args, 50);
        const before = opt(args, 'before');
        let createdAt: string | null = null;
        let id: string | null = null;
        if (before) {
          const i = before.lastIndexOf('_');
          if (i < 0) throw new CliError('--before takes a cursor printed by a previous page', EXIT.usage);
          createdAt = before.slice(0, i);
          id = before.slice(i + 1);
        }
        const { rows } = await db.query<AdminUserRow & { created_at_text: string }>(
          `select u.*, u.created_at::text as created_at_text
             from app_public.admin_users($1, $2, $3, $4, $5, $6::timestamptz, $7::uuid, $8) u`,
          [
            opt(args, 'search') ?? null,
            opt(args, 'role') ?? null,
            flag(args, 'banned'),
            flag(args, 'verified'),
            flag(args, 'disabled'),
            createdAt,
            id,
            n,
          ],
        );
        const last = rows.at(-1);
        const next = rows.length === n && last ? `${last.created_at_text}_${last.id}` : null;
        if (args.json) {
          console.log(JSON.stringify({ users: rows.map(view), next }));
          return;
        }
        printRows(args, rows.map(view), USER_COLUMNS);
        if (next) console.log(`next: --before '${next}'`);
      },
    },
    show: {
      usage: 'show <user>',
      summary: 'one user (id or email) with live sessions, providers and the latest audit rows',
      async run(db, args) {
        const id = await resolveUser(db, arg(args, 0, 'user'));
        const { rows } = await db.query<{
          account: AdminUserRow;
          sessions: unknown[];
          identities: unknown[];
          recent_audit: unknown[];
        }>(
          `select to_json(d.account) as account, to_json(d.sessions) as sessions, to_json(d.identities) as identities, d.recent_audit
             from app_public.admin_user($1) d`,
          [id],
        );
        const d = rows[0]!;
        const account = d.account;
        for (const k of [
          'created_at',
          'last_sign_in_at',
          'email_verified_at',
          'disabled_at',
          'banned_until',
        ] as const) {
          if (account[k])
            (account as unknown as Record<string, unknown>)[k] = new Date(account[k] as unknown as string);
        }
        if (args.json) {
          console.log(
            JSON.stringify({
              user: view(account),
              sessions: d.sessions ?? [],
              identities: d.identities ?? [],
              recentAudit: d.recent_audit,
            }),
          );
          return;
        }
        printRecord(args, view(account));
        console.log('\nsessions');
        printRows(args, (d.sessions ?? []) as Record<string, unknown>[], [
          'id',
          'created_at',
          'last_used_at',
          'expires_at',
          'ip',
          'aal',
          'actor_id',
          'is_api_key',
        ]);
        console.log('\nidentities');
        printRows(args, (d.identities ?? []) as Record<string, unknown>[], [
          'provider',
          'issuer',
          'subject',
          'email',
          'created_at',
        ]);
        console.log('\nrecent audit');
        printRows(args, d.recent_audit as Record<string, unknown>[], [
          'id',
          'at',
          'event',
          'actorRole',
          'actorUserId',
          'targetId',
        ]);
      },
    },
    ban: {
      usage: 'ban <user> --reason <text> [--until <time>]',
      summary: 'ban a user (every session ends now; sign-in refused with BANND)',
      help: 'options:\n  --reason <text>  required, audited\n  --until <time>   ISO time the ban ends (default: until unbanned)',
      async run(db, args) {
        const id = await resolveUser(db, arg(args, 0, 'user'));
        const reason = opt(args, 'reason');
        if (!reason) throw new CliError('--reason is required', EXIT.usage);
        const until = opt(args, 'until') ?? null;
        if (until && Number.isNaN(Date.parse(until)))
          throw new CliError('--until must be a time (ISO 8601)', EXIT.usage);
        const r = await one(db, 'select * from app_public.ban_user($1, $2, $3::timestamptz)', [id, reason, until]);
        printDone(args, `banned ${r.email}${r.banned_until ? ` until ${r.banned_until.toISOString()}` : ''}`, {
          user: view(r),
        });
      },
    },
    unban: {
      usage: 'unban <user>',
      summary: 'lift a ban',
      async run(db, args) {
        const id = await resolveUser(db, arg(args, 0, 'user'));
        const r = await one(db, 'select * from app_public.unban_user($1)', [id]);
        printDone(args, `unbanned ${r.email}`, { user: view(r) });
      },
    },
    roles: {
      usage: 'roles <user> [--set <role,role,...>]',
      summary: "show a user's live roles, or set exactly the granted ones (--set= clears)",
      async run(db, args) {
        const id = await resolveUser(db, arg(args, 0, 'user'));
        const set = args.options.set;
        if (set === undefined) {
          const r = await one(db, 'select * from app_private.admin_user_row($1)', [id]);
          if (args.json) console.log(JSON.stringify({ id: r.id, email: r.email, roles: r.roles }));
          else console.log(r.roles.join(' ') || '(none)');
          return;
        }
        const wanted =
          set === true
            ? []
            : set
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean);
        const r = await one(db, 'select * from app_public.admin_set_roles($1, $2::text[])', [id, wanted]);
        printDone(args, `${r.email}: ${r.roles.join(' ')}`, { id: r.id, email: r.email, roles: r.roles });
      },
    },
  },
};
