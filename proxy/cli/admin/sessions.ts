/** `npm run admin -- sessions list|revoke <user>`, audited as `cli`. */
import { arg, type CommandGroup, printDone, printRows, resolveUser } from './common.ts';

export const sessions: CommandGroup = {
  summary: "a user's live sessions",
  commands: {
    list: {
      usage: 'list <user>',
      summary: 'live sessions of a user (impersonations show the admin in actor_id; API keys in is_api_key)',
      async run(db, args) {
        const id = await resolveUser(db, arg(args, 0, 'user'));
        const { rows } = await db.query(
          `select s.id, s.created_at, s.last_used_at, s.expires_at, s.ip, s.user_agent, s.aal, s.amr, s.actor_id, s.is_api_key
             from app_public.admin_user($1) d, unnest(d.sessions) s`,
          [id],
        );
        printRows(args, rows, [
          'id',
          'created_at',
          'last_used_at',
          'expires_at',
          'ip',
          'aal',
          'amr',
          'actor_id',
          'is_api_key',
        ]);
      },
    },
    revoke: {
      usage: 'revoke <user>',
      summary: 'end every session of a user now (API keys included)',
      async run(db, args) {
        const id = await resolveUser(db, arg(args, 0, 'user'));
        const { rows } = await db.query<{ n: number }>('select app_public.admin_revoke_sessions($1) as n', [id]);
        printDone(args, `revoked ${rows[0]!.n} session(s)`, { revoked: rows[0]!.n });
      },
    },
  },
};
