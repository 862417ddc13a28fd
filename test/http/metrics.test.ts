// Issue 13, metrics (middleware/metrics): off unless METRICS_ENABLED=true; on the main port
// behind a bearer METRICS_TOKEN (development without a token: loopback only), or on its own
// port (METRICS_PORT). Requests by route pattern and status, GraphQL operations by name and
// code, credential mutations by outcome, lockouts (RATEL), untrusted documents, pool, sockets
// and the mail queue.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../proxy/core/config.ts';
import { closeOwner, nativeUser, owner, rawPost, uniqueIp } from './helpers.ts';
import { freePort, LOGIN, PASSWORD, useServer } from './server.ts';

const TOKEN = 'metrics-token-0123456789abcdefghijklmnop';
const dir = mkdtempSync(join(tmpdir(), 'pgauth-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterAll(closeOwner);
const LIST = join(dir, 'persisted-documents.json');
const ME = 'query Me { currentUser { rowId } }';
writeFileSync(LIST, JSON.stringify({ [createHash('sha256').update(ME).digest('hex')]: ME }));

const off = useServer();
const on = useServer({ METRICS_ENABLED: 'true', METRICS_TOKEN: TOKEN, TRUST_PROXY_HOPS: '1' });
let ownPort = 0;
const own = useServer(() => ({ METRICS_ENABLED: 'true', METRICS_PORT: String(ownPort) }));
const dev = useServer({ METRICS_ENABLED: 'true', GRAPHQL_TRUSTED_DOCUMENTS: LIST });

/** The sample of `name` whose labels include `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const r = await fetch(`${on.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.text();
}

describe('where /metrics is served', () => {
  it('off by default: no /metrics route, nothing collected', async () => {
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    expect(off.edge.metrics).toBeNull();
  });

  it('on the main port only with the bearer METRICS_TOKEN', async () => {
    expect((await fetch(`${on.url}/metrics`)).status).toBe(403);
    const wrong = await fetch(`${on.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` } });
    expect(wrong.status).toBe(403);
    expect((await fetch(`${on.url}/metrics`, { headers: { authorization: TOKEN } })).status).toBe(403);
    expect(await scrape()).toContain('# TYPE pgauth_http_requests_total counter');
  });

  it('development without a token: loopback clients only', async () => {
    const r = await fetch(`${dev.url}/metrics`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('pgauth_db_pool_connections');
  });

  it('production refuses metrics on the main port without a token', () => {
    const prod = {
      NODE_ENV: 'production',
      PUBLIC_ORIGIN: 'https://app.example',
      CSRF_SECRET: 'ab'.repeat(32),
      JWT_KEYS_DIR: join(dir, 'keys'),
      AUTH_DATABASE_URL: 'postgres://x@127.0.0.1/x',
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
    };
    expect(() => loadConfig({ ...prod, METRICS_ENABLED: 'true' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ ...prod, METRICS_ENABLED: 'true', METRICS_TOKEN: 'short' })).toThrow(/32/);
    expect(loadConfig({ ...prod, METRICS_ENABLED: 'true', METRICS_PORT: '9464' }).ops.metrics.port).toBe(9464);
  });
});

describe('metrics on their own port', () => {
  it('METRICS_PORT serves /metrics there and not on the main port', async () => {
    // useServer reads the port when it starts; the first test of this block runs after it.
    const port = (own.cfg.ops.metrics.port ?? 0) as number;
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`${own.url}/metrics`)).status).toBe(404);
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('pgauth_websocket_connections');
  });
});

describe('what is counted', () => {
  it('requests by route pattern and status (never the raw path), GraphQL operations by name and code', async () => {
    const before = await scrape();
    const count = (text: string, name: string, labels: Record<string, string>) => sample(text, name, labels) ?? 0;
    await fetch(`${on.url}/auth/csrf`);
    await fetch(`${on.url}/no/such/path/4242`);
    await rawPost(on, { query: ME, operationName: 'Me' });
    await rawPost(on, { query: ME, operationName: 'Me' });
    await rawPost(on, {
      query:
        'mutation Create { createDocument(input: { document: { fullUrl: "https://m.example/" } }) { document { rowId } } }',
    });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      count(after, name, labels) - count(before, name, labels);
    expect(delta('pgauth_http_requests_total', { method: 'GET', route: '/auth/csrf', status: '200' })).toBe(1);
    expect(delta('pgauth_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(after).not.toContain('4242');
    expect(delta('pgauth_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(2);
    expect(delta('pgauth_http_requests_total', { method: 'POST', route: '/graphql', status: '401' })).toBe(1);
    expect(delta('pgauth_http_request_duration_seconds_count', { route: '/graphql', status: '200' })).toBe(2);
    expect(delta('pgauth_graphql_operations_total', { operation: 'Me', type: 'query', code: 'OK' })).toBe(2);
    expect(delta('pgauth_graphql_operations_total', { operation: 'Create', type: 'mutation', code: 'LOGIN' })).toBe(1);
    expect(sample(after, 'pgauth_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(sample(after, 'pgauth_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sample(after, 'pgauth_websocket_connections')).toBe(0);
    expect(sample(after, 'pgauth_mail_jobs', { state: 'queued' })).toBeGreaterThanOrEqual(0);
  });

  it('C6/C7: logins by outcome, and a lockout (RATEL) counted', async () => {
    const before = await scrape();
    const u = await nativeUser(on, 'metrics');
    const ip = uniqueIp();
    const login = (password: string, from = ip) =>
      rawPost(on, { query: LOGIN, variables: { email: u.email, password } }, { 'x-forwarded-for': from });
    expect((await login(PASSWORD)).json?.data?.login?.userId).toBe(u.userId);
    expect((await login('wrong password!!')).json?.errors?.[0]?.extensions?.code).toBe('CREDS');
    // An address past its failure budget (seeded: each real failure costs a bcrypt).
    const limited = uniqueIp();
    await owner('insert into app_private.ip_login_failures (ip, failures) values ($1::inet, 50)', [limited]);
    expect((await login(PASSWORD, limited)).json?.errors?.[0]?.extensions?.code).toBe('RATEL');
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('pgauth_auth_attempts_total', { operation: 'login', outcome: 'ok' })).toBe(1);
    expect(delta('pgauth_auth_attempts_total', { operation: 'login', outcome: 'CREDS' })).toBe(1);
    expect(delta('pgauth_auth_attempts_total', { operation: 'login', outcome: 'RATEL' })).toBe(1);
    expect(delta('pgauth_lockouts_total')).toBe(1);
    // The token and the password never appear in the metrics.
    expect(after).not.toContain(PASSWORD);
    expect(after).not.toContain(u.email);
  });

  it('queue depths: mail jobs waiting and provider tokens due, read when scraped', async () => {
    const before = await scrape();
    const u = await nativeUser(on, 'metricsq'); // registering queues a verification mail (no worker in tests)
    const [identity] = await owner<{ id: string }>(
      `insert into app_public.user_identities (user_id, provider, issuer, subject)
       values ($1, 'metrics', 'https://idp.example', $2) returning id`,
      [u.userId, `sub-${u.userId}`],
    );
    const id = identity!.id;
    await owner(
      `insert into app_private.user_identity_tokens (identity_id, key_id, refresh_token_enc, access_token_expires_at)
       values ($1, 'k1', '\\x00', now())`,
      [id],
    );
    try {
      const after = await scrape();
      expect(sample(after, 'pgauth_provider_tokens_due')!).toBeGreaterThanOrEqual(
        (sample(before, 'pgauth_provider_tokens_due') ?? 0) + 1,
      );
      expect(sample(after, 'pgauth_mail_jobs', { state: 'queued' })!).toBeGreaterThanOrEqual(1);
    } finally {
      await owner('delete from app_public.user_identities where id = $1', [id]);
    }
  });

  it('WebSocket connections and subscriptions while open, the subscription counted by name', async () => {
    const u = await nativeUser(on, 'metricsws');
    class Ws extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { origin: on.url, 'x-forwarded-for': uniqueIp() } });
      }
    }
    const client = createClient({
      url: `${on.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: Ws,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${u.accessToken}` },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe(
          { query: 'subscription Watch { mySessionsChanged { kind } }' },
          { next: () => resolve(), error: reject, complete: () => {} },
        );
      });
      const open = await scrape();
      expect(sample(open, 'pgauth_websocket_connections')).toBe(1);
      expect(sample(open, 'pgauth_graphql_subscriptions')).toBe(1);
      expect(
        sample(open, 'pgauth_graphql_operations_total', { operation: 'Watch', type: 'subscription', code: 'OK' }),
      ).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('a subscription refused as it starts is counted by its code (LOGIN), not as INTERNAL', async () => {
    class Ws extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { origin: on.url, 'x-forwarded-for': uniqueIp() } });
      }
    }
    const labels = (code: string) => ({ operation: 'AnonWatch', type: 'subscription', code });
    const before = await scrape();
    const client = createClient({
      url: `${on.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: Ws,
      retryAttempts: 0,
    });
    try {
      const codes = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription AnonWatch { mySessionsChanged { kind } }' },
          {
            next: (r) => resolve(r.errors?.map((e) => e.extensions?.code)),
            error: (e) => resolve((e as { extensions?: { code?: unknown } }[]).map?.((x) => x.extensions?.code) ?? e),
            complete: () => {},
          },
        );
      });
      expect(codes).toEqual(['LOGIN']);
      const after = await scrape();
      expect(sample(after, 'pgauth_graphql_operations_total', labels('LOGIN'))).toBe(
        (sample(before, 'pgauth_graphql_operations_total', labels('LOGIN')) ?? 0) + 1,
      );
      expect(sample(after, 'pgauth_graphql_operations_total', labels('INTERNAL'))).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });

  it('J2: refused untrusted documents are counted', async () => {
    const text = async () => (await fetch(`${dev.url}/metrics`)).text();
    const before = sample(await text(), 'pgauth_graphql_untrusted_documents_total') ?? 0;
    const r = await rawPost(dev, { documentId: '0'.repeat(64) });
    expect(r.json?.errors?.[0]?.extensions?.code).toBe('TRUSTED');
    expect(sample(await text(), 'pgauth_graphql_untrusted_documents_total')).toBe(before + 1);
  });
});

// The own-port server needs its port before it starts.
ownPort = await freePort();
