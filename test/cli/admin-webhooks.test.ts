// `npm run admin -- webhooks ...` (proxy/cli/admin/webhooks.ts) as an operator runs it: a real
// process against the harness database, connected as the owner. Every command, its --json
// output, and its exit codes (2 usage, 3 not found, 4 refused: O5 for a private target).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with the harness's database variables only (plus `env`). */
function admin(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => /^[A-Z_]*DATABASE_URL$|^PATH$|^HOME$/.test(k)),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'proxy/cli/admin/index.ts', 'webhooks', ...args],
      { cwd: ROOT, env: { ...base, ...env } as NodeJS.ProcessEnv },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const PRIVATE = { WEBHOOK_ALLOW_PRIVATE: 'true' };
const URL_BASE = 'http://127.0.0.1:9/cli-hook';
let owner: pg.Pool;

beforeAll(() => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run through npm run test:unit');
  owner = new pg.Pool({ connectionString: url, max: 2 });
});
afterAll(async () => {
  await owner?.query(`delete from app_public.webhook_endpoints where url like $1`, [`${URL_BASE}%`]);
  await owner?.end();
});

describe('admin webhooks', { timeout: 90_000 }, () => {
  let endpoint = '';
  let delivery = '';

  it('O5: add refuses a loopback target unless WEBHOOK_ALLOW_PRIVATE=true (exit 4), and http URLs', async () => {
    const r = await admin(['add', 'https://127.0.0.1/cli-hook']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/refused: the address 127\.0\.0\.1/);
    const http = await admin(['add', 'http://hooks.example.com/cli-hook']);
    expect(http.code).toBe(4);
    expect(http.stderr).toMatch(/must be https/);
    const link = await admin(['add', 'https://169.254.169.254/cli-hook']);
    expect(link.code).toBe(4);
  });

  it('add prints the id and the whsec_ secret once; usage errors exit 2', async () => {
    const r = await admin(['add', `${URL_BASE}/a`, '--events', 'user.created,session.revoked', '--json'], PRIVATE);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({ id: expect.any(String), url: `${URL_BASE}/a`, secret: expect.stringMatching(/^whsec_/) });
    endpoint = out.id;
    expect((await admin(['add'], PRIVATE)).code).toBe(2);
    const bad = await admin(['add', `${URL_BASE}/b`, '--events', 'user.hacked'], PRIVATE);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/BADRQ/);
  });

  it('list shows the endpoint without its secret', async () => {
    const r = await admin(['list', '--json']);
    expect(r.code).toBe(0);
    const mine = JSON.parse(r.stdout).find((e: { id: string }) => e.id === endpoint);
    expect(mine).toMatchObject({
      url: `${URL_BASE}/a`,
      event_types: ['session.revoked', 'user.created'],
      enabled: true,
    });
    expect(r.stdout).not.toMatch(/whsec_/);
    const table = await admin(['list']);
    expect(table.stdout).toMatch(/^id\s+url\s+event_types/m);
    expect(table.stdout).toContain(endpoint);
  });

  it('deliveries lists pending and, with --failed, failed deliveries; retry queues one again', async () => {
    const { rows } = await owner.query<{ id: string }>(
      `insert into app_public.users (email) values ($1) returning id`,
      [`cli-webhook-${process.pid}-${Date.now()}@example.com`],
    );
    const user = rows[0]!.id;
    const d = await admin(['deliveries', endpoint, '--json']);
    expect(d.code).toBe(0);
    const list = JSON.parse(d.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ event_type: 'user.created', status: 'pending', attempts: 0 });
    delivery = list[0].id;

    // The worker's bookkeeping of a last attempt that failed (no worker runs in this file).
    await owner.query(`select app_private.record_webhook_attempt($1, 503, null, 1, interval '1 second')`, [delivery]);
    const failed = await admin(['deliveries', '--failed', endpoint, '--json']);
    expect(JSON.parse(failed.stdout)).toEqual([
      expect.objectContaining({
        id: delivery,
        status: 'failed',
        attempts: 1,
        last_response_status: 503,
        last_error: 'HTTP 503',
      }),
    ]);
    const human = await admin(['deliveries', endpoint, '--failed']);
    expect(human.stdout).toMatch(/failed\s+1\s+503\s+HTTP 503/);

    const retry = await admin(['retry', delivery]);
    expect(retry.code, retry.stderr).toBe(0);
    const after = JSON.parse((await admin(['deliveries', endpoint, '--json'])).stdout);
    expect(after[0]).toMatchObject({ id: delivery, status: 'pending' });
    const { rows: jobs } = await owner.query(
      `select count(*)::int n from graphile_worker.jobs where key = 'webhook:' || $1 and run_at <= now()`,
      [delivery],
    );
    expect(jobs[0].n).toBe(1);
    await owner.query('delete from app_public.users where id = $1', [user]);
  });

  it('retry and remove answer exit 3 for what does not exist, 2 for a malformed id', async () => {
    expect((await admin(['retry', '00000000-0000-0000-0000-000000000000'])).code).toBe(3);
    expect((await admin(['retry', 'nope'])).code).toBe(2);
    const r = await admin(['remove', endpoint, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, id: endpoint });
    expect((await admin(['remove', endpoint])).code).toBe(3);
    expect((await admin(['deliveries', endpoint, '--json'])).stdout.trim()).toBe('[]');
  });

  it('--help describes each command', async () => {
    const r = await admin(['add', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: npm run admin -- webhooks add <url>/);
    expect(r.stdout).toMatch(/password\.changed/);
  });
});
