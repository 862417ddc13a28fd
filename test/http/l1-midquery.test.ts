// L1 (issue item 12): a database connection that dies while a request is using it (an
// administrator's pg_terminate_backend, a primary restart) fails that request with 503 and
// nothing else. pg emits 'error' on a client in use, and pg-pool listens only while clients
// are idle: without a listener of the edge's own, that is an uncaught exception that ends the
// process. Here logins (bcrypt makes them slow) run while every backend of the login role is
// terminated, again and again, from a superuser connection.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../proxy/core/errors.ts';
import { closeOwner, type RawResult, rawPost } from './helpers.ts';
import { email, LOGIN, PASSWORD, REGISTER, useServer } from './server.ts';

const srv = useServer();
const uncaught: unknown[] = [];
const record = (e: unknown) => uncaught.push(e);
let root: pg.Client;
const users: string[] = [];

/** Rounds of logins under termination until one was cut mid-request (bounded). */
const MAX_ROUNDS = 8;
const LOGINS_PER_ROUND = 16;

beforeAll(async () => {
  process.on('uncaughtException', record);
  const url = new URL(process.env.TEST_ROOT_DATABASE_URL!);
  url.pathname = new URL(process.env.DATABASE_URL!).pathname;
  root = new pg.Client({ connectionString: url.toString() });
  await root.connect();
  for (let i = 0; i < 4; i++) {
    const e = email('midquery');
    const r = await rawPost(srv, { query: REGISTER, variables: { email: e, password: PASSWORD } }, body);
    expect(r.json?.data?.register?.userId, r.raw).toBeTruthy();
    users.push(e);
  }
});
afterAll(async () => {
  process.off('uncaughtException', record);
  await root?.end();
  await closeOwner();
});

const body = { 'x-token-delivery': 'body' };

/** Terminates every backend of the login role (in use or idle); returns how many. */
async function terminateLoginBackends(): Promise<number> {
  const role = decodeURIComponent(new URL(process.env.AUTH_DATABASE_URL!).username);
  const { rows } = await root.query<{ n: number }>(
    `select count(*) filter (where pg_catalog.pg_terminate_backend(pid))::int as n
       from pg_catalog.pg_stat_activity where usename = $1 and state in ('active', 'idle in transaction')`,
    [role],
  );
  return rows[0]!.n;
}

function expectFailedClosed(r: RawResult): void {
  expect(r.json, r.raw).toBeDefined();
  if (r.status === 200) {
    if (r.json?.errors) for (const e of r.json.errors) expect(isErrorCode(e.extensions?.code), r.raw).toBe(true);
    else expect(r.json?.data?.login?.accessToken, r.raw).toMatch(/^ey/);
    return;
  }
  expect(r.status, r.raw).toBe(503);
  expect(r.json?.errors?.[0]?.extensions?.code, r.raw).toBe('UNAVAILABLE');
  expect(r.raw).not.toMatch(/terminat|administrator|postgres|ECONN/i);
}

describe('L1: connections dropped mid-request', () => {
  it('L1: logins whose backends are terminated mid-query answer 503 UNAVAILABLE; the process lives and recovers', async () => {
    let cut = 0;
    let terminated = 0;
    for (let round = 0; round < MAX_ROUNDS && cut === 0; round++) {
      let pending = LOGINS_PER_ROUND;
      const requests = Array.from({ length: LOGINS_PER_ROUND }, (_, i) =>
        rawPost(srv, { query: LOGIN, variables: { email: users[i % users.length], password: PASSWORD } }, body).finally(
          () => pending--,
        ),
      );
      // Each iteration is one query on the superuser connection: no sleeping.
      while (pending > 0) terminated += await terminateLoginBackends();
      const results = await Promise.all(requests);
      for (const r of results) expectFailedClosed(r);
      cut += results.filter((r) => r.status === 503).length;
    }
    expect(terminated).toBeGreaterThan(0);
    expect(cut, 'no login was cut mid-request: the test proved nothing').toBeGreaterThan(0);
    expect(uncaught).toEqual([]);

    // The same process still serves, with fresh connections.
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    const again = await rawPost(srv, { query: LOGIN, variables: { email: users[0], password: PASSWORD } }, body);
    expect(again.json?.data?.login?.accessToken, again.raw).toMatch(/^ey/);
  });
});
