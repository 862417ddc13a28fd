/**
 * Starts the real edge (Hono + PostGraphile) on a random loopback port against the test
 * database the harness prepared, with its own key directory. `Client` is a browser-like
 * HTTP client with a real cookie jar (tough-cookie) that echoes the CSRF cookie the way a
 * front end does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { CookieJar } from 'tough-cookie';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type EdgeApp } from '../../proxy/app.ts';
import { type Config, loadConfig } from '../../proxy/core/config.ts';
import { type KeyRing, loadKeys } from '../../proxy/core/keys.ts';

export interface TestServer {
  url: string;
  cfg: Config;
  keys: KeyRing;
  edge: EdgeApp;
  close(): Promise<void>;
}

/** A free loopback port (the kernel picks it; a tiny race remains). */
export async function freePort(): Promise<number> {
  const probe = serve({ fetch: () => new Response(''), port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => probe.once('listening', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  if (!(env.AUTH_DATABASE_URL ?? process.env.AUTH_DATABASE_URL))
    throw new Error('AUTH_DATABASE_URL is not set: run through npm test');
  process.env.GRAPHILE_ENV ??= 'development';
  const dir = mkdtempSync(join(tmpdir(), 'pgauth-test-'));
  // The issuer must equal the origin clients use, so the port is chosen first.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const cfg = loadConfig({
    // The harness's database (DATABASE_URL, AUTH_DATABASE_URL, ...), nothing else of this process.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => /^[A-Z_]*DATABASE_URL$/.test(k))),
    PORT: String(port),
    PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
    JWT_KEYS_DIR: join(dir, 'keys'),
    DEV_SECRET_FILE: join(dir, 'csrf-secret'),
    OAUTH_TOKEN_KEYS_FILE: join(dir, 'oauth-token-keys'),
    OAUTH_REFRESH_INTERVAL_MS: '0',
    LOG_REQUESTS: 'false',
    // Watch mode installs event triggers as the superuser; only its own test turns it on.
    GRAPHQL_WATCH: 'false',
    // One mail worker per test server would send other files' jobs to its own mailbox: only
    // the email tests (test/http/email*.test.ts) turn it on, with their own SMTP server.
    MAIL_WORKER: 'false',
    ...env,
  });
  const keys = await loadKeys(cfg.keysDir, { create: true, alg: cfg.jwtAlg });
  const edge = await createApp(cfg, keys);
  // Larger messages close the socket (1009) before they are buffered whole (P4).
  const wss = new WebSocketServer({ noServer: true, maxPayload: cfg.realtime.maxMessageBytes });
  const server = serve({ fetch: edge.app.fetch, port, hostname: '127.0.0.1', websocket: { server: wss } });
  await new Promise((r) => server.once('listening', r));
  return {
    url: `http://127.0.0.1:${port}`,
    cfg,
    keys,
    edge,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((r) => server.close(r));
      await edge.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The server for one test file: started before its tests, closed after them. The returned
 * object forwards to the running server, so `srv.url` reads naturally in tests.
 */
export function useServer(env: Record<string, string> | (() => Record<string, string>) = {}): TestServer {
  let current: TestServer | undefined;
  beforeAll(async () => {
    current = await startServer(typeof env === 'function' ? env() : env);
  });
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as TestServer, {
    get(_, key) {
      if (!current) throw new Error('the test server is not running (use srv inside tests)');
      return current[key as keyof TestServer];
    },
  });
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  raw: string;
}

/** A browser: cookie jar, Origin header, X-CSRF-Token echoed from the csrf cookie. */
export class Client {
  readonly jar = new CookieJar();
  constructor(
    readonly base: string,
    readonly opts: { origin?: string | null } = {},
  ) {}

  async fetch(path: string, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
    const url = this.base + path;
    const headers = new Headers(init.headers);
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    if (this.opts.origin !== null) headers.set('origin', this.opts.origin ?? this.base);
    if (init.csrf !== false) {
      const csrf = (await this.jar.getCookies(url)).find((c) => c.key.endsWith('pgauth-csrf'));
      if (csrf && !headers.has('x-csrf-token')) headers.set('x-csrf-token', csrf.value);
    }
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) await this.jar.setCookie(sc, url);
    return res;
  }

  async csrf(): Promise<void> {
    await this.fetch('/auth/csrf');
  }

  async gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    init: RequestInit & { csrf?: boolean } = {},
  ): Promise<GqlResult<T>> {
    const res = await this.fetch('/graphql', {
      method: 'POST',
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
      body: init.body ?? JSON.stringify({ query, variables }),
    });
    const raw = await res.text();
    let json: { data?: T; errors?: GqlResult['errors'] } = {};
    try {
      json = JSON.parse(raw);
    } catch {
      // non-JSON error bodies are asserted on via `raw`
    }
    return { status: res.status, headers: res.headers, data: json.data, errors: json.errors, raw };
  }

  async cookie(name: string): Promise<string | undefined> {
    return (await this.jar.getCookies(this.base)).find((c) => c.key === name)?.value;
  }
}

let counter = 0;
/** A unique email per call, so test files never collide in the shared database. */
export function email(tag = 'user'): string {
  return `${tag}.${process.pid}.${Date.now().toString(36)}.${counter++}@example.com`;
}
export const PASSWORD = 'correct horse battery staple';

export const REGISTER = `mutation ($email: String!, $password: String!, $name: String) {
  register(input: { email: $email, password: $password, name: $name }) { userId sessionId role accessToken refreshToken }
}`;
export const LOGIN = `mutation ($email: String!, $password: String!) {
  login(input: { email: $email, password: $password }) { userId sessionId role accessToken refreshToken accessTokenExpiresAt }
}`;
export const REFRESH = `mutation ($t: String) { refresh(input: { refreshToken: $t }) { userId sessionId accessToken refreshToken } }`;
export const LOGOUT = `mutation ($t: String) { logout(input: { refreshToken: $t }) { success } }`;

/** Registers a fresh user in its own browser and returns the signed-in client. */
export async function signedIn(
  srv: TestServer,
  tag = 'user',
): Promise<{ client: Client; email: string; userId: string }> {
  const client = new Client(srv.url);
  await client.csrf();
  const e = email(tag);
  const r = await client.gql<{ register: { userId: string } }>(REGISTER, { email: e, password: PASSWORD, name: tag });
  if (!r.data?.register) throw new Error(`register failed: ${r.raw}`);
  return { client, email: e, userId: r.data.register.userId };
}
