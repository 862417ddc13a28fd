/**
 * `npm run admin -- oauth accounts <user> | unlink <user> <provider> | refresh status|once`:
 * linked providers and the provider-token refresh job (proxy/features/oauth/refresh-job.ts).
 */
import {
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

export const oauth: CommandGroup = {
  summary: 'linked sign-in providers and provider-token refresh',
  commands: {
    accounts: {
      usage: 'accounts <user>',
      summary: "a user's linked providers with their token state (never a token)",
      async run(db, args) {
        const id = await resolveUser(db, arg(args, 0, 'user'));
        const { rows } = await db.query(
          `select i.provider, i.subject, i.email::text as email, i.created_at as linked_at,
                  t.access_token_expires_at as token_expires_at, t.refresh_token_enc is not null as has_refresh_token,
                  t.refreshed_at, coalesce(t.refresh_attempts, 0) as refresh_attempts, t.last_refresh_error
             from app_public.user_identities i
             left join app_private.user_identity_tokens t on t.identity_id = i.id
            where i.user_id = $1 order by i.provider`,
          [id],
        );
        printRows(args, rows, [
          'provider',
          'subject',
          'email',
          'linked_at',
          'token_expires_at',
          'has_refresh_token',
          'refreshed_at',
          'refresh_attempts',
          'last_refresh_error',
        ]);
      },
    },
    unlink: {
      usage: 'unlink <user> <provider> [--force --reason <text>]',
      summary: "unlink a provider; the user's last way to sign in only with --force and a reason",
      async run(db, args) {
        const id = await resolveUser(db, arg(args, 0, 'user'));
        const provider = arg(args, 1, 'provider');
        const force = args.options.force === true;
        const reason = opt(args, 'reason') ?? null;
        const { rows } = await db.query<{ providers: string[] }>(
          'select providers from app_public.admin_unlink_identity($1, $2, $3, $4)',
          [id, provider, force, reason],
        );
        printDone(args, `unlinked ${provider}; left: ${rows[0]!.providers.join(' ') || '(none)'}`, {
          providers: rows[0]!.providers,
        });
      },
    },
    refresh: {
      usage: 'refresh status|once',
      summary: 'provider-token refresh: queue depth, last run, refreshed, failed; or run it once now',
      help: [
        'status  per provider: tokens held, due (expiring within 5 minutes and still retried), refreshed',
        '        in the last 24 h, failing (an error, still retried), given up (3 failures), last refresh',
        'once    renew due tokens now, as the server does every OAUTH_REFRESH_INTERVAL_MS; exit 4 if any failed',
      ].join('\n'),
      async run(db, args) {
        const what = arg(args, 0, 'status|once');
        if (what === 'status') {
          const { rows } = await db.query(
            `select i.provider, count(*)::int as tokens,
                    (count(*) filter (where t.refresh_token_enc is not null and t.refresh_attempts < 3
                                        and t.access_token_expires_at < now() + interval '5 minutes'))::int as due,
                    (count(*) filter (where t.refreshed_at > now() - interval '24 hours'))::int as refreshed_24h,
                    (count(*) filter (where t.last_refresh_error is not null and t.refresh_attempts < 3))::int as failing,
                    (count(*) filter (where t.refresh_attempts >= 3))::int as given_up,
                    max(t.refreshed_at) as last_refresh
               from app_private.user_identity_tokens t join app_public.user_identities i on i.id = t.identity_id
              group by i.provider order by i.provider`,
          );
          if (args.json) {
            console.log(JSON.stringify({ providers: rows }));
            return;
          }
          const total = rows.reduce((a, r) => ({ due: a.due + r.due, failing: a.failing + r.failing }), {
            due: 0,
            failing: 0,
          });
          printRows(args, rows, ['provider', 'tokens', 'due', 'refreshed_24h', 'failing', 'given_up', 'last_refresh']);
          console.log(`queue depth ${total.due}, failing ${total.failing}`);
          return;
        }
        if (what !== 'once') throw new CliError('usage: oauth refresh status|once', EXIT.usage);
        // Loaded here: the provider client and the pool pull in PostGraphile's adaptor, which
        // every other command can do without (start-up time).
        const { loadConfig } = await import('../../core/config.ts');
        const { createPool } = await import('../../core/db.ts');
        const { ProviderClient } = await import('../../features/oauth/flow.ts');
        const { refreshProviderTokens } = await import('../../features/oauth/refresh-job.ts');
        const cfg = loadConfig();
        if (!cfg.oauth.tokenKeys || !cfg.oauth.providers.size) {
          // Nothing to renew is not a usage error (a cron job on a deployment without providers).
          console.error('no providers configured: nothing to refresh');
          if (args.json) console.log(JSON.stringify({ ok: true, refreshed: 0, failed: 0 }));
          else printRecord(args, { refreshed: 0, failed: 0 });
          return;
        }
        const clients = new Map(
          [...cfg.oauth.providers].map(([n, p]) => [
            n,
            new ProviderClient(p, cfg.production, cfg.oauth.providerTimeoutMs),
          ]),
        );
        const pool = createPool(cfg.db.authUrl, 2);
        try {
          const s = await refreshProviderTokens(pool, clients, cfg.oauth.tokenKeys);
          if (args.json) console.log(JSON.stringify({ ok: s.failed === 0, refreshed: s.renewed, failed: s.failed }));
          else printRecord(args, { refreshed: s.renewed, failed: s.failed });
          if (s.failed) throw new CliError(`${s.failed} token(s) failed to refresh`, EXIT.refused);
        } finally {
          await pool.end();
        }
      },
    },
  },
};
