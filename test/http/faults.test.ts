// L1/F6: with the database unreachable, requests fail closed with 503, refresh neither
// clears cookies nor revokes, and the server recovers without a restart. The fault is real:
// a TCP proxy between the edge and PostgreSQL that drops every connection while "down",
// also while queries are in flight (a primary restart under load).
import { EventEmitter, once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../proxy/core/errors.ts';
import { type RawResult, rawPost } from './helpers.ts';
import {
  email,
  freePort,
  LOGIN,
  PASSWORD,
  REFRESH,
  REGISTER,
  signedIn,
  startServer,
  type TestServer,
} from './server.ts';

/** Emits 'upstream' whenever the edge sends bytes to PostgreSQL (a query is on its way). */
class FaultyLink extends EventEmitter {
  private server!: Server;
  private sockets = new Set<Socket>();
  down = false;
  port = 0;
  constructor(
    private readonly host: string,
    private readonly target: number,
  ) {
    super();
  }
  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((client) => {
      if (this.down) return client.destroy();
      const upstream = connect(this.target, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.on('data', () => this.emit('upstream'));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', () => r()));
  }
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }
  restore(): void {
    this.down = false;
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let link: FaultyLink;
let srv: TestServer;

beforeAll(async () => {
  const real = new URL(process.env.AUTH_DATABASE_URL!);
  link = new FaultyLink(real.hostname, Number(real.port || 5432));
  await link.start();
  const viaLink = new URL(real);
  viaLink.hostname = '127.0.0.1';
  viaLink.port = String(link.port);
  srv = await startServer({ AUTH_DATABASE_URL: viaLink.toString() });
});
afterAll(async () => {
  await srv?.close();
  await link?.close();
});

describe('database outage', () => {
  it('L1: fails closed with 503, keeps the session cookies, and recovers without a restart', async () => {
    const { client, userId } = await signedIn(srv, 'outage');
    const before = await client.jar.getCookieString(srv.url);

    link.cut();
    const health = await fetch(`${srv.url}/readyz`);
    expect(health.status).toBe(503);
    const me = await client.gql('{ currentUser { rowId } }');
    expect(me.status).toBe(503);
    expect(me.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect(me.raw).not.toMatch(/ECONNREFUSED|ECONNRESET|127\.0\.0\.1|postgres/i);
    const refresh = await client.gql(REFRESH);
    expect(refresh.status).toBe(503);
    expect(refresh.headers.getSetCookie()).toEqual([]); // no cleared cookies, no new ones
    expect(await client.jar.getCookieString(srv.url)).toBe(before);

    link.restore();
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    const again = await client.gql<{ refresh: { userId: string } }>(REFRESH);
    expect(again.data?.refresh.userId).toBe(userId); // the old refresh token was not revoked
    const me2 = await client.gql<{ currentUser: { rowId: string } }>('{ currentUser { rowId } }');
    expect(me2.data?.currentUser.rowId).toBe(userId);
  });
});

describe('database lost under load', () => {
  const body = { 'x-token-delivery': 'body' };
  const uncaught: unknown[] = [];
  const record = (e: unknown) => uncaught.push(e);
  beforeAll(() => {
    process.on('uncaughtException', record);
  });
  afterAll(() => {
    process.off('uncaughtException', record);
  });

  function expectFailedClosed(r: RawResult): void {
    expect(r.json, r.raw).toBeDefined();
    if (r.status === 200) {
      for (const e of r.json?.errors ?? []) expect(isErrorCode(e.extensions?.code), r.raw).toBe(true);
      return;
    }
    expect(r.status, r.raw).toBe(503);
    expect(r.json?.errors?.[0]?.extensions?.code, r.raw).toBe('UNAVAILABLE');
  }

  it('L1: links cut while logins are in flight: 503 UNAVAILABLE, the process lives, and it recovers', async () => {
    const users: string[] = [];
    for (let i = 0; i < 4; i++) {
      const e = email('inflight');
      const r = await rawPost(srv, { query: REGISTER, variables: { email: e, password: PASSWORD } }, body);
      expect(r.json?.data?.register?.userId, r.raw).toBeTruthy();
      users.push(e);
    }
    let cut = 0;
    // Bounded rounds until a cut caught at least one request mid-flight.
    for (let round = 0; round < 8 && cut === 0; round++) {
      const sending = once(link, 'upstream');
      const requests = users
        .flatMap((u) => [u, u, u, u])
        .map((u) => rawPost(srv, { query: LOGIN, variables: { email: u, password: PASSWORD } }, body));
      await sending; // a query is on its way: cut now, under it
      link.cut();
      const results = await Promise.all(requests);
      link.restore();
      for (const r of results) expectFailedClosed(r);
      cut += results.filter((r) => r.status === 503).length;
    }
    expect(cut, 'no request was cut: the test proved nothing').toBeGreaterThan(0);
    expect(uncaught).toEqual([]);

    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    const again = await rawPost(srv, { query: LOGIN, variables: { email: users[0], password: PASSWORD } }, body);
    expect(again.json?.data?.login?.accessToken, again.raw).toMatch(/^ey/);
  });
});
