// `npm run admin -- ...` against the harness database (the owner URL, as an operator runs it):
// every command, human output and --json, exit codes (0 ok, 2 usage, 3 not found, 4 refused by
// the database's rules), --help, and audit rows that say `cli`. Most commands run in-process
// through the CLI's own `run(argv)` with stdout/stderr captured (spawning node per command made
// this file take over a minute); real child processes still prove the entry point: --help, a
// command against the database, --follow stopped by SIGTERM, and exit 1 without a database.
import { AsyncLocalStorage } from 'node:async_hooks';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../proxy/cli/admin/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'pgauth-admin-cli-'));
const cliEnv = {
  DATA_DIR: dir,
  JWT_KEYS_DIR: join(dir, 'keys'),
  DEV_SECRET_FILE: join(dir, 'csrf-secret'),
  OAUTH_TOKEN_KEYS_FILE: join(dir, 'oauth-token-keys'),
  OAUTH_PROVIDER_TIMEOUT_MS: '2000',
  OIDC_GITHUB_CLIENT_ID: 'gh',
  OIDC_GITHUB_CLIENT_SECRET: 'ghs',
};
// The in-process runs read the same configuration (this file runs in its own worker).
Object.assign(process.env, cliEnv);
const env = { ...process.env, ...cliEnv };
const ENTRY = ['--import', 'tsx', 'proxy/cli/admin/index.ts'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// console.log/error of a run go to that run's buffers, so concurrent runs do not mix.
const capture = new AsyncLocalStorage<{ out: string[]; err: string[] }>();
const original = { log: console.log, error: console.error };
console.log = (...a: unknown[]) => {
  const c = capture.getStore();
  if (c) c.out.push(`${format(...a)}\n`);
  else original.log(...a);
};
console.error = (...a: unknown[]) => {
  const c = capture.getStore();
  if (c) c.err.push(`${format(...a)}\n`);
  else original.error(...a);
};

/** One command in-process, as `npm run admin -- ...args` would run it. */
function admin(...args: string[]): Promise<Run> {
  const c = { out: [] as string[], err: [] as string[] };
  return capture.run(c, async () => {
    const code = await run(args);
    return { code, stdout: c.out.join(''), stderr: c.err.join('') };
  });
}
/** One command as a child process (the real entry point), with extra environment. */
function child(extra: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...ENTRY, ...args], { env: { ...env, ...extra } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const json = (r: Run) => JSON.parse(r.stdout);

let db: pg.Client;
const tag = `${process.pid}-${Date.now().toString(36)}`;
const mail = (n: string) => `cli-${n}-${tag}@example.com`;
const ids: Record<string, string> = {};

async function user(name: string, extra: Partial<{ verified: boolean }> = {}): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into app_public.users (email, display_name, email_verified_at) values ($1, $2, $3) returning id`,
    [mail(name), `CLI ${name}`, extra.verified ? new Date() : null],
  );
  ids[name] = rows[0]!.id;
  return rows[0]!.id;
}

beforeAll(async () => {
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  await user('ann', { verified: true });
  await user('ben');
  await user('cat');
  await user('boss');
  await db.query(`insert into app_public.user_roles (user_id, role) values ($1, 'admin')`, [ids.boss]);
  await db.query(
    `insert into app_private.sessions (user_id, expires_at) values ($1, now() + interval '1 day'), ($1, now() + interval '1 day')`,
    [ids.ben],
  );
  const { rows } = await db.query<{ id: string }>(
    `insert into app_public.user_identities (user_id, provider, issuer, subject) values ($1, 'gone', 'https://gone.example', $2) returning id`,
    [ids.cat, `cat-${tag}`],
  );
  // A provider token due for renewal, of a provider this process does not configure.
  await db.query(
    `insert into app_private.user_identity_tokens (identity_id, key_id, refresh_token_enc, access_token_expires_at)
     values ($1, 'k1', '\\x00', now() + interval '1 minute')`,
    [rows[0]!.id],
  );
});
afterAll(async () => {
  console.log = original.log;
  console.error = original.error;
  await db?.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run admin', () => {
  it('--help lists every group and command; each command has --help; usage errors exit 2', async () => {
    const h = await child({}, '--help');
    expect(h.code).toBe(0);
    for (const c of [
      'users list',
      'users show',
      'users ban',
      'users unban',
      'users roles',
      'sessions list',
      'sessions revoke',
      'oauth accounts',
      'oauth unlink',
      'oauth refresh',
      'audit tail',
      'keys list',
      'keys rotate',
    ]) {
      expect(h.stdout).toContain(c);
    }
    const [ban, none, unknown, badCommand, noUser, noReason] = await Promise.all([
      admin('users', 'ban', '--help'),
      admin(),
      child({}, 'nope', 'x'),
      admin('users', 'nope'),
      admin('users', 'show'),
      admin('users', 'ban', mail('ben')), // --reason missing
    ]);
    expect(ban.code).toBe(0);
    expect(ban.stdout).toMatch(/usage: npm run admin -- users ban <user> --reason <text>/);
    expect(none.code).toBe(2);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown group: nope/);
    expect(badCommand.code).toBe(2);
    expect(noUser.code).toBe(2);
    expect(noReason.code).toBe(2);
  });

  it('a mistyped option, an invalid --since and contradictory filters are usage errors (exit 2), not ignored', async () => {
    const [typo, typoFlag, since, both, unknownOnKeys] = await Promise.all([
      admin('users', 'list', '--serach', tag),
      admin('sessions', 'revoke', mail('cat'), '--al'),
      admin('audit', 'tail', '--since', 'yesterday-ish'),
      admin('audit', 'tail', '--failed', '--succeeded'),
      admin('keys', 'rotate', '--force'),
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option --serach for users list/);
    expect(typo.stdout).toBe('');
    expect(typoFlag.code).toBe(2);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since must be a time/);
    expect(both.code).toBe(2);
    expect(unknownOnKeys.code).toBe(2);
    // Options a command documents stay accepted.
    expect(
      (await admin('audit', 'tail', '--since', '2020-01-01T00:00:00Z', '--limit', '1', '--interval', '100')).code,
    ).toBe(0);
  });

  it('users list: a table, --json, search and filters, keyset cursor', async () => {
    const [t, all4, ver, adm, p1r, bad] = await Promise.all([
      admin('users', 'list', '--search', `cli-ann-${tag}`),
      admin('users', 'list', '--search', tag, '--json'),
      admin('users', 'list', '--search', tag, '--verified', '--json'),
      admin('users', 'list', '--search', tag, '--role', 'admin', '--json'),
      admin('users', 'list', '--search', tag, '--limit', '2', '--json'),
      admin('users', 'list', '--limit', '0'),
    ]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^id\s+email\s+display_name\s+created_at\s+last_sign_in_at\s+verified\s+status\s+roles/);
    expect(t.stdout).toContain(mail('ann'));
    expect(
      json(all4)
        .users.map((u: { email: string }) => u.email)
        .sort(),
    ).toEqual(['ann', 'ben', 'boss', 'cat'].map(mail).sort());
    expect(json(ver).users.map((u: { email: string }) => u.email)).toEqual([mail('ann')]);
    expect(json(adm).users.map((u: { email: string }) => u.email)).toEqual([mail('boss')]);
    expect(bad.code).toBe(2);
    const p1 = json(p1r);
    expect(p1.users.length).toBe(2);
    const p2 = json(await admin('users', 'list', '--search', tag, '--limit', '2', '--before', p1.next, '--json'));
    expect(p2.users.length).toBe(2);
    const all = [...p1.users, ...p2.users].map((u: { id: string }) => u.id);
    expect(new Set(all).size).toBe(4);
  });

  it('users show: by email or id, with sessions and audit; unknown user exits 3', async () => {
    const s = await child({}, 'users', 'show', mail('ben'));
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/email\s+cli-ben/);
    expect(s.stdout).toMatch(/\nsessions\n/);
    const j = json(await admin('users', 'show', ids.ben!, '--json'));
    expect(j.user.email).toBe(mail('ben'));
    expect(j.sessions.length).toBe(2);
    const missing = await admin('users', 'show', 'nobody@example.com');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no such user/);
  });

  it('sessions list|revoke', async () => {
    const l = json(await admin('sessions', 'list', mail('ben'), '--json'));
    expect(l.length).toBe(2);
    expect((await admin('sessions', 'list', mail('ben'))).stdout).toMatch(/^id\s+created_at/);
    const r = await admin('sessions', 'revoke', mail('ben'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/revoked 2 session/);
    expect(json(await admin('sessions', 'revoke', mail('ben'), '--json'))).toEqual({ ok: true, revoked: 0 });
    expect(json(await admin('sessions', 'list', mail('ben'), '--json'))).toEqual([]);
  });

  it('O4: users ban|unban: audited as cli; unbanning a user who is not banned exits 3', async () => {
    const b = await admin('users', 'ban', mail('ann'), '--reason', 'spam', '--until', '2099-01-01T00:00:00Z');
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/banned cli-ann-.* until 2099-01-01/);
    const { rows } = await db.query(
      `select actor_role, actor_user_id, detail ->> 'reason' as reason from app_public.audit_log where event = 'user_banned' and target_id = $1`,
      [ids.ann],
    );
    expect(rows).toEqual([{ actor_role: 'cli', actor_user_id: null, reason: 'spam' }]);
    expect(
      json(await admin('users', 'list', '--search', tag, '--banned', '--json')).users.map(
        (u: { email: string }) => u.email,
      ),
    ).toEqual([mail('ann')]);
    expect((await admin('users', 'ban', mail('ann'), '--reason', 'x', '--until', 'soon')).code).toBe(2);
    const u = json(await admin('users', 'unban', mail('ann'), '--json'));
    expect(u.ok).toBe(true);
    expect(u.user.status).toBe('active');
    const again = await admin('users', 'unban', mail('ann'));
    expect(again.code).toBe(3);
  });

  it('O4: users roles: show, set, clear (audited as cli); an unknown role exits 3', async () => {
    expect((await admin('users', 'roles', mail('ben'))).stdout.trim()).toBe('user');
    const set = json(await admin('users', 'roles', mail('ben'), '--set', 'moderator', '--json'));
    expect(set.roles).toEqual(['moderator', 'user']);
    const { rows } = await db.query(
      `select actor_role from app_public.audit_log where event = 'admin_roles_set' and target_id = $1`,
      [ids.ben],
    );
    expect(rows).toEqual([{ actor_role: 'cli' }]);
    expect(json(await admin('users', 'roles', mail('ben'), '--set=', '--json')).roles).toEqual(['user']);
    expect((await admin('users', 'roles', mail('ben'), '--set', 'no_such_role')).code).toBe(3);
  });

  it('oauth accounts|unlink: the last way to sign in is refused (exit 4) unless forced with a reason', async () => {
    const a = await admin('oauth', 'accounts', mail('cat'));
    expect(a.stdout).toMatch(/^provider\s+subject/);
    expect(a.stdout).toContain('gone');
    const aj = json(await admin('oauth', 'accounts', mail('cat'), '--json'));
    expect(aj).toMatchObject([{ provider: 'gone', has_refresh_token: true, refresh_attempts: 0 }]);
    expect(JSON.stringify(aj)).not.toMatch(/refresh_token_enc|\\x00/);
    const refused = await admin('oauth', 'unlink', mail('cat'), 'gone');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/LASTM/);
    expect((await admin('oauth', 'unlink', mail('cat'), 'nope')).code).toBe(3);
    expect((await admin('oauth', 'unlink', mail('cat'))).code).toBe(2);
  });

  it('oauth refresh status|once: queue depth and failures; a failed refresh exits 4', async () => {
    const s = await admin('oauth', 'refresh', 'status');
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^provider\s+tokens\s+due\s+refreshed_24h\s+failing\s+given_up\s+last_refresh/);
    expect(s.stdout).toMatch(/queue depth \d+/);
    const before = json(await admin('oauth', 'refresh', 'status', '--json')).providers.find(
      (p: { provider: string }) => p.provider === 'gone',
    );
    expect(before).toMatchObject({ due: 1, failing: 0 });
    const once = await admin('oauth', 'refresh', 'once', '--json');
    expect(once.code).toBe(4);
    expect(json(once).failed).toBeGreaterThanOrEqual(1);
    const after = json(await admin('oauth', 'refresh', 'status', '--json')).providers.find(
      (p: { provider: string }) => p.provider === 'gone',
    );
    expect(after).toMatchObject({ failing: 1 });
    expect((await admin('oauth', 'refresh', 'sometimes')).code).toBe(2);
    // ...and after the forced unlink the account has no provider left.
    const forced = json(
      await admin('oauth', 'unlink', mail('cat'), 'gone', '--force', '--reason', 'closed provider', '--json'),
    );
    expect(forced).toEqual({ ok: true, providers: [] });
  });

  it('audit tail: filters, --json lines, --follow prints new rows as they are written', async () => {
    const t = await admin('audit', 'tail', '--user', mail('ann'), '--limit', '5');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/user_banned\s+by cli/);
    const lines = (await admin('audit', 'tail', '--event', 'user_banned', '--user', mail('ann'), '--json')).stdout
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(['user_banned']);

    const follower: ChildProcess = spawn(
      process.execPath,
      [...ENTRY, 'audit', 'tail', '--follow', '--interval', '100', '--json', '--event', 'user_banned'],
      {
        env,
      },
    );
    let out = '';
    const seen = (pred: (s: string) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (pred(out)) resolve();
        };
        follower.stdout!.on('data', (d) => {
          out += d;
          check();
        });
        check();
      });
    // The follower has printed its first page before the new row is written.
    await seen((s) => s.includes(ids.ann!));
    await admin('users', 'ban', mail('cat'), '--reason', 'followed');
    await seen((s) => s.includes(ids.cat!));
    const exited = new Promise<number | null>((r) => follower.once('exit', (c) => r(c)));
    follower.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).target_id),
    ).toContain(ids.cat);
  });

  it('exit 1 when the database cannot be reached', async () => {
    const r = await child({ DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' }, 'users', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
  });

  it('keys rotate|list (JWT_KEYS_DIR, no database)', async () => {
    const r = json(await admin('keys', 'rotate', '--json'));
    expect(r.ok).toBe(true);
    const l = await admin('keys', 'list');
    expect(l.stdout).toMatch(new RegExp(`${r.kid}\\s+EdDSA\\s+signing`));
    expect(json(await admin('keys', 'list', '--json'))).toEqual([{ kid: r.kid, alg: 'EdDSA', state: 'signing' }]);
  });
});
