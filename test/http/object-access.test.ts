// I1 through every GraphQL entry point: a document (and its owner's record) that a user has
// no access to is unreachable by node id, by row id, by short URL, through connections and
// nested relations, and cannot be updated or deleted by any of the generated mutations.
import { describe, expect, it } from 'vitest';
import { signedIn, useServer } from './server.ts';

const srv = useServer();

describe('I1: no entry point reaches an object without access', () => {
  it('node, by-id, by-short-url, connections, nested relations, update and delete', async () => {
    const owner = await signedIn(srv, 'owner');
    const stranger = await signedIn(srv, 'stranger');
    const created = await owner.client.gql<{
      createDocument: { document: { id: string; rowId: string; shortUrl: string } };
    }>(
      `mutation { createDocument(input: { document: { fullUrl: "https://secret.example/", comment: "secret" } }) { document { id rowId shortUrl } } }`,
    );
    const doc = created.data!.createDocument.document;

    const s = stranger.client;
    const reads = await s.gql<Record<string, unknown>>(
      `query ($id: ID!, $row: UUID!, $short: String!, $owner: UUID!) {
      node(id: $id) { id }
      documentByRowId(rowId: $row) { rowId }
      documentByShortUrl(shortUrl: $short) { rowId }
      userByRowId(rowId: $owner) { rowId email }
      visibleDocuments { nodes { rowId } }
      allUsers { nodes { rowId } }
      currentUser { documentsByOwnerId { nodes { rowId } } }
    }`,
      { id: doc.id, row: doc.rowId, short: doc.shortUrl, owner: owner.userId },
    );
    expect(reads.errors, reads.raw).toBeUndefined();
    expect(reads.data).toMatchObject({
      node: null,
      documentByRowId: null,
      documentByShortUrl: null,
      userByRowId: null,
      visibleDocuments: { nodes: [] },
      currentUser: { documentsByOwnerId: { nodes: [] } },
    });
    expect((reads.data!.allUsers as { nodes: { rowId: string }[] }).nodes.map((n) => n.rowId)).toEqual([
      stranger.userId,
    ]);

    const writes = [
      [
        `mutation ($id: ID!) { updateDocument(input: { id: $id, documentPatch: { comment: "pwned" } }) { document { rowId } } }`,
        { id: doc.id },
      ],
      [
        `mutation ($row: UUID!) { updateDocumentByRowId(input: { rowId: $row, documentPatch: { comment: "pwned" } }) { document { rowId } } }`,
        { row: doc.rowId },
      ],
      [
        `mutation ($s: String!) { updateDocumentByShortUrl(input: { shortUrl: $s, documentPatch: { comment: "pwned" } }) { document { rowId } } }`,
        { s: doc.shortUrl },
      ],
      [`mutation ($id: ID!) { deleteDocument(input: { id: $id }) { document { rowId } } }`, { id: doc.id }],
      [
        `mutation ($row: UUID!) { deleteDocumentByRowId(input: { rowId: $row }) { document { rowId } } }`,
        { row: doc.rowId },
      ],
    ] as const;
    for (const [query, vars] of writes) {
      const r = await s.gql(query, vars);
      // Exactly like a missing row (I1): NTFND, never a validation error that runs nothing.
      expect(r.errors?.[0]?.extensions?.code, `${query}\n${r.raw}`).toBe('NTFND');
      expect(r.raw, query).not.toContain('secret.example');
      expect(r.raw, query).not.toMatch(/policy|documents_pkey|relation "|violates/i);
    }

    // Unchanged and still there for its owner.
    const mine = await owner.client.gql<{ documentByRowId: { comment: string } }>(
      `query ($row: UUID!) { documentByRowId(rowId: $row) { comment } }`,
      { row: doc.rowId },
    );
    expect(mine.data?.documentByRowId.comment).toBe('secret');
  });

  it('shared access exposes the document and its ACL to the viewer, and no more', async () => {
    const owner = await signedIn(srv, 'own2');
    const viewer = await signedIn(srv, 'view2');
    const created = await owner.client.gql<{ createDocument: { document: { rowId: string } } }>(
      `mutation { createDocument(input: { document: { fullUrl: "https://shared.example/" } }) { document { rowId } } }`,
    );
    const row = created.data!.createDocument.document.rowId;
    await owner.client.gql(
      `mutation ($d: UUID!, $s: UUID!) { shareDocument(input: { documentId: $d, subjectId: $s, role: viewer }) { clientMutationId } }`,
      { d: row, s: viewer.userId },
    );
    const r = await viewer.client.gql<{
      documentByRowId: { fullUrl: string; documentAclsByDocumentId: { nodes: { subjectId: string; role: string }[] } };
    }>(
      `query ($row: UUID!) { documentByRowId(rowId: $row) { fullUrl documentAclsByDocumentId { nodes { subjectId role } } } }`,
      { row },
    );
    expect(r.data?.documentByRowId.fullUrl).toBe('https://shared.example/');
    expect(r.data?.documentByRowId.documentAclsByDocumentId.nodes.map((n) => n.role).sort()).toEqual([
      'owner',
      'viewer',
    ]);
    const upd = await viewer.client.gql(
      `mutation ($row: UUID!) { updateDocumentByRowId(input: { rowId: $row, documentPatch: { comment: "x" } }) { document { rowId } } }`,
      { row },
    );
    // A viewer's update matches no row it may update: NTFND, and the comment is unchanged.
    expect(upd.errors?.[0]?.extensions?.code, upd.raw).toBe('NTFND');
  });
});
