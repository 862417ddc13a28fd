// What a browser front end on an allowed origin needs (hardening items 11, 15, 16): CORS on
// every browser-facing /auth/* route for allowed origins only, credentials never echoed to
// another Origin, and logout clearing each cookie with the attributes it was set with.
import { describe, expect, it } from 'vitest';
import { Client, LOGOUT, signedIn, useServer } from './server.ts';

const SPA = 'http://spa.example:5173';
const srv = useServer({ CORS_ORIGINS: `${SPA}` });

describe('D4: CORS for browser-facing routes', () => {
  it('D4: GET /auth/csrf from an allowed origin is readable (Allow-Origin and -Credentials echoed)', async () => {
    const r = await fetch(`${srv.url}/auth/csrf`, { headers: { origin: SPA } });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
    expect(r.headers.get('vary')).toMatch(/Origin/i);
  });

  it('D4: a preflight for /auth/csrf and /graphql from an allowed origin is answered', async () => {
    for (const path of ['/auth/csrf', '/graphql']) {
      const r = await fetch(`${srv.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: SPA,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-csrf-token',
        },
      });
      expect(r.status, path).toBe(204);
      expect(r.headers.get('access-control-allow-origin'), path).toBe(SPA);
      expect(r.headers.get('access-control-allow-headers'), path).toMatch(/X-CSRF-Token/i);
    }
  });

  it('D4: a foreign origin gets no Allow-Origin and no Allow-Credentials, on any route', async () => {
    for (const path of ['/auth/csrf', '/auth/providers', '/graphql']) {
      const r = await fetch(`${srv.url}${path}`, {
        method: path === '/graphql' ? 'POST' : 'GET',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: path === '/graphql' ? JSON.stringify({ query: '{ __typename }' }) : undefined,
      });
      expect(r.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(r.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
  });
});

describe('D1: logout clears each cookie with the attributes it was set with', () => {
  it('D1: the clearing Set-Cookie repeats Path, HttpOnly and SameSite, so cookie jars drop them', async () => {
    const { client } = await signedIn(srv, 'clear');
    const res = await client.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOGOUT }),
    });
    expect(res.status).toBe(200);
    const cleared = Object.fromEntries(res.headers.getSetCookie().map((c) => [c.split('=')[0], c]));
    expect(cleared['pgauth-at']).toMatch(/Max-Age=0/);
    expect(cleared['pgauth-at']).toMatch(/Path=\//);
    expect(cleared['pgauth-at']).toMatch(/HttpOnly/);
    expect(cleared['pgauth-at']).toMatch(/SameSite=Lax/);
    expect(cleared['pgauth-rt']).toMatch(/HttpOnly/);
    expect(cleared['pgauth-rt']).toMatch(/SameSite=Strict/);
    expect(cleared['pgauth-csrf']).toMatch(/SameSite=Strict/);
    // The jar (like curl's) really dropped them: a new anonymous CSRF token and a fresh login work.
    expect(await client.cookie('pgauth-at')).toBeUndefined();
    expect(await client.cookie('pgauth-rt')).toBeUndefined();
    const again = new Client(srv.url);
    await again.csrf();
    expect(await again.cookie('pgauth-csrf')).toBeTruthy();
  });
});
