// J2 (hardening item 3): depth, breadth, aliases and cost are measured on the operation with
// fragments expanded where they are spread, and a connection queried without first/last gets
// the default page size. Every refusal is LIMIT (400) before anything reaches Postgres.
import { describe, expect, it } from 'vitest';
import { rawPost } from './helpers.ts';
import { signedIn, useServer } from './server.ts';

const srv = useServer({
  GRAPHQL_MAX_DEPTH: '10',
  GRAPHQL_MAX_ALIASES: '20',
  GRAPHQL_MAX_FIELDS: '200',
  GRAPHQL_MAX_COST: '5000',
  GRAPHQL_DEFAULT_PAGE_SIZE: '3',
  GRAPHQL_MAX_DOCUMENT_BYTES: '4096',
});

async function expectLimit(query: string, pattern: RegExp) {
  const r = await rawPost(srv, { query });
  expect(r.status, r.raw).toBe(400);
  expect(r.json?.errors?.[0]?.extensions?.code, r.raw).toBe('LIMIT');
  expect(r.json?.errors?.[0]?.message).toMatch(pattern);
}

/** `depth` nested fragments, each selecting `width` aliases of the next one. */
function fragmentTower(depth: number, width: number): string {
  const frags: string[] = [];
  for (let i = 0; i < depth; i++) {
    const inner =
      i === depth - 1
        ? '__typename'
        : Array.from({ length: width }, (_, j) => `a${j}: __typename ...F${i + 1}`).join(' ');
    frags.push(`fragment F${i} on Query { ${inner} }`);
  }
  return `{ ...F0 } ${frags.join(' ')}`;
}

describe('J2 (!): limits measured with fragments expanded', () => {
  it('J2: depth through nested fragments counts the expanded depth', async () => {
    // Each fragment adds one level; written out it is 12 levels deep.
    const frags = Array.from(
      { length: 12 },
      (_, i) =>
        `fragment D${i} on User { ${i === 11 ? 'email' : `userAclsByUserId { nodes { user { ...D${i + 1} } } }`} }`,
    );
    await expectLimit(`{ currentUser { ...D0 } } ${frags.join(' ')}`, /depth/i);
  });

  it('J2: aliases spread through nested fragments are counted every time they are spread', async () => {
    // 4 aliases in each of 3 fragment levels: 4 + 16 + 64 aliases once expanded, 4 as written.
    await expectLimit(fragmentTower(4, 4), /aliases/i);
  });

  it('J2: breadth (expanded field count) is limited', async () => {
    const fields = Array.from({ length: 250 }, () => '__typename').join(' ');
    await expectLimit(`{ ${fields} }`, /fields/i);
  });

  it('J2: cost multiplies by the page size of each connection above', async () => {
    await expectLimit(
      `{ visibleDocuments(first: 100) { nodes { rowId fullUrl shortUrl comment createdAt documentAclsByDocumentId(first: 100) { nodes { role subjectId createdAt } } } } }`,
      /result size/i,
    );
  });

  it('J2: a small query with fragments passes', async () => {
    const r = await rawPost(srv, { query: 'query { ...Me } fragment Me on Query { currentUser { email } }' });
    expect(r.status, r.raw).toBe(200);
    expect(r.json?.errors).toBeUndefined();
  });

  it('J2 (!): a connection queried without first/last returns the default page size', async () => {
    const { client } = await signedIn(srv, 'page');
    for (let i = 0; i < 5; i++) {
      await client.gql(
        `mutation { createDocument(input: { document: { fullUrl: "https://p.example/${i}" } }) { clientMutationId } }`,
      );
    }
    const all = await client.gql<{ visibleDocuments: { nodes: unknown[] } }>(
      '{ visibleDocuments { nodes { rowId } } }',
    );
    expect(all.data?.visibleDocuments.nodes.length, all.raw).toBe(3);
    const nullFirst = await client.gql<{ visibleDocuments: { nodes: unknown[] } }>(
      'query ($n: Int) { visibleDocuments(first: $n) { nodes { rowId } } }',
      { n: null },
    );
    expect(nullFirst.data?.visibleDocuments.nodes.length, nullFirst.raw).toBe(3);
    const four = await client.gql<{ visibleDocuments: { nodes: unknown[] } }>(
      '{ visibleDocuments(first: 4) { nodes { rowId } } }',
    );
    expect(four.data?.visibleDocuments.nodes.length).toBe(4);
  });

  it('J2: a document over GRAPHQL_MAX_DOCUMENT_BYTES is refused before parsing: 413 TOOBIG', async () => {
    const r = await rawPost(srv, { query: `{ __typename ${' '.repeat(5000)}}` });
    expect(r.status, r.raw).toBe(413);
    expect(r.json?.errors?.[0]?.extensions?.code).toBe('TOOBIG');
  });

  it('J2: a list literal nested beyond the parser stack answers LIMIT, not a crash', async () => {
    const deep = `${'['.repeat(1900)}1${']'.repeat(1900)}`;
    const r = await rawPost(srv, { query: `{ visibleDocuments(first: ${deep}) { totalCount } }` });
    expect(r.status, r.raw.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(['LIMIT', 'GQLVAL', 'TOOBIG']).toContain(r.json?.errors?.[0]?.extensions?.code);
    expect(r.raw).not.toMatch(/call stack/i);
  });
});
