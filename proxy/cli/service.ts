/**
 * Service accounts (issue #11 part 3), run as the schema owner (DATABASE_URL):
 *
 *   npm run service -- create <name> [expires-at]   a bot with a client id; prints the secret once
 *   npm run service -- rotate <client-id> [expires-at]  a new secret (two stay live; older ones revoked)
 *   npm run service -- revoke <client-id>            revokes every secret and session, disables the bot
 *   npm run service -- list                          client ids, names, live secrets
 */
import pg from 'pg';
import { loadConfig } from '../core/config.ts';

const [cmd, arg, expires] = process.argv.slice(2);
const usage =
  'usage: npm run service -- create <name> [expires-at] | rotate <client-id> [expires-at] | revoke <client-id> | list';
const client = new pg.Client({ connectionString: loadConfig().db.ownerUrl });
await client.connect();
try {
  if (cmd === 'create' && arg) {
    const { rows } = await client.query('select * from app_private.create_service_account($1, $2)', [
      arg,
      expires ?? null,
    ]);
    console.log(
      `client_id     ${rows[0].client_id}\nclient_secret ${rows[0].client_secret}\n(shown once: store it now)`,
    );
  } else if (cmd === 'rotate' && arg) {
    const { rows } = await client.query('select app_private.add_service_secret($1, $2) as secret', [
      arg,
      expires ?? null,
    ]);
    console.log(
      `client_secret ${rows[0].secret}\n(shown once; the previous secret stays valid until the next rotation)`,
    );
  } else if (cmd === 'revoke' && arg) {
    await client.query('select app_private.revoke_service_account($1)', [arg]);
    console.log(`revoked ${arg}`);
  } else if (cmd === 'list') {
    const { rows } = await client.query(
      `select c.client_id, c.name, u.disabled_at is not null as disabled,
              count(s.id) filter (where s.revoked_at is null and (s.expires_at is null or s.expires_at > now()))::int as live_secrets
         from app_private.service_clients c join app_public.users u on u.id = c.user_id
         left join app_private.service_secrets s on s.client_id = c.client_id
        group by 1, 2, 3 order by 1`,
    );
    for (const r of rows)
      console.log(`${r.client_id}  ${r.name}  secrets=${r.live_secrets}${r.disabled ? '  disabled' : ''}`);
  } else {
    console.error(usage);
    process.exitCode = 2;
  }
} finally {
  await client.end();
}
