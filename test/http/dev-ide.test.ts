// J1 (issue item 14), the development side: the GraphQL IDE (Ruru at /graphiql) keeps working
// once the browser is signed in. Ruru sent no X-CSRF-Token, so its schema fetch, queries and
// mutations were all refused with CSRF as soon as session cookies existed; and its editor's
// data: images broke the page's CSP. A real Chromium signs in, opens the IDE, runs a query and
// a mutation through Ruru's own editor and run button.
import { type Browser, chromium, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { email, PASSWORD, useServer } from './server.ts';

// Default limits: Ruru's introspection query (14 levels deep) must load in development.
const srv = useServer();
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

interface Seen {
  status: number;
  body: string;
  operation: string;
}

/** Every /graphql response the page receives, with the operation it answered. */
function recordGraphQL(page: Page): Seen[] {
  const seen: Seen[] = [];
  page.on('response', async (r: Response) => {
    if (new URL(r.url()).pathname !== '/graphql' || r.request().method() !== 'POST') return;
    seen.push({ status: r.status(), body: await r.text().catch(() => ''), operation: r.request().postData() ?? '' });
  });
  return seen;
}

const isGraphQL = (match: string) => (r: Response) =>
  new URL(r.url()).pathname === '/graphql' && (r.request().postData() ?? '').includes(match);

/** Types `text` into Ruru's query editor (replacing it) and presses its run button. */
async function runInRuru(page: Page, text: string, match: string): Promise<Response> {
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // insertText: no key events, so the editor's bracket auto-closing does not add braces.
  await page.keyboard.insertText(text);
  const answered = page.waitForResponse(isGraphQL(match));
  await page.locator('.graphiql-execute-button').click();
  return answered;
}

describe('development GraphQL IDE', () => {
  it('J1: signed in, Ruru loads the schema and runs a query and a mutation without CSRF errors, within the CSP', async () => {
    const ctx = await browser.newContext();
    // CSP violations (fonts, images, scripts the page needs) reported by the page itself.
    await ctx.addInitScript(() => {
      const w = window as unknown as { cspViolations: string[] };
      w.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI.slice(0, 60)}`),
      );
    });
    const page = await ctx.newPage();
    const seen = recordGraphQL(page);

    // Sign in the way a front end does, from the page (cookies land in this browser).
    await page.goto(`${srv.url}/auth/csrf`);
    const mail = email('ide');
    const signedIn = await page.evaluate(
      async ({ mail, password }) => {
        const csrf = document.cookie
          .split('; ')
          .find((c) => c.startsWith('pgauth-csrf='))!
          .split('=')[1]!;
        const res = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({
            query: 'mutation ($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { userId } }',
            variables: { e: mail, p: password },
          }),
        });
        return res.json();
      },
      { mail, password: PASSWORD },
    );
    expect(signedIn.data?.register?.userId, JSON.stringify(signedIn)).toBeTruthy();
    expect((await ctx.cookies(srv.url)).map((c) => c.name)).toContain('pgauth-at');

    // The IDE with session cookies: its schema fetch must succeed.
    const schema = page.waitForResponse(isGraphQL('IntrospectionQuery'));
    await page.goto(`${srv.url}/graphiql`);
    const introspection = await schema;
    expect(introspection.status(), await introspection.text()).toBe(200);
    expect(await introspection.text()).toContain('"__schema"');

    // An unknown field: the editor underlines it with a data: image (img-src), and its icons
    // and text use data: fonts (font-src). Wait until it is drawn, then a frame more.
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('{ noSuchField }');
    await page.locator('.graphiql-query-editor .squiggly-error').first().waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

    const query = await runInRuru(page, '{ currentUser { email } }', 'currentUser');
    expect(query.status()).toBe(200);
    expect(await query.json()).toEqual({ data: { currentUser: { email: mail } } });
    await expect.poll(() => page.locator('.result-window').textContent()).toContain(mail);

    const mutation = await runInRuru(
      page,
      'mutation { createDocument(input: { document: { fullUrl: "https://ide.example/doc" } }) { document { fullUrl } } }',
      'createDocument',
    );
    expect(mutation.status(), await mutation.text()).toBe(200);
    expect((await mutation.json()).data?.createDocument?.document?.fullUrl).toBe('https://ide.example/doc');

    // Only the GraphQL endpoint gets the token.
    const other = page.waitForRequest((r) => new URL(r.url()).pathname === '/healthz');
    await page.evaluate(() => fetch('/healthz').then((r) => r.text()));
    expect((await other).headers()['x-csrf-token']).toBeUndefined();

    for (const r of seen) expect(r.body, r.operation.slice(0, 80)).not.toContain('"CSRF"');
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    await ctx.close();
  });

  it('J1: the IDE page carries the token script and a CSP that allows data: images', async () => {
    const res = await fetch(`${srv.url}/graphiql`);
    const html = await res.text();
    expect(html).toContain('x-csrf-token');
    // The cookie name and endpoint are fixed strings, not request input.
    expect(html).toContain(JSON.stringify('pgauth-csrf'));
    expect(res.headers.get('content-security-policy')).toContain("img-src 'self' data:");
  });
});
