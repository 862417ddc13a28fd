// K2 (!): denied authorization attempts are recorded even though the request fails (the
// refusal rolls back with the request; the edge audits it in its own transaction).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH, signedIn, useServer } from './server.ts';

const srv = useServer();
let owner: pg.Client;
beforeAll(async () => {
  owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
});

const SHARE = `mutation ($d: UUID!, $s: UUID!) { shareDocument(input: { documentId: $d, subjectId: $s, role: viewer }) { clientMutationId } }`;

async function denials(userId: string) {
  const { rows } = await owner.query(
    `select detail ->> 'operation' as operation, detail ->> 'code' as code, actor_role from app_public.audit_log
     where event = 'access_denied' and actor_user_id = $1 order by id`,
    [userId],
  );
  return rows;
}

describe('K2: denied attempts are audited', () => {
  it('a refused share (invisible document, then a viewer resharing) leaves audit rows with the real actor', async () => {
    const alice = await signedIn(srv, 'k2alice');
    const mallory = await signedIn(srv, 'k2mallory');
    const doc = await alice.client.gql<{ createDocument: { document: { rowId: string } } }>(
      `mutation { createDocument(input: { document: { fullUrl: "https://k2.example/" } }) { document { rowId } } }`,
    );
    const rowId = doc.data!.createDocument.document.rowId;

    const probe = await mallory.client.gql(SHARE, { d: rowId, s: mallory.userId });
    expect(probe.errors?.[0]?.extensions?.code).toBe('NTFND');
    await alice.client.gql(SHARE, { d: rowId, s: mallory.userId });
    const reshare = await mallory.client.gql(SHARE, { d: rowId, s: alice.userId });
    expect(reshare.errors?.[0]?.extensions?.code).toBe('DNIED');

    expect(await denials(mallory.userId)).toEqual([
      { operation: 'shareDocument', code: 'NTFND', actor_role: 'app_user' },
      { operation: 'shareDocument', code: 'DNIED', actor_role: 'app_user' },
    ]);
    expect(await denials(alice.userId)).toEqual([]); // successful calls are not denials
  });

  it('an admin refused on a user of its own rank (OUTRK, O4) leaves an audit row', async () => {
    const admins = [];
    for (const tag of ['k2root', 'k2peer']) {
      const b = await signedIn(srv, tag);
      await owner.query(`insert into app_public.user_roles (user_id, role) values ($1, 'admin')`, [b.userId]);
      expect((await b.client.gql(REFRESH)).status).toBe(200);
      admins.push(b);
    }
    const [root, peer] = admins as [Awaited<ReturnType<typeof signedIn>>, Awaited<ReturnType<typeof signedIn>>];
    const r = await root.client.gql(
      `mutation ($id: UUID!) { banUser(input: { userId: $id, reason: "x" }) { clientMutationId } }`,
      { id: peer.userId },
    );
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('OUTRK');
    expect(await denials(root.userId)).toEqual([{ operation: 'banUser', code: 'OUTRK', actor_role: 'admin' }]);
  });
});
