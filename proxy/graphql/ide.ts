/**
 * The development GraphQL IDE (Ruru at /graphiql; never served in production: J1). Ruru sends
 * no X-CSRF-Token, so as soon as the browser was signed in every request it made (its schema
 * fetch included) was refused with CSRF (D2). A script in the page's head wraps fetch so that
 * requests to the GraphQL endpoint carry the csrf cookie's value, exactly as the README asks
 * of any front end; it is read per request, because signing in replaces it. The server relaxes
 * nothing. The page's CSP (app.ts) allows what Ruru needs: inline bootstrap code, its own
 * static files, data: fonts and images.
 */
type RuruConfig = NonNullable<GraphileConfig.Preset['ruru']>;

/** Ruru's configuration: the fetch wrapper for `csrfCookie` and `graphqlPath`. */
export function devIde(o: { csrfCookie: string; graphqlPath: string }): RuruConfig {
  const script = `<script>
(() => {
  const cookie = ${JSON.stringify(o.csrfCookie)};
  const endpoint = new URL(${JSON.stringify(o.graphqlPath)}, location.href).href;
  const token = () => {
    const pair = document.cookie.split('; ').find((c) => c.startsWith(cookie + '='));
    return pair ? decodeURIComponent(pair.slice(cookie.length + 1)) : null;
  };
  const fetch0 = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    const csrf = token();
    if (!csrf || url.origin + url.pathname !== endpoint) return fetch0(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has('x-csrf-token')) headers.set('x-csrf-token', csrf);
    return fetch0(input, { ...init, headers });
  };
})();
</script>`;
  return { htmlParts: { headerScripts: (original) => `${script}\n${original}` } };
}
