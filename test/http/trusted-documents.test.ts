// Issue 13, trusted documents (graphql/trusted-documents.ts): with GRAPHQL_TRUSTED_DOCUMENTS in
// production only the allow-list's documents run, named by hash (`documentId`, as
// graphql-codegen's client preset sends it, or Apollo's `extensions.persistedQuery`); any
// document sent as text is refused with TRUSTED before it is parsed. Development runs both.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../proxy/core/config.ts';
import { loadTrustedDocuments } from '../../proxy/graphql/trusted-documents.ts';
import { type RawResult, rawPost, uniqueIp } from './helpers.ts';
import { email, PASSWORD, REGISTER, useServer } from './server.ts';

const dir = mkdtempSync(join(tmpdir(), 'pgauth-trusted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ME = 'query Me { currentUser { rowId } }';
const hash = (doc: string) => createHash('sha256').update(doc).digest('hex');
const ME_HASH = hash(ME);
const SUB = 'subscription Sessions { mySessionsChanged { kind } }';
const SUB_HASH = hash(SUB);
const LIST = join(dir, 'persisted-documents.json');
// The file as graphql-codegen's client preset writes it: { "<sha256 hex>": "<document>" }.
writeFileSync(LIST, JSON.stringify({ [ME_HASH]: ME, [SUB_HASH]: SUB, [hash(REGISTER)]: REGISTER }));

const ORIGIN = 'https://app.example';
const prod = useServer({
  NODE_ENV: 'production',
  PUBLIC_ORIGIN: ORIGIN,
  CSRF_SECRET: 'ab'.repeat(32),
  GRAPHQL_TRUSTED_DOCUMENTS: LIST,
});
const dev = useServer({ GRAPHQL_TRUSTED_DOCUMENTS: LIST });

const post = (body: object) => rawPost(prod, body, { origin: ORIGIN });

function expectTrusted(r: RawResult): void {
  expect(r.status, r.raw).toBe(403);
  expect(r.json?.errors).toEqual([{ message: 'Only trusted documents are accepted', extensions: { code: 'TRUSTED' } }]);
  expect(r.json?.data).toBeUndefined();
}

describe('production with GRAPHQL_TRUSTED_DOCUMENTS', () => {
  it('runs a listed document named by documentId (with or without the sha256: prefix) or by APQ hash', async () => {
    for (const body of [
      { documentId: ME_HASH },
      { documentId: `sha256:${ME_HASH}`, operationName: 'Me' },
      { extensions: { persistedQuery: { version: 1, sha256Hash: ME_HASH } } },
      { documentId: ME_HASH, query: ME }, // the text may come along if it is the document itself
    ]) {
      const r = await post(body);
      expect(r.status, r.raw).toBe(200);
      expect(r.json).toEqual({ data: { currentUser: null } });
    }
  });

  it('J2: a document sent as text is refused with TRUSTED, even one on the list', async () => {
    expectTrusted(await post({ query: ME }));
    expectTrusted(await post({ query: '{ visibleDocuments { nodes { rowId } } }' }));
  });

  it('J2: an unknown hash, or a text that is not its hash’s document, is refused with TRUSTED', async () => {
    expectTrusted(await post({ documentId: hash('{ currentUser { email } }') }));
    expectTrusted(await post({ documentId: 'not-a-hash' }));
    expectTrusted(await post({ extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }));
    expectTrusted(await post({ documentId: ME_HASH, query: '{ currentUser { email } }' }));
  });

  it('J1/J2: introspection and an abusive document are refused before they are parsed, with nothing of the schema in the answer', async () => {
    const introspection = await post({ query: '{ __schema { types { name } } }' });
    expectTrusted(introspection);
    expect(introspection.raw).not.toMatch(/__schema|currentUser|Introspection/);
    const deep = `{ ${'currentUser { '.repeat(200)}rowId${' }'.repeat(200)} }`;
    expectTrusted(await post({ query: deep }));
  });
});

describe('WebSocket operations (graphql-ws) in production', () => {
  it('J2: a subscription by hash runs; the same subscription sent as text is refused with TRUSTED', async () => {
    // A native client built with the list: it registers by hash too.
    const reg = await rawPost(
      prod,
      { documentId: hash(REGISTER), variables: { email: email('trustedws'), password: PASSWORD } },
      { 'x-token-delivery': 'body' },
    );
    const accessToken = reg.json?.data?.register?.accessToken as string;
    expect(accessToken, reg.raw).toBeTruthy();
    class Ws extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { origin: ORIGIN, 'x-forwarded-for': uniqueIp() } });
      }
    }
    const client = createClient({
      url: `${prod.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: Ws,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${accessToken}` },
    });
    type Result = { data?: Record<string, { kind?: string }>; errors?: { extensions?: { code?: string } }[] };
    const first = (payload: Record<string, unknown>) =>
      new Promise<Result>((resolve) => {
        const stop = client.subscribe(payload as { query: string }, {
          next: (r) => {
            resolve(r as Result);
            stop();
          },
          error: (e) => resolve({ errors: Array.isArray(e) ? e : [{ extensions: { code: String(e) } }] }),
          complete: () => {},
        });
      });
    try {
      // graphql-ws requires a `query` string: with a hash it is empty.
      const ok = await first({ query: '', documentId: SUB_HASH });
      expect(ok.data?.mySessionsChanged?.kind, JSON.stringify(ok)).toBe('SUBSCRIBED');
      const text = await first({ query: SUB });
      expect(text.errors?.[0]?.extensions?.code, JSON.stringify(text)).toBe('TRUSTED');
      expect(text.data).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });
});

describe('development with the same list', () => {
  it('accepts documents as text, and runs listed hashes', async () => {
    const text = await rawPost(dev, { query: '{ currentUser { rowId } }' });
    expect(text.json, text.raw).toEqual({ data: { currentUser: null } });
    const byId = await rawPost(dev, { documentId: ME_HASH });
    expect(byId.json, byId.raw).toEqual({ data: { currentUser: null } });
    expectTrusted(await rawPost(dev, { documentId: hash('{ unknown }') }));
  });

  it('an unknown hash with the empty query graphql-ws sends is refused with TRUSTED, over HTTP and a socket', async () => {
    expectTrusted(await rawPost(dev, { query: '', documentId: hash('{ unknown }') }));
    class Ws extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { origin: dev.url, 'x-forwarded-for': uniqueIp() } });
      }
    }
    const client = createClient({
      url: `${dev.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: Ws,
      retryAttempts: 0,
    });
    try {
      const codes = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: '', documentId: hash('subscription { unknown }') } as { query: string }, {
          next: (r) => resolve(r.errors?.map((e) => e.extensions?.code)),
          error: (e) => resolve(Array.isArray(e) ? e.map((x) => x.extensions?.code) : String(e)),
          complete: () => {},
        });
      });
      expect(codes).toEqual(['TRUSTED']);
    } finally {
      await client.dispose();
    }
  });
});

describe('the allow-list file', () => {
  it('a missing file, or one that is not an object of hash -> document, stops the server at start', () => {
    expect(() => loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS: join(dir, 'missing.json') })).toThrow(
      /GRAPHQL_TRUSTED_DOCUMENTS names no file/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '["{ currentUser { rowId } }"]');
    expect(() => loadTrustedDocuments(bad)).toThrow(/object of hash -> document/);
    writeFileSync(bad, JSON.stringify({ [ME_HASH]: 42 }));
    expect(() => loadTrustedDocuments(bad)).toThrow(/not a hash with a document/);
    writeFileSync(bad, '{ not json');
    expect(() => loadTrustedDocuments(bad)).toThrow(/not a JSON file/);
    expect(loadTrustedDocuments(LIST).get(ME_HASH)).toBe(ME);
  });
});
