// Auth-event webhooks end to end (O5): an admin adds an endpoint over GraphQL, a real auth
// event is delivered by the worker (running in this process) to a node:http receiver on
// loopback, and the signature is checked with an independent implementation of the Standard
// Webhooks scheme (WebCrypto, written from the spec). Then: retry after a 500, the SSRF checks
// at creation and at delivery, and the admin-only surface.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runner } from 'graphile-worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../proxy/core/config.ts';
import { attemptDelivery, postTo, startWebhookWorker } from '../../proxy/features/webhooks/deliver.ts';
import { isForbiddenAddress, resolveWebhookTarget } from '../../proxy/features/webhooks/ssrf.ts';
import { Client, LOGIN, PASSWORD, signedIn, startServer, type TestServer, useServer } from './server.ts';

// ---- An independent Standard Webhooks verifier (https://www.standardwebhooks.com/) ----------
// secret: "whsec_" + base64(key); signed content: `${id}.${timestamp}.${body}`; header
// `webhook-signature`: space-delimited `v1,<base64(HMAC-SHA256)>`; timestamp within 5 minutes.
async function verifyStandardWebhook(secret: string, h: IncomingHttpHeaders, body: string): Promise<boolean> {
  const id = h['webhook-id'];
  const ts = h['webhook-timestamp'];
  const sigs = h['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') return false;
  if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const content = new TextEncoder().encode(`${id}.${ts}.${body}`);
  for (const entry of sigs.split(' ')) {
    const [version, b64] = entry.split(',');
    if (version !== 'v1' || !b64) continue;
    const mac = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    if (await crypto.subtle.verify('HMAC', key, mac, content)) return true;
  }
  return false;
}

// ---- A receiver on loopback: records requests, answers what each path is told to ----------
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
class Receiver {
  readonly requests: Received[] = [];
  /** Status codes to answer per path, in order; 200 once exhausted. */
  readonly script = new Map<string, number[]>();
  private waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  readonly server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      const r = { path, headers: req.headers, body };
      this.requests.push(r);
      const status = this.script.get(path)?.shift() ?? 200;
      res.writeHead(status).end(status === 200 ? 'ok' : 'fail');
      const due = this.waiters.filter((w) => w.pred(r));
      this.waiters = this.waiters.filter((w) => !due.includes(w));
      for (const w of due) w.resolve(r);
    });
  });
  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  /** The first request (already received or to come) matching `pred`. */
  next(pred: (r: Received) => boolean): Promise<Received> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
}

const CREATE = `mutation ($url: String!, $types: [String!]) {
  adminCreateWebhookEndpoint(input: { url: $url, eventTypes: $types }) { id url signingKey }
}`;
const DELIVERIES = `query ($e: UUID!) { adminWebhookDeliveries(endpointId: $e) { nodes {
  rowId eventType status attempts lastResponseStatus lastError
  webhookAttemptsByDeliveryId(orderBy: ROW_ID_ASC) { nodes { responseStatus error } } } } }`;

/** An admin's browser on `s`: registered, granted admin, signed in again (a token saying admin). */
async function adminOn(s: TestServer, owner: pg.Pool): Promise<Client> {
  const u = await signedIn(s, 'whadmin');
  await owner.query(`insert into app_public.role_grants (user_id, role) values ($1, 'admin')`, [u.userId]);
  const r = await u.client.gql<{ login: { role: string } }>(LOGIN, { email: u.email, password: PASSWORD });
  expect(r.data?.login.role).toBe('admin');
  return u.client;
}

/** Waits, without sleeping on a clock, until `probe` answers something truthy (re-checked
 * after each event-loop turn with a query in between). */
async function until<T>(probe: () => Promise<T | undefined | null | false>): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setImmediate(r));
  }
}

const srv = useServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '1', WEBHOOK_TIMEOUT_MS: '5000' });
const receiver = new Receiver();
let owner: pg.Pool;
let workerPool: pg.Pool;
let worker: Runner;
let admin: Client;

beforeAll(async () => {
  receiver.server.listen(0, '127.0.0.1');
  await once(receiver.server, 'listening');
  owner = new pg.Pool({ connectionString: srv.cfg.db.ownerUrl, max: 2 });
  workerPool = new pg.Pool({ connectionString: srv.cfg.db.ownerUrl, max: 4 });
  workerPool.on('error', () => {});
  worker = await startWebhookWorker(workerPool, srv.cfg.webhooks, 50);
  admin = await adminOn(srv, owner);
});

afterAll(async () => {
  // Nothing more is queued for this file's endpoints once they are gone.
  await owner?.query(`delete from app_public.webhook_endpoints where url like $1`, [`${receiver.base}/%`]);
  await worker?.stop();
  await workerPool?.end();
  await owner?.end();
  receiver.server.closeAllConnections();
  await new Promise((r) => receiver.server.close(r));
});

describe('O5: signed delivery', () => {
  it('O5: a new user is delivered as user.created, signed per Standard Webhooks and verified independently', async () => {
    const created = await admin.gql<{ adminCreateWebhookEndpoint: { id: string; url: string; signingKey: string } }>(
      CREATE,
      {
        url: `${receiver.base}/hook`,
        types: ['user.created'],
      },
    );
    const ep = created.data!.adminCreateWebhookEndpoint;
    expect(ep.signingKey).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const bob = await signedIn(srv, 'whbob');
    const got = await receiver.next((r) => r.path === '/hook' && r.body.includes(bob.userId));
    expect(await verifyStandardWebhook(ep.signingKey, got.headers, got.body)).toBe(true);
    expect(await verifyStandardWebhook(ep.signingKey, got.headers, got.body.replace(bob.userId, '0'.repeat(36)))).toBe(
      false,
    );
    expect(await verifyStandardWebhook(`whsec_${btoa('x'.repeat(32))}`, got.headers, got.body)).toBe(false);
    expect(got.headers['content-type']).toBe('application/json');
    const body = JSON.parse(got.body);
    expect(body).toEqual({ type: 'user.created', timestamp: expect.any(String), data: { user_id: bob.userId } });
    expect(got.body).not.toContain(bob.email);

    const row = await until(async () => {
      const r = await admin.gql<{ adminWebhookDeliveries: { nodes: Record<string, unknown>[] } }>(DELIVERIES, {
        e: ep.id,
      });
      return r.data?.adminWebhookDeliveries.nodes.find((n) => n.status === 'delivered');
    });
    expect(row).toMatchObject({ eventType: 'user.created', attempts: 1, lastResponseStatus: 200, lastError: null });
  });

  it('O5: a delivery answered 500 is retried with backoff and delivered on the next attempt, each attempt recorded', async () => {
    receiver.script.set('/flaky', [500]);
    const created = await admin.gql<{ adminCreateWebhookEndpoint: { id: string; signingKey: string } }>(CREATE, {
      url: `${receiver.base}/flaky`,
      types: ['user.created'],
    });
    const ep = created.data!.adminCreateWebhookEndpoint;
    const carol = await signedIn(srv, 'whcarol');
    const mine = (r: Received) => r.path === '/flaky' && r.body.includes(carol.userId);
    const first = await receiver.next(mine);
    const second = await receiver.next((r) => mine(r) && r !== first);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);
    expect(await verifyStandardWebhook(ep.signingKey, second.headers, second.body)).toBe(true);

    const row = await until(async () => {
      const r = await admin.gql<{ adminWebhookDeliveries: { nodes: Record<string, unknown>[] } }>(DELIVERIES, {
        e: ep.id,
      });
      return r.data?.adminWebhookDeliveries.nodes.find((n) => n.status === 'delivered');
    });
    expect(row).toMatchObject({ attempts: 2, lastResponseStatus: 200 });
    expect((row.webhookAttemptsByDeliveryId as { nodes: unknown[] }).nodes).toEqual([
      { responseStatus: 500, error: 'HTTP 500' },
      { responseStatus: 200, error: null },
    ]);
  });
});

describe('O5: SSRF', () => {
  it('O5: private targets cannot be allowed in production', () => {
    const prod = {
      NODE_ENV: 'production',
      PUBLIC_ORIGIN: 'https://app.example',
      CSRF_SECRET: 'ab'.repeat(32),
      JWT_KEYS_DIR: '/nonexistent/keys',
      AUTH_DATABASE_URL: 'postgres://login@127.0.0.1:1/db',
    };
    expect(loadConfig(prod).webhooks.allowPrivate).toBe(false);
    expect(() => loadConfig({ ...prod, WEBHOOK_ALLOW_PRIVATE: 'true' })).toThrow(/WEBHOOK_ALLOW_PRIVATE/);
  });

  it('O5: loopback, private, link-local, CGNAT, multicast and embedded-IPv4 addresses are refused; public ones pass', () => {
    for (const ip of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::',
      // IPv4-translated (SIIT), local-use NAT64 and Teredo forms.
      '::ffff:0:127.0.0.1',
      '::ffff:0:a9fe:a9fe',
      '64:ff9b:1::7f00:1',
      '2001:0:4136:e378:8000:63bf:80ff:fffe',
    ]) {
      expect(isForbiddenAddress(ip), ip).toBe(true);
    }
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isForbiddenAddress(ip), ip).toBe(false);
    }
  });

  it('O5: adminCreateWebhookEndpoint refuses http, credentials and loopback/private/link-local targets when private targets are not allowed', async () => {
    const strict = await startServer({});
    try {
      const a = await adminOn(strict, owner);
      for (const url of [
        'https://127.0.0.1/hook',
        'https://10.1.2.3/hook',
        'https://169.254.169.254/latest/meta-data',
        'https://[::1]/hook',
        'https://[::ffff:127.0.0.1]/hook',
        'https://localhost/hook',
        'http://hooks.example.com/hook',
        'https://user:pw@hooks.example.com/hook',
      ]) {
        const r = await a.gql(CREATE, { url, types: [] });
        expect(r.errors?.[0]?.extensions?.code, url).toBe('WEBHOOKURL');
        expect(r.data?.adminCreateWebhookEndpoint ?? null, url).toBeNull();
      }
      const r = await a.gql(CREATE, { url: 'https://localhost/hook' });
      expect(r.errors?.[0]?.message).toMatch(/resolves to .*(127\.0\.0\.1|::1)/);
      // O2/O5: an admin's API key without admin:webhooks in its scope is refused before the URL
      // is even resolved (DNIED, not WEBHOOKURL: no DNS probing with a narrow key).
      const k = await a.gql<{ createApiKey: { result: { key: string } } }>(
        `mutation { createApiKey(input: { name: "narrow", permissions: [] }) { result { key } } }`,
      );
      const native = new Client(strict.url, { origin: null });
      const byKey = await native.gql(
        CREATE,
        { url: 'https://localhost/hook', types: [] },
        { headers: { authorization: `Bearer ${k.data!.createApiKey.result.key}` } },
      );
      expect(byKey.errors?.[0]?.extensions?.code).toBe('DNIED');
      expect(byKey.status).toBe(403);
      const { rows } = await owner.query(
        `select count(*)::int n from app_public.webhook_endpoints where url like 'https://%' and url ~ 'localhost|127\\.0|10\\.1|169\\.254|::1'`,
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('O5: at delivery the address is checked again: a URL accepted earlier that now points at loopback is refused and recorded', async () => {
    const before = receiver.requests.length;
    const r = await attemptDelivery(
      {
        url: `https://127.0.0.1:${new URL(receiver.base).port}/late`,
        secret: `whsec_${btoa('k'.repeat(32))}`,
        message_id: 'm1',
        body: '{}',
      },
      { allowPrivate: false, timeoutMs: 1000 },
    );
    expect(r).toEqual({ status: null, error: expect.stringMatching(/^refused: .*127\.0\.0\.1/) });
    const viaName = await attemptDelivery(
      {
        url: `https://localhost:${new URL(receiver.base).port}/late`,
        secret: `whsec_${btoa('k'.repeat(32))}`,
        message_id: 'm2',
        body: '{}',
      },
      { allowPrivate: false, timeoutMs: 1000 },
    );
    expect(viaName.error).toMatch(/^refused: the host localhost resolves to/);
    // A resolver that answers loopback for a public-looking name (rebinding) is refused too.
    await expect(
      resolveWebhookTarget('https://rebind.example/hook', {
        allowPrivate: false,
        resolve: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ],
      }),
    ).rejects.toThrow(/127\.0\.0\.1/);
    // A resolver that never answers fails the check instead of holding the attempt.
    await expect(
      resolveWebhookTarget('https://slow.example/hook', {
        allowPrivate: false,
        timeoutMs: 20,
        resolve: () => new Promise(() => {}),
      }),
    ).rejects.toThrow(/does not resolve/);
    expect(receiver.requests.length).toBe(before);
  });

  it('O5: the connection goes to the checked address, never to a second DNS answer', async () => {
    // The host does not resolve at all: the request arrives only because the socket's lookup is
    // pinned to the address that was checked.
    const port = Number(new URL(receiver.base).port);
    const r = await postTo(
      { url: new URL(`http://pinned.invalid:${port}/pinned`), address: '127.0.0.1', family: 4 },
      { 'webhook-id': 'p1' },
      '{"pinned":true}',
      5000,
    );
    expect(r).toEqual({ status: 200, error: null });
    const got = await receiver.next((x) => x.path === '/pinned');
    expect(got.headers.host).toBe(`pinned.invalid:${port}`);
  });
});

describe('O5: admins only', () => {
  it('O5: a non-admin cannot create, list, delete endpoints or read deliveries; secrets are never listed', async () => {
    const user = await signedIn(srv, 'whuser');
    const c = await user.client.gql(CREATE, { url: `${receiver.base}/nope` });
    expect(c.errors?.[0]?.extensions?.code).toBe('DNIED');
    const l = await user.client.gql('{ adminWebhookEndpoints { nodes { rowId url } } }');
    expect(l.errors?.[0]?.extensions?.code).toBe('DNIED');
    const d = await user.client.gql('{ adminWebhookDeliveries { nodes { rowId } } }');
    expect(d.errors?.[0]?.extensions?.code).toBe('DNIED');
    const x = await user.client.gql(
      'mutation ($id: UUID!) { adminDeleteWebhookEndpoint(input: { id: $id }) { result { rowId } } }',
      { id: '00000000-0000-0000-0000-000000000000' },
    );
    expect(x.errors?.[0]?.extensions?.code).toBe('DNIED');
    const RETRY = 'mutation ($id: UUID!) { adminRetryWebhookDelivery(input: { id: $id }) { result { rowId status } } }';
    const zero = { id: '00000000-0000-0000-0000-000000000000' };
    expect((await user.client.gql(RETRY, zero)).errors?.[0]?.extensions?.code).toBe('DNIED');
    expect((await admin.gql(RETRY, zero)).errors?.[0]?.extensions?.code).toBe('NTFND');
    const secret = await admin.gql('{ adminWebhookEndpoints { nodes { rowId secret } } }');
    expect(secret.errors?.[0]?.extensions?.code).toBe('GQLVAL');
  });

  it('O5: an admin lists and deletes an endpoint; nothing more is sent to it', async () => {
    const created = await admin.gql<{ adminCreateWebhookEndpoint: { id: string } }>(CREATE, {
      url: `${receiver.base}/gone`,
    });
    const id = created.data!.adminCreateWebhookEndpoint.id;
    const list = await admin.gql<{
      adminWebhookEndpoints: { nodes: { rowId: string; url: string; eventTypes: string[] }[] };
    }>('{ adminWebhookEndpoints { nodes { rowId url eventTypes enabled } } }');
    expect(list.data?.adminWebhookEndpoints.nodes).toContainEqual({
      rowId: id,
      url: `${receiver.base}/gone`,
      eventTypes: [],
      enabled: true,
    });
    const del = await admin.gql(
      'mutation ($id: UUID!) { adminDeleteWebhookEndpoint(input: { id: $id }) { result { rowId } } }',
      { id },
    );
    expect(del.data).toEqual({ adminDeleteWebhookEndpoint: { result: { rowId: id } } });
    const again = await admin.gql(
      'mutation ($id: UUID!) { adminDeleteWebhookEndpoint(input: { id: $id }) { result { rowId } } }',
      { id },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('NTFND');
    const { rows } = await owner.query(
      'select count(*)::int n from app_private.webhook_endpoint_secrets where endpoint_id = $1',
      [id],
    );
    expect(rows[0].n).toBe(0);
  });
});
