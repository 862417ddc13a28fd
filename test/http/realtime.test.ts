// Realtime subscriptions (P1-P4) with the graphql-ws client against the real server: events
// arrive, each re-read under RLS as its subscriber, unsharing stops them, logout, revocation,
// expiry and disabling close the socket (4401 / 4403), foreign Origins are refused at the
// upgrade, and the limits bite.
import { type Client as WsClient, createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { LOGIN, LOGOUT, PASSWORD, signedIn, useServer } from './server.ts';
import { signAccessToken, verifyAccessToken } from '../../proxy/core/tokens.ts';
import { closeOwner, nativeUser, owner, uniqueIp } from './helpers.ts';

const srv = useServer({
  TRUST_PROXY_HOPS: '1',
  REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
  REALTIME_MAX_SUBSCRIPTIONS_PER_USER: '4',
  REALTIME_CONNECTIONS_PER_MINUTE: '3',
  REALTIME_MAX_MESSAGE_BYTES: '4096',
  REALTIME_SESSION_CHECK_MS: '200',
});
const open: WsClient[] = [];
afterAll(async () => {
  for (const c of open) await c.dispose();
  await closeOwner();
});

const DOC = `subscription { documentChanged { kind documentId document { rowId fullUrl } } }`;
const SESSIONS = `subscription { mySessionsChanged { kind sessionId } }`;
const CREATE = `mutation ($u: String!) { createDocument(input: { document: { fullUrl: $u } }) { document { rowId } } }`;
const SHARE = `mutation ($d: UUID!, $s: UUID!) { shareDocument(input: { documentId: $d, subjectId: $s, role: viewer }) { clientMutationId } }`;
const UNSHARE = `mutation ($d: UUID!, $s: UUID!) { unshareDocument(input: { documentId: $d, subjectId: $s }) { clientMutationId } }`;
const UPDATE = `mutation ($r: UUID!, $c: String) { updateDocumentByRowId(input: { rowId: $r, documentPatch: { comment: $c } }) { clientMutationId } }`;
const DELETE = `mutation ($r: UUID!) { deleteDocumentByRowId(input: { rowId: $r }) { clientMutationId } }`;

type Ev = {
  kind: string;
  documentId?: string | null;
  sessionId?: string | null;
  document?: { fullUrl: string } | null;
};
// biome-ignore lint/suspicious/noExplicitAny: results are walked by field name
type Result = { data?: Record<string, any> | null; errors?: { extensions?: { code?: string } }[] };

/** A subscription's results in order; `next()` waits for the next one. */
class Feed {
  #items: Result[] = [];
  #waiters: ((r: Result) => void)[] = [];
  push(r: Result) {
    const w = this.#waiters.shift();
    if (w) w(r);
    else this.#items.push(r);
  }
  next(): Promise<Result> {
    const r = this.#items.shift();
    return r ? Promise.resolve(r) : new Promise((res) => this.#waiters.push(res));
  }
  async event(field: string): Promise<Ev> {
    const r = await this.next();
    if (!r.data?.[field]) throw new Error(`expected an event, got ${JSON.stringify(r)}`);
    return r.data[field] as Ev;
  }
}

interface Socket {
  client: WsClient;
  closed: Promise<{ code: number; reason: string }>;
  /** Subscribes and waits for SUBSCRIBED: from then on every change is delivered. */
  subscribe(query: string, field: string): Promise<Feed>;
}

function connect(o: { cookie?: string; token?: string; origin?: string; ip?: string } = {}): Socket {
  const headers: Record<string, string> = { origin: o.origin ?? srv.url, 'x-forwarded-for': o.ip ?? uniqueIp() };
  if (o.cookie) headers.cookie = o.cookie;
  class Ws extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  let onClosed!: (e: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => {
    onClosed = r;
  });
  const client = createClient({
    url: `${srv.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: Ws,
    lazy: false,
    retryAttempts: 0,
    connectionParams: o.token ? { authorization: `Bearer ${o.token}` } : undefined,
    on: { closed: (e) => onClosed(e as { code: number; reason: string }) },
    onNonLazyError: () => {},
  });
  open.push(client);
  return {
    client,
    closed,
    async subscribe(query, field) {
      const feed = new Feed();
      client.subscribe(
        { query },
        { next: (r) => feed.push(r as Result), error: (e) => feed.push(errorResult(e)), complete: () => {} },
      );
      const first = await feed.next();
      if (first.data?.[field]?.kind !== 'SUBSCRIBED')
        throw Object.assign(new Error('not subscribed'), { result: first });
      return feed;
    },
  };
}

function errorResult(e: unknown): Result {
  if (Array.isArray(e)) return { errors: e as Result['errors'] };
  return { errors: [{ extensions: { code: `closed ${(e as { code?: number }).code ?? '?'}` } }] };
}

/** The first result of a subscription that is expected to fail. */
function refused(s: Socket, query: string): Promise<Result> {
  return new Promise((resolve) => {
    s.client.subscribe(
      { query },
      { next: (r) => resolve(r as Result), error: (e) => resolve(errorResult(e)), complete: () => {} },
    );
  });
}

async function browser(tag: string) {
  const u = await signedIn(srv, tag);
  return { ...u, cookie: await u.client.jar.getCookieString(srv.url) };
}

async function createDoc(c: Awaited<ReturnType<typeof browser>>['client'], url: string): Promise<string> {
  const r = await c.gql<{ createDocument: { document: { rowId: string } } }>(CREATE, { u: url });
  return r.data!.createDocument.document.rowId;
}

describe('realtime subscriptions', () => {
  it('P2: events arrive, each re-read under RLS as its subscriber; a share and an unshare start and stop them', async () => {
    const alice = await browser('rt-alice');
    const bob = await nativeUser(srv, 'rt-bob');
    const a = await connect({ cookie: alice.cookie }).subscribe(DOC, 'documentChanged');
    const b = await connect({ token: bob.accessToken }).subscribe(DOC, 'documentChanged');

    const secret = await createDoc(alice.client, 'https://rt.example/secret');
    const created = await a.event('documentChanged');
    expect(created).toMatchObject({
      kind: 'CREATED',
      documentId: secret,
      document: { fullUrl: 'https://rt.example/secret' },
    });

    const shared = await createDoc(alice.client, 'https://rt.example/shared');
    await alice.client.gql(SHARE, { d: shared, s: bob.userId });
    // Bob's first event is the share: the two creations (invisible to him) were filtered out.
    expect(await b.event('documentChanged')).toMatchObject({
      kind: 'SHARED',
      documentId: shared,
      document: { fullUrl: 'https://rt.example/shared' },
    });
    expect(await a.event('documentChanged')).toMatchObject({ kind: 'CREATED', documentId: shared });
    expect(await a.event('documentChanged')).toMatchObject({ kind: 'SHARED', documentId: shared });

    await alice.client.gql(UPDATE, { r: shared, c: 'seen by bob' });
    expect(await b.event('documentChanged')).toMatchObject({ kind: 'UPDATED', documentId: shared });

    // Unshared: bob learns the id and the kind, not the row, and updates stop at once.
    await alice.client.gql(UNSHARE, { d: shared, s: bob.userId });
    expect(await b.event('documentChanged')).toEqual({ kind: 'UNSHARED', documentId: shared, document: null });
    await alice.client.gql(UPDATE, { r: shared, c: 'not for bob' });
    const later = await createDoc(alice.client, 'https://rt.example/later');
    await alice.client.gql(SHARE, { d: later, s: bob.userId });
    expect(await b.event('documentChanged')).toMatchObject({ kind: 'SHARED', documentId: later });

    // Deleted: every former viewer gets the tombstone (id and kind).
    await alice.client.gql(DELETE, { r: later });
    expect(await b.event('documentChanged')).toEqual({ kind: 'DELETED', documentId: later, document: null });
  });

  it('P2: a NOTIFY payload carries ids and the kind only, never row data', async () => {
    const alice = await browser('rt-notify');
    const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await listener.connect();
    try {
      const got = new Promise<string>((resolve) => {
        listener.on('notification', (n) => {
          if (n.payload?.includes('"created"')) resolve(n.payload);
        });
      });
      await listener.query('listen "pgauth:documents"');
      const id = await createDoc(alice.client, 'https://rt.example/private-content');
      let payload = await got;
      while (!payload.includes(id))
        payload = await new Promise<string>((r) => listener.once('notification', (n) => r(n.payload ?? '')));
      expect(Object.keys(JSON.parse(payload)).sort()).toEqual(['id', 'kind']);
      expect(payload).not.toContain('private-content');
    } finally {
      await listener.end();
    }
  });

  it('P2: mySessionsChanged tells a user of a new sign-in of theirs, not of anyone else', async () => {
    const alice = await browser('rt-devices');
    const bob = await nativeUser(srv, 'rt-other');
    const s = await connect({ cookie: alice.cookie }).subscribe(SESSIONS, 'mySessionsChanged');
    await new (await import('./server.ts')).Client(srv.url, { origin: null }).gql(
      LOGIN,
      { email: bob.email, password: PASSWORD },
      { headers: { 'x-token-delivery': 'body' } },
    );
    const other = await new (await import('./server.ts')).Client(srv.url, { origin: null }).gql<{
      login: { sessionId: string };
    }>(LOGIN, { email: alice.email, password: PASSWORD }, { headers: { 'x-token-delivery': 'body' } });
    expect(await s.event('mySessionsChanged')).toEqual({ kind: 'SIGNED_IN', sessionId: other.data!.login.sessionId });
  });

  it('P3: logout closes the socket with 4401', async () => {
    const alice = await browser('rt-logout');
    const s = connect({ cookie: alice.cookie });
    await s.subscribe(DOC, 'documentChanged');
    await alice.client.gql(LOGOUT, {});
    expect((await s.closed).code).toBe(4401);
  });

  it('P3: revoking the session from another device closes its socket with 4401; the other stays', async () => {
    const bob = await nativeUser(srv, 'rt-revoke');
    const victim = connect({ token: bob.accessToken });
    await victim.subscribe(SESSIONS, 'mySessionsChanged');
    const alice = await browser('rt-revoker');
    const stays = connect({ cookie: alice.cookie });
    const feed = await stays.subscribe(SESSIONS, 'mySessionsChanged');
    await owner(`update app_private.sessions set revoked_at = now(), revoked_reason = 'test' where id = $1`, [
      bob.sessionId,
    ]);
    expect((await victim.closed).code).toBe(4401);
    // Alice's socket is alive: it still receives her own events.
    const again = await new (await import('./server.ts')).Client(srv.url, { origin: null }).gql<{
      login: { sessionId: string };
    }>(LOGIN, { email: alice.email, password: PASSWORD }, { headers: { 'x-token-delivery': 'body' } });
    expect(await feed.event('mySessionsChanged')).toEqual({
      kind: 'SIGNED_IN',
      sessionId: again.data!.login.sessionId,
    });
  });

  it('P3: a session that expires closes its socket with 4401 (periodic check)', async () => {
    const bob = await nativeUser(srv, 'rt-expire');
    const s = connect({ token: bob.accessToken });
    await s.subscribe(DOC, 'documentChanged');
    await owner(`update app_private.sessions set expires_at = now() - interval '1 second' where id = $1`, [
      bob.sessionId,
    ]);
    expect((await s.closed).code).toBe(4401);
  });

  it('P3: an access token that expires while its session is live does not end the socket', async () => {
    const alice = await browser('rt-ttl-owner');
    const bob = await nativeUser(srv, 'rt-ttl');
    const tokens = {
      issuer: srv.cfg.publicOrigin,
      audience: srv.cfg.audience,
      // Long enough for connection_init to be checked on a loaded machine, short to wait out.
      ttlSeconds: 4,
      clientId: srv.cfg.jwtClientId,
    };
    const short = await signAccessToken(srv.keys, tokens, { sub: bob.userId, sid: bob.sessionId, role: 'app_user' });
    const s = connect({ token: short });
    const feed = await s.subscribe(DOC, 'documentChanged');
    // Wait for the condition (the token no longer verifies), not for a fixed time.
    while (await verifyAccessToken(srv.keys, tokens, short)) await new Promise((r) => setTimeout(r, 100));
    const doc = await createDoc(alice.client, 'https://rt.example/after-expiry');
    await alice.client.gql(SHARE, { d: doc, s: bob.userId });
    expect(await feed.event('documentChanged')).toMatchObject({ kind: 'SHARED', documentId: doc });
    await srv.edge.realtime.check();
    const stillOpen = await Promise.race([s.closed.then(() => false), Promise.resolve(true)]);
    expect(stillOpen).toBe(true);
  });

  it('P3: disabling the user closes the socket with 4403', async () => {
    const bob = await nativeUser(srv, 'rt-disable');
    const s = connect({ token: bob.accessToken });
    await s.subscribe(DOC, 'documentChanged');
    await owner('update app_public.users set disabled_at = now() where id = $1', [bob.userId]);
    expect((await s.closed).code).toBe(4403);
  });

  it('P3: a socket opened with a revoked session or an invalid bearer is closed with 4401 at connection_init', async () => {
    const bob = await nativeUser(srv, 'rt-dead');
    await owner(`update app_private.sessions set revoked_at = now() where id = $1`, [bob.sessionId]);
    expect((await connect({ token: bob.accessToken }).closed).code).toBe(4401);
    expect((await connect({ token: 'not-a-token' }).closed).code).toBe(4401);
  });

  it('P3: a socket closed while its connection_init is authenticated is not watched afterwards', async () => {
    const bob = await nativeUser(srv, 'rt-gone');
    const rt = srv.edge.realtime!;
    const before = rt.stats.watchedSessions;
    const sockets = rt.stats.sockets;
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
        headers: { origin: srv.url, 'x-forwarded-for': uniqueIp() },
      });
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${bob.accessToken}` } }));
        ws.close();
      });
      ws.on('close', () => resolve());
    });
    while (rt.stats.sockets > sockets) await new Promise((r) => setImmediate(r));
    // The authentication's session lookup has answered once later lookups on the pool have.
    for (let i = 0; i < 3; i++) await rt.check();
    await owner('select 1');
    expect(rt.stats.watchedSessions).toBe(before);
  });

  it('P1: an upgrade from a foreign Origin is refused before any message', async () => {
    const alice = await browser('rt-origin');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
        headers: { origin: 'https://evil.example', cookie: alice.cookie, 'x-forwarded-for': uniqueIp() },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
  });

  it('P1: no credential mutation runs over a socket (login, refresh); subscriptions need a signed-in socket', async () => {
    const alice = await browser('rt-nomut');
    const s = connect({ cookie: alice.cookie });
    const login = await refused(
      s,
      `mutation { login(input: { email: "${alice.email}", password: "${PASSWORD}" }) { userId } }`,
    );
    expect(login.errors?.[0]?.extensions?.code).toBe('BADREQ');
    const refresh = await refused(s, 'mutation { refresh { userId } }');
    expect(refresh.errors?.[0]?.extensions?.code).toBe('BADREQ');
    const anon = await refused(connect(), DOC);
    expect(anon.errors?.[0]?.extensions?.code).toBe('LOGIN');
  });

  it('P4: subscriptions per socket and per user are capped (TOOMANY)', async () => {
    const bob = await nativeUser(srv, 'rt-caps');
    const one = connect({ token: bob.accessToken });
    for (let i = 0; i < 3; i++) await one.subscribe(DOC, 'documentChanged');
    expect((await refused(one, DOC)).errors?.[0]?.extensions?.code).toBe('TOOMANY');
    const two = connect({ token: bob.accessToken });
    await two.subscribe(SESSIONS, 'mySessionsChanged');
    expect((await refused(two, SESSIONS)).errors?.[0]?.extensions?.code).toBe('TOOMANY');
  });

  it('P4: connections per address per minute are limited (429 TOOMANY at the upgrade)', async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        await new Promise<number>((resolve) => {
          const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
            headers: { origin: srv.url, 'x-forwarded-for': ip },
          });
          // The upgrade is refused with the status only (no body on a refused upgrade).
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
        }),
      );
    }
    expect(statuses).toEqual([101, 101, 101, 429]);
  });

  it('P4: a message over the size limit closes the socket with 1009', async () => {
    const bob = await nativeUser(srv, 'rt-size');
    const s = connect({ token: bob.accessToken });
    await s.subscribe(DOC, 'documentChanged');
    const big = `subscription { documentChanged { kind } } # ${'x'.repeat(5000)}`;
    void refused(s, big);
    expect((await s.closed).code).toBe(1009);
  });
});
