// The whole browser journey and the native (bearer) flow, against the real server.
import { describe, expect, it } from 'vitest';
import { Client, email, LOGIN, LOGOUT, PASSWORD, REFRESH, REGISTER, signedIn, useServer } from './server.ts';

const srv = useServer();

const CREATE = `mutation ($url: String!) { createDocument(input: { document: { fullUrl: $url, comment: "c" } }) { document { rowId: id ownerId } } }`;
const DOC_IDS = `{ visibleDocuments { nodes { id fullUrl } } }`;

describe('browser journey', () => {
  it('register, create, share, read, unshare, refresh, logout', async () => {
    const ann = await signedIn(srv, 'ann');
    const bob = await signedIn(srv, 'bob');

    const me = await ann.client.gql<{ currentUser: { email: string } }>('{ currentUser { email } }');
    expect(me.data?.currentUser.email).toBe(ann.email);

    const created = await ann.client.gql<{ createDocument: { document: { ownerId: string } } }>(CREATE, {
      url: 'https://ann.example/1',
    });
    expect(created.data?.createDocument.document.ownerId).toBe(ann.userId);
    const annDocs = await ann.client.gql<{ visibleDocuments: { nodes: { id: string }[] } }>(
      '{ visibleDocuments { nodes { id: rowId fullUrl } } }',
    );
    const docId = annDocs.data!.visibleDocuments.nodes[0]!.id;

    // Bob cannot see it until it is shared.
    const before = await bob.client.gql<{ visibleDocuments: { nodes: unknown[] } }>(DOC_IDS);
    expect(before.data?.visibleDocuments.nodes).toEqual([]);

    const share = await ann.client.gql(
      `mutation ($d: UUID!, $s: UUID!) { shareDocument(input: { documentId: $d, subjectId: $s, role: viewer }) { clientMutationId } }`,
      { d: docId, s: bob.userId },
    );
    expect(share.errors).toBeUndefined();
    const after = await bob.client.gql<{ visibleDocuments: { nodes: { fullUrl: string }[] } }>(DOC_IDS);
    expect(after.data?.visibleDocuments.nodes.map((n) => n.fullUrl)).toEqual(['https://ann.example/1']);

    // A viewer cannot share further: a stable code, no SQL text.
    const reshare = await bob.client.gql(
      `mutation ($d: UUID!, $s: UUID!) { shareDocument(input: { documentId: $d, subjectId: $s, role: viewer }) { clientMutationId } }`,
      { d: docId, s: ann.userId },
    );
    expect(reshare.errors?.[0]?.extensions?.code).toBe('DNIED');

    const unshare = await ann.client.gql(
      `mutation ($d: UUID!, $s: UUID!) { unshareDocument(input: { documentId: $d, subjectId: $s }) { result } }`,
      { d: docId, s: bob.userId },
    );
    expect(unshare.raw).toContain('"result":true');
    const revoked = await bob.client.gql<{ visibleDocuments: { nodes: unknown[] } }>(DOC_IDS);
    expect(revoked.data?.visibleDocuments.nodes).toEqual([]);

    const oldAccess = await ann.client.cookie('pgauth-at');
    const refreshed = await ann.client.gql<{ refresh: { userId: string; accessToken: string | null } }>(REFRESH);
    expect(refreshed.data?.refresh.userId).toBe(ann.userId);
    expect(refreshed.data?.refresh.accessToken).toBeNull(); // browsers never see token values
    expect(await ann.client.cookie('pgauth-at')).not.toBe(oldAccess);

    const out = await ann.client.gql<{ logout: { success: boolean } }>(LOGOUT);
    expect(out.data?.logout.success).toBe(true);
    expect(await ann.client.cookie('pgauth-at')).toBeUndefined();
    expect(await ann.client.cookie('pgauth-rt')).toBeUndefined();
  });

  it('twenty parallel refreshes with one cookie keep the user signed in (F3)', async () => {
    const { client, userId } = await signedIn(srv, 'tabs');
    const cookieHeader = await client.jar.getCookieString(srv.url);
    const csrf = await client.cookie('pgauth-csrf');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${srv.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: cookieHeader, 'x-csrf-token': csrf!, origin: srv.url },
          body: JSON.stringify({ query: REFRESH }),
        }).then(async (r) => ({ status: r.status, body: await r.json(), cookies: r.headers.getSetCookie() })),
      ),
    );
    for (const r of results) expect(r.body.data?.refresh?.userId, JSON.stringify(r.body)).toBe(userId);
    const tokens = new Set(results.map((r) => r.cookies.find((c) => c.startsWith('pgauth-rt='))));
    expect(tokens.size).toBe(1); // all converge on the same successor
    // Whichever response the browser kept, it can go on refreshing.
    await client.jar.setCookie([...tokens][0]!.split(';')[0]!, srv.url);
    const next = await client.gql<{ refresh: { userId: string } }>(REFRESH);
    expect(next.data?.refresh.userId).toBe(userId);
  });
});

describe('native clients (X-Token-Delivery: body)', () => {
  it('get tokens in the body, use Bearer without CSRF, refresh and log out with the token', async () => {
    const native = new Client(srv.url, { origin: null });
    const h = { 'x-token-delivery': 'body' };
    const e = email('native');
    const reg = await native.gql<{ register: { accessToken: string; refreshToken: string; userId: string } }>(
      REGISTER,
      { email: e, password: PASSWORD },
      { headers: h },
    );
    expect(reg.data?.register.accessToken).toMatch(/^ey/);
    expect(reg.headers.getSetCookie()).toEqual([]); // no cookies for native clients
    const bearer = { authorization: `Bearer ${reg.data!.register.accessToken}` };
    const me = await native.gql<{ currentUser: { email: string } }>(
      '{ currentUser { email } }',
      {},
      { headers: bearer },
    );
    expect(me.data?.currentUser.email).toBe(e);
    const created = await native.gql(CREATE, { url: 'https://native.example/' }, { headers: bearer });
    expect(created.errors).toBeUndefined();

    const r = await native.gql<{ refresh: { refreshToken: string; accessToken: string } }>(
      REFRESH,
      { t: reg.data!.register.refreshToken },
      { headers: h },
    );
    expect(r.data?.refresh.refreshToken).toBeTruthy();
    expect(r.data?.refresh.refreshToken).not.toBe(reg.data!.register.refreshToken);
    const out = await native.gql<{ logout: { success: boolean } }>(
      LOGOUT,
      { t: r.data!.refresh.refreshToken },
      { headers: h },
    );
    expect(out.data?.logout.success).toBe(true);
    // D6: the access token is still unexpired, but its session is gone.
    const after = await native.gql<{ currentUser: unknown }>(
      '{ currentUser { email } }',
      {},
      {
        headers: { authorization: `Bearer ${r.data!.refresh.accessToken}` },
      },
    );
    expect(after.data?.currentUser).toBeNull();
  });

  it('the browser path is not weakened: cookies still need CSRF even with the header', async () => {
    const { client } = await signedIn(srv, 'mixed');
    const r = await client.gql(
      LOGIN,
      { email: 'x@example.com', password: 'whatever' },
      {
        headers: { 'x-token-delivery': 'body', 'x-csrf-token': 'forged' },
      },
    );
    expect(r.status).toBe(403);
    expect(r.errors?.[0]?.extensions?.code).toBe('CSRF');
  });
});
