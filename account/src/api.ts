// The pages' transport: GraphQL over fetch with the session cookies and the CSRF header
// (README "Rules for a browser front end"), one refresh when the session looks expired.
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function csrfCookie(): string | undefined {
  for (const part of document.cookie.split('; ')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq);
    if (name === 'pgauth-csrf' || name === '__Host-pgauth-csrf') return decodeURIComponent(part.slice(eq + 1));
  }
  return undefined;
}

export async function csrf(): Promise<string> {
  const have = csrfCookie();
  if (have) return have;
  const r = await fetch('/auth/csrf', { credentials: 'include' });
  const body = (await r.json().catch(() => ({}))) as { csrfToken?: string; token?: string };
  return csrfCookie() ?? body.csrfToken ?? body.token ?? '';
}

type Vars = Record<string, unknown>;

async function post(query: string, variables: Vars): Promise<{ data?: Record<string, unknown>; errors?: Gqlerr[] }> {
  const r = await fetch('/graphql', {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json', 'x-csrf-token': await csrf() },
    body: JSON.stringify({ query, variables }),
  });
  return r.json();
}

interface Gqlerr {
  message: string;
  extensions?: { code?: string };
}

export interface Refreshed {
  mfaRequired: boolean;
  mfaFactors: { id: string; kind: string; friendlyName: string | null }[] | null;
}
let refreshing: Promise<Refreshed | null> | null = null;

/** One refresh for every caller at once: the renewed session (null when there is none). */
export function refreshSession(): Promise<Refreshed | null> {
  refreshing ??= post('mutation { refresh { mfaRequired mfaFactors { id kind friendlyName } } }', {})
    .then((r) => (r.errors ? null : ((r.data?.refresh as Refreshed | undefined) ?? null)))
    .catch(() => null)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function refresh(): Promise<boolean> {
  return (await refreshSession()) !== null;
}

const EXPIRED = new Set(['LOGIN', 'EXPIRED', 'JWTEXP', 'TOKEXP']);

/** Runs one operation; throws ApiError with the first error's code. */
export async function gql<T = Record<string, unknown>>(query: string, variables: Vars = {}): Promise<T> {
  let res = await post(query, variables);
  const code = res.errors?.[0]?.extensions?.code;
  if (code && EXPIRED.has(code) && !/^\s*mutation\s*(\(|\{)?\s*(login|register|refresh)/.test(query)) {
    if (await refresh()) res = await post(query, variables);
  }
  const err = res.errors?.[0];
  if (err) throw new ApiError(err.extensions?.code ?? 'INTERNAL', err.message);
  return res.data as T;
}

/** A plain POST to an /auth route with the CSRF header (e.g. linking a provider). */
export async function authPost<T>(path: string): Promise<T> {
  const r = await fetch(path, { method: 'POST', credentials: 'include', headers: { 'x-csrf-token': await csrf() } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = body.error ?? body.errors?.[0];
    throw new ApiError(e?.code ?? e?.extensions?.code ?? 'INTERNAL', e?.message ?? `HTTP ${r.status}`);
  }
  return body as T;
}

export interface Me {
  id: string;
  email: string;
  displayName: string | null;
  emailVerified: boolean;
}

/** The signed-in user, refreshing once if the access token has expired; null when signed
 * out; `pending` when the session waits for a second factor (e.g. back from a provider). */
export async function currentUser(): Promise<Me | null | { pending: Refreshed['mfaFactors'] }> {
  const q = '{ currentUser { id email displayName emailVerified } }';
  const first = await gql<{ currentUser: Me | null }>(q).catch(() => ({ currentUser: null }));
  if (first.currentUser) return first.currentUser;
  const renewed = await refreshSession();
  if (!renewed) return null;
  if (renewed.mfaRequired) return { pending: renewed.mfaFactors ?? [] };
  return (await gql<{ currentUser: Me | null }>(q).catch(() => ({ currentUser: null }))).currentUser;
}

export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
