// Issue 13, logs: one pino logger (proxy/core/logger.ts), JSON lines with the request id on
// every request line, no tokens, cookies, passwords, Authorization headers or GraphQL
// variables (D8), and the request id in PostgreSQL (the transaction's application_name) so a
// slow statement names its request. Request ids are passed explicitly: no AsyncLocalStorage.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, logger, tapLogs } from '../../proxy/core/logger.ts';
import { Client, email, LOGIN, PASSWORD, REFRESH, REGISTER, signedIn, useServer } from './server.ts';

const srv = useServer({ LOG_REQUESTS: 'true', LOG_LEVEL: 'debug' });
let owner: pg.Client;
/** pg_stat_activity shows other roles' statements and waits only to a superuser (or pg_read_all_stats). */
let monitor: pg.Client;
beforeAll(async () => {
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  monitor = new pg.Client({ connectionString: process.env.TEST_ROOT_DATABASE_URL });
  await monitor.connect();
});
afterAll(async () => {
  await owner?.end();
  await monitor?.end();
});

describe('structured logs', () => {
  it('D8: the logger censors secrets by name, at the top level and one level down', async () => {
    const secret = 'S3cr3t-value-never-logged';
    const { lines } = await captureLogs(async () => {
      logger.info(
        {
          requestId: 'logs-unit-0001',
          password: secret,
          token: secret,
          variables: { password: secret },
          headers: { authorization: `Bearer ${secret}`, cookie: `__Host-pgauth-at=${secret}`, 'set-cookie': secret },
          body: { refreshToken: secret, accessToken: secret, newPassword: secret },
        },
        'probe',
      );
    });
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'probe',
      requestId: 'logs-unit-0001',
      password: '[redacted]',
      variables: '[redacted]',
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'set-cookie': '[redacted]' },
      body: { refreshToken: '[redacted]', accessToken: '[redacted]', newPassword: '[redacted]' },
    });
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('D8: a register, login and refresh at debug level log one JSON line per request, each with its request id, and no password, token, cookie or variable', async () => {
    const raw: string[] = [];
    const stop = tapLogs((l) => raw.push(l));
    const c = new Client(srv.url);
    const e = email('logs');
    const secrets = new Set<string>([PASSWORD, 'not-a-real-token-xyz']);
    const keep = async () => {
      for (const k of await c.jar.getCookies(srv.url)) if (k.value.length >= 8) secrets.add(k.value);
    };
    try {
      await c.csrf();
      const bad = await c.gql(
        REGISTER,
        { email: e, password: PASSWORD },
        { headers: { 'x-request-id': 'logs-register-0001', authorization: 'Bearer not-a-real-token-xyz' } },
      );
      expect(bad.status, bad.raw).toBe(401); // a bad bearer token is refused, and not logged
      const ok = await c.gql<{ register: { userId: string } }>(
        REGISTER,
        { email: e, password: PASSWORD },
        { headers: { 'x-request-id': 'logs-register-0002' } },
      );
      expect(ok.data?.register.userId, ok.raw).toBeTruthy();
      await keep();
      const login = await c.gql<{ login: { userId: string } }>(LOGIN, { email: e, password: PASSWORD });
      expect(login.data?.login.userId, login.raw).toBeTruthy();
      await keep();
      const refresh = await c.gql<{ refresh: { userId: string } }>(REFRESH, {});
      expect(refresh.data?.refresh.userId, refresh.raw).toBeTruthy();
      await keep();
    } finally {
      stop();
    }
    const text = raw.join('');
    expect(secrets.size).toBeGreaterThanOrEqual(5); // access, refresh and CSRF cookies at least
    for (const s of secrets) expect(text, 'a secret reached the log').not.toContain(s);
    const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const l of requests) {
      expect(l).toMatchObject({ level: 'info', method: expect.any(String), status: expect.any(Number) });
      expect(String(l.requestId)).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
    }
    expect(requests.find((l) => l.requestId === 'logs-register-0001')).toMatchObject({ path: '/graphql', status: 401 });
    expect(requests.find((l) => l.requestId === 'logs-register-0002')).toMatchObject({ path: '/graphql', status: 200 });
    expect(requests.find((l) => l.path === '/auth/csrf')).toMatchObject({ method: 'GET', status: 200 });
  });

  it('issue 16: no AsyncLocalStorage in the edge (request ids are passed explicitly)', () => {
    const root = join(import.meta.dirname, '..', '..', 'proxy');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
      });
    const users = files(root).filter((f) =>
      /new AsyncLocalStorage|from 'node:async_hooks'/.test(readFileSync(f, 'utf8')),
    );
    expect(users).toEqual([]);
  });
});

describe('request ids in PostgreSQL', () => {
  it('a statement of a request carries its X-Request-Id as application_name (pg_stat_activity shows which request a slow query serves)', async () => {
    const a = await signedIn(srv, 'logsdb');
    const doc = await a.client.gql<{ createDocument: { document: { rowId: string } } }>(
      `mutation { createDocument(input: { document: { fullUrl: "https://logs.example/" } }) { document { rowId } } }`,
    );
    const rowId = doc.data!.createDocument.document.rowId;
    // Hold the row so the request's UPDATE waits, visible in pg_stat_activity.
    await owner.query('begin');
    await owner.query('select 1 from app_public.documents where id = $1 for update', [rowId]);
    const id = 'logs-slow-query-0001';
    const pending = a.client.gql(
      `mutation ($r: UUID!) { updateDocumentByRowId(input: { rowId: $r, documentPatch: { comment: "x" } }) { clientMutationId } }`,
      { r: rowId },
      { headers: { 'x-request-id': id } },
    );
    let seen: { query: string; wait_event_type: string | null } | undefined;
    try {
      // Bounded polling for a condition (the statement waiting on the lock), no sleeps.
      for (let i = 0; i < 2000 && !seen; i++) {
        const { rows } = await monitor.query<{ query: string; wait_event_type: string | null }>(
          'select query, wait_event_type from pg_stat_activity where application_name = $1',
          [id],
        );
        seen = rows.find((r) => r.wait_event_type === 'Lock');
      }
      if (!seen)
        console.log(
          (
            await owner.query(
              "select application_name, wait_event_type, query from pg_stat_activity where wait_event_type = 'Lock'",
            )
          ).rows,
        );
    } finally {
      await owner.query('rollback');
    }
    const done = await pending;
    expect(done.errors, done.raw).toBeUndefined();
    expect(seen, 'no backend named by the request id').toBeDefined();
    expect(seen!.query).toMatch(/update/i);
    // The setting is the transaction's: idle connections are back to their own name.
    const { rows } = await monitor.query('select 1 from pg_stat_activity where application_name = $1', [id]);
    expect(rows).toEqual([]);
  });
});
