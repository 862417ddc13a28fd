// The device authorization grant over HTTP (RFC 8628; issue 15, Q3): POST /auth/device/code,
// polling POST /auth/token (pending, slow_down, denied, expired, tokens once), approval at
// /auth/device (form with the session's CSRF token) or with approveDevice. Time moves by
// rewriting the stored timestamps as the owner, never by waiting.
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAccessToken } from '../../proxy/core/tokens.ts';
import { closeOwner, owner, rawPost, uniqueIp } from './helpers.ts';
import { Client, REFRESH, signedIn, useServer } from './server.ts';

const srv = useServer({
  TRUST_PROXY_HOPS: '1',
  APP_CLI_NAME: 'Example CLI',
  APP_CLI_DEVICE_GRANT: 'true',
  APP_MOBILE_NAME: 'Mobile',
  APP_MOBILE_REDIRECT_URIS: 'com.example.mobile:/cb',
});
afterAll(closeOwner);

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const APPROVE = `mutation ($c: String!, $a: Boolean) { approveDevice(userCode: $c, approve: $a) { clientId clientName userCode approved } }`;

interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

function form(path: string, body: Record<string, string>, ip = uniqueIp()) {
  return fetch(`${srv.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, 'user-agent': 'cli/1' },
    body: new URLSearchParams(body).toString(),
  });
}

async function start(clientId = 'cli'): Promise<DeviceStart> {
  const r = await form('/auth/device/code', { client_id: clientId, scope: 'profile' });
  expect(r.status).toBe(200);
  return (await r.json()) as DeviceStart;
}

async function poll(d: DeviceStart, clientId = 'cli') {
  const r = await form('/auth/token', { grant_type: GRANT, device_code: d.device_code, client_id: clientId });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** The interval has passed since the last poll (as the owner: no waiting). */
async function waitInterval(d: DeviceStart) {
  await owner(
    `update app_private.device_codes set last_polled_at = last_polled_at - interval '10 minutes'
     where device_code_hash = sha256(convert_to($1, 'UTF8'))`,
    [d.device_code],
  );
}

/** GET /auth/device as the browser, returning the CSRF token embedded in the form. */
async function pageCsrf(client: Client, query = ''): Promise<{ html: string; csrf: string }> {
  const res = await client.fetch(`/auth/device${query}`);
  const html = await res.text();
  expect(res.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(csrf).toBeTruthy();
  return { html, csrf: csrf! };
}

function postPage(client: Client, body: Record<string, string>) {
  return client.fetch('/auth/device', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': uniqueIp() },
    body: new URLSearchParams(body).toString(),
  });
}

describe('device authorization grant', () => {
  it('the whole grant: pending, slow_down, approval on the page, tokens once', async () => {
    const d = await start();
    expect(d.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(d.device_code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(d.verification_uri).toBe(`${srv.url}/auth/device`);
    expect(d.verification_uri_complete).toBe(`${srv.url}/auth/device?user_code=${d.user_code}`);
    expect(d.expires_in).toBe(600);
    expect(d.interval).toBe(5);

    expect(await poll(d)).toEqual({ status: 400, body: { error: 'authorization_pending' } });
    expect(await poll(d)).toEqual({ status: 400, body: { error: 'slow_down' } });

    const { client, userId } = await signedIn(srv, 'device');
    const { html, csrf } = await pageCsrf(client, `?user_code=${d.user_code}`);
    expect(html).toContain(`value="${d.user_code}"`);
    const lookup = await postPage(client, { csrf, user_code: d.user_code, action: 'lookup' });
    const confirm = await lookup.text();
    expect(lookup.status).toBe(200);
    expect(confirm).toContain('<strong id="client-name">Example CLI</strong>');
    expect(confirm).toContain(`<strong id="user-code">${d.user_code}</strong>`);
    const approved = await postPage(client, { csrf, user_code: d.user_code, action: 'approve' });
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('Approved');

    await waitInterval(d);
    const got = await poll(d);
    expect(got.status).toBe(200);
    expect(got.body.token_type).toBe('Bearer');
    expect(got.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const claims = await verifyAccessToken(
      srv.keys,
      { issuer: srv.cfg.publicOrigin, audience: srv.cfg.audience, ttlSeconds: 900 },
      got.body.access_token as string,
    );
    expect(claims?.sub).toBe(userId);
    const me = await rawPost(
      srv,
      { query: '{ currentUser { rowId } }' },
      { authorization: `Bearer ${got.body.access_token}` },
    );
    expect(me.json?.data?.currentUser?.rowId).toBe(userId);
    // A normal session: its refresh token rotates like any native client's.
    const refreshed = await new Client(srv.url, { origin: null }).gql<{ refresh: { userId: string } }>(
      REFRESH,
      { t: got.body.refresh_token },
      { headers: { 'x-token-delivery': 'body' } },
    );
    expect(refreshed.data?.refresh?.userId).toBe(userId);

    await waitInterval(d);
    expect(await poll(d), 'Q3: tokens are delivered once').toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('Q3: polling too fast gets slow_down and the interval grows by 5 s', async () => {
    const d = await start();
    expect((await poll(d)).body.error).toBe('authorization_pending');
    expect((await poll(d)).body.error).toBe('slow_down');
    expect((await poll(d)).body.error).toBe('slow_down');
    const [row] = await owner<{ poll_interval: number }>(
      `select poll_interval from app_private.device_codes where device_code_hash = sha256(convert_to($1, 'UTF8'))`,
      [d.device_code],
    );
    expect(row?.poll_interval).toBe(15);
  });

  it('Q3: an expired device code gets expired_token, and its user code is refused', async () => {
    const d = await start();
    await owner(
      `update app_private.device_codes set expires_at = now() - interval '1 second', created_at = created_at - interval '11 minutes'
       where device_code_hash = sha256(convert_to($1, 'UTF8'))`,
      [d.device_code],
    );
    expect(await poll(d)).toEqual({ status: 400, body: { error: 'expired_token' } });
    const { client } = await signedIn(srv, 'expired');
    const r = await client.gql(APPROVE, { c: d.user_code });
    expect(r.errors?.[0]?.extensions?.code).toBe('DVCOD');
  });

  it('a denied authorization gets access_denied (approveDevice with approve: false)', async () => {
    const d = await start();
    const { client } = await signedIn(srv, 'denier');
    const r = await client.gql<{ approveDevice: Record<string, unknown> }>(APPROVE, { c: d.user_code, a: false });
    expect(r.data?.approveDevice).toEqual({
      clientId: 'cli',
      clientName: 'Example CLI',
      userCode: d.user_code,
      approved: false,
    });
    expect(await poll(d)).toEqual({ status: 400, body: { error: 'access_denied' } });
  });

  it('approveDevice approves, and the device gets the approving user', async () => {
    const d = await start();
    const { client, userId } = await signedIn(srv, 'gql');
    const r = await client.gql<{ approveDevice: { approved: boolean } }>(APPROVE, {
      c: d.user_code.toLowerCase().replace('-', ''),
    });
    expect(r.data?.approveDevice?.approved).toBe(true);
    const got = await poll(d);
    expect(got.status).toBe(200);
    const claims = await verifyAccessToken(
      srv.keys,
      { issuer: srv.cfg.publicOrigin, audience: srv.cfg.audience, ttlSeconds: 900 },
      got.body.access_token as string,
    );
    expect(claims?.sub).toBe(userId);
  });

  it('Q3: wrong user codes are limited per user: after 5, even the right code is refused', async () => {
    const d = await start();
    const { client } = await signedIn(srv, 'guesser');
    for (let i = 0; i < 5; i++) {
      const r = await client.gql(APPROVE, { c: 'BBBB-BBBB' });
      expect(r.errors?.[0]?.extensions?.code).toBe('DVCOD');
    }
    const r = await client.gql(APPROVE, { c: d.user_code });
    expect(r.errors?.[0]?.extensions?.code).toBe('RATEL');
    expect((await poll(d)).body.error).toBe('authorization_pending');
  });

  it("Q3: approval on the page without the CSRF token, with another session's, or cross-site is refused", async () => {
    const d = await start();
    const { client } = await signedIn(srv, 'csrf');
    const { csrf } = await pageCsrf(client);
    const none = await postPage(client, { user_code: d.user_code, action: 'approve' });
    expect(none.status).toBe(403);
    expect(await none.text()).toContain('Missing or invalid CSRF token');
    const other = await signedIn(srv, 'other');
    const { csrf: foreign } = await pageCsrf(other.client);
    const wrong = await postPage(client, { csrf: foreign, user_code: d.user_code, action: 'approve' });
    expect(wrong.status).toBe(403);
    // A foreign page posting the form: the browser sends the cookies (SameSite allowing) and its own Origin.
    const crossSite = await fetch(`${srv.url}/auth/device`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: await client.jar.getCookieString(srv.url),
        origin: 'https://evil.example',
      },
      body: new URLSearchParams({ csrf, user_code: d.user_code, action: 'approve' }).toString(),
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('Cross-site request refused');
    expect((await poll(d)).body.error, 'nothing was approved').toBe('authorization_pending');
  });

  it('Q3: the page needs a signed-in browser and carries no script', async () => {
    const anon = new Client(srv.url);
    const res = await anon.fetch('/auth/device?user_code=BCDF-GHJK');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Sign in');
    const { client } = await signedIn(srv, 'page');
    const ok = await client.fetch('/auth/device?user_code=<script>');
    const html = await ok.text();
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('<meta name="referrer" content="same-origin">');
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src 'none'; form-action 'self'`);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('name="user_code" value=""');
  });

  it('only registered device apps may start; RFC 6749 errors', async () => {
    expect((await form('/auth/device/code', { client_id: 'nobody' })).status).toBe(401);
    const mobile = await form('/auth/device/code', { client_id: 'mobile' });
    expect(mobile.status).toBe(401);
    expect(await mobile.json()).toEqual({ error: 'invalid_client' });
    const json = await fetch(`${srv.url}/auth/device/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"client_id":"cli"}',
    });
    expect(json.status).toBe(400);
    const d = await start();
    expect((await poll(d, 'mobile')).body.error).toBe('invalid_client');
    expect(
      (await form('/auth/token', { grant_type: GRANT, client_id: 'cli', device_code: 'x'.repeat(43) })).status,
    ).toBe(400);
  });
});
