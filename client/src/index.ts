/**
 * @pgauth/client: the browser side of pgauth. One object per app, created with
 * createAuthClient({ url }). It fetches the CSRF token (GET /auth/csrf) and sends it as
 * X-CSRF-Token with `credentials: 'include'`; session tokens stay in the edge's HttpOnly
 * cookies and never reach JavaScript.
 *
 * Refresh: a request answered `LOGIN` while this browser holds a session (the access token
 * expired, or the cookie is gone) makes ONE `refresh` for every request waiting in this tab
 * (a shared promise) and across tabs (navigator.locks; a tab that finds the session already
 * rotated by another tab only retries). `TOKEN`/`REUSE` end the session: the client is
 * signed out and every other tab is told on the BroadcastChannel (default name `pgauth`).
 */
import { AuthClientError, type GraphQLErrorLike, toClientError } from './errors.ts';
import { OPS } from './operations.ts';
import type { PgauthPasskeyAddStartMutation, PgauthRevokeMutation, PgauthRevokeOthersMutation } from './gql/graphql.ts';
import PERSISTED from './gql/persisted-documents.json' with { type: 'json' };

export { AuthClientError, ERROR_CODES, type ErrorCode, type ClientErrorCode, isErrorCode } from './errors.ts';
export type { GraphQLErrorLike } from './errors.ts';
export { OPS } from './operations.ts';

export interface AuthClientOptions {
  /** The edge's origin (https://api.example.com); default the page's origin. */
  url?: string;
  /** The GraphQL endpoint's path (default /graphql). */
  graphqlPath?: string;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Name of the BroadcastChannel, the lock and the session cookie (default `pgauth`). */
  channel?: string;
  /** WebAuthn helpers (e.g. `import * as webauthn from '@simplewebauthn/browser'`). Default:
   * the browser's own JSON WebAuthn API, or @simplewebauthn/browser loaded on demand. */
  webauthn?: WebAuthnHelpers;
  /** How long signIn({ provider, mode: 'popup' }) waits for the provider (default 5 minutes). */
  popupTimeoutMs?: number;
  /** Send the client's own operations by hash (`documentId`) instead of their text, for an
   * edge with GRAPHQL_TRUSTED_DOCUMENTS: the list must include the entries of
   * `@pgauth/client/src/gql/persisted-documents.json` (npm run client:codegen). Default false. */
  persistedDocuments?: boolean;
}

/** Operation name of each of the client's own documents -> its hash in persisted-documents.json. */
const opName = (doc: string) => /^\s*(?:query|mutation)\s+(Pgauth\w+)/.exec(doc)?.[1];
const OPS_TEXT = new Set<string>(Object.values(OPS));
export const DOCUMENT_IDS: ReadonlyMap<string, string> = new Map(
  Object.entries(PERSISTED as Record<string, string>).map(([hash, doc]) => [opName(doc) ?? '', hash]),
);

export interface WebAuthnHelpers {
  startAuthentication(o: { optionsJSON: never }): Promise<unknown>;
  startRegistration(o: { optionsJSON: never }): Promise<unknown>;
}

export interface User {
  id: string;
  email: string;
  displayName: string | null;
  emailVerified: boolean;
  isAnonymous: boolean;
  createdAt: string;
}

export interface MfaFactorRef {
  id: string;
  kind: string;
  friendlyName: string | null;
}

export type AuthStatus = 'unknown' | 'signed-in' | 'mfa-required' | 'signed-out';
export type AuthEvent = 'SIGNED_IN' | 'SIGNED_OUT' | 'TOKEN_REFRESHED' | 'MFA_REQUIRED' | 'USER_UPDATED';

export interface AuthState {
  status: AuthStatus;
  user: User | null;
  /** The factors to choose from while `status` is `mfa-required`. */
  mfaFactors: MfaFactorRef[];
}

/** What a sign-in ends with: a user, or a session that waits for its second factor. */
export type SignInResult =
  | { mfaRequired: false; user: User | null }
  | { mfaRequired: true; factors: MfaFactorRef[] }
  /** A mail was sent (emailLink), or the page is leaving for a provider (redirect). */
  | { mfaRequired: false; user: null; pending: 'email' | 'redirect' };

export type SignInInput =
  | { email: string; password: string }
  | { emailLink: string }
  | { emailToken: string }
  | { emailCode: { email: string; code: string } }
  | { provider: string; mode?: 'redirect' | 'popup'; returnTo?: string }
  | { passkey: true; email?: string };

export type MfaInput =
  | { factorId: string; code: string; trustDevice?: boolean }
  | { recoveryCode: string }
  | { passkey: true };

export interface GraphQLResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: GraphQLErrorLike[];
  /** The HTTP status of the (last) response. */
  status: number;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  isCurrent: boolean;
}

export interface IdentityInfo {
  provider: string;
  email: string | null;
  linkedAt: string;
  tokenExpiresAt: string | null;
}

/** What this browser knows about its session, shared by its tabs (the `pgauth-session` cookie). */
interface Hint {
  userId: string;
  sessionId: string | null;
  /** When the access token expires (ms), if known. */
  expiresAt: number | null;
  /** Changes on every sign-in and refresh: a tab that saw another value knows it rotated. */
  gen: string;
}

type Message = { type: 'signed-in' | 'signed-out' | 'refreshed' | 'user-updated' };

interface AuthPayload {
  userId: string;
  sessionId: string;
  accessTokenExpiresAt: string;
  mfaRequired?: boolean;
  mfaFactors?: MfaFactorRef[] | null;
}

/** Codes that mean the session is gone for good (a refresh cannot help). */
const ENDED = new Set(['TOKEN', 'REUSE']);
/** Refresh a little before the access token expires, so no request is sent with a dead one. */
const EARLY_MS = 5_000;

export type AuthClient = ReturnType<typeof createAuthClient>;

export function createAuthClient(options: AuthClientOptions = {}) {
  const origin = (options.url ?? globalThis.location?.origin ?? '').replace(/\/+$/, '');
  const graphqlUrl = origin + (options.graphqlPath ?? '/graphql');
  const name = options.channel ?? 'pgauth';
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sameOrigin = !globalThis.location || origin === globalThis.location.origin;

  let state: AuthState = { status: 'unknown', user: null, mfaFactors: [] };
  const listeners = new Set<(event: AuthEvent, state: AuthState) => void>();
  let memoryHint: Hint | null = null;
  let csrfCache: string | null = null;
  let csrfFlight: Promise<string> | null = null;
  let refreshFlight: Promise<boolean> | null = null;

  // ---------------------------------------------------------------- shared state
  const storage = (() => {
    try {
      return globalThis.localStorage ?? null;
    } catch {
      return null;
    }
  })();
  // The hint lives in a cookie of the page's origin (`pgauth-session`, readable by script,
  // SameSite=Strict), not in localStorage: a tab that gets the refresh lock right after
  // another tab released it must see that tab's write, and Chromium propagates localStorage
  // between tab processes asynchronously, while document.cookie reads and writes are
  // synchronous with the browser's one cookie store.
  const hintCookie = `${name}-session`;
  const cookies = typeof document !== 'undefined' && typeof document.cookie === 'string';
  function readHint(): Hint | null {
    if (!cookies) return memoryHint;
    for (const part of document.cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k !== hintCookie) continue;
      try {
        return JSON.parse(decodeURIComponent(v.join('='))) as Hint;
      } catch {
        return null;
      }
    }
    return null;
  }
  function writeHint(h: Hint | null): void {
    memoryHint = h;
    if (!cookies) return;
    const secure = globalThis.location?.protocol === 'https:' ? '; Secure' : '';
    const value = h ? encodeURIComponent(JSON.stringify(h)) : '';
    // 400 days is the longest a browser keeps a cookie; the refresh cookie decides the session.
    // biome-ignore lint/suspicious/noDocumentCookie: synchronous on purpose (see above); cookieStore is async
    document.cookie = `${hintCookie}=${value}; Path=/; SameSite=Strict; Max-Age=${h ? 34_560_000 : 0}${secure}`;
  }
  const newGen = () => Math.random().toString(36).slice(2) + Date.now().toString(36);

  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null;
  const post = (m: Message) => channel?.postMessage(m);
  channel?.addEventListener('message', (e: MessageEvent<Message>) => {
    const type = e.data?.type;
    if (type === 'signed-out') {
      rememberCsrf(null);
      if (state.status !== 'signed-out') setState({ status: 'signed-out', user: null, mfaFactors: [] }, 'SIGNED_OUT');
    } else if (type === 'signed-in' || type === 'user-updated') {
      rememberCsrf(null);
      loadUser(type === 'signed-in' ? 'SIGNED_IN' : 'USER_UPDATED').catch(() => {});
    } else if (type === 'refreshed') {
      emit('TOKEN_REFRESHED');
    }
  });

  function emit(event: AuthEvent): void {
    for (const l of [...listeners]) {
      try {
        l(event, state);
      } catch (err) {
        console.error(err);
      }
    }
  }
  function setState(next: AuthState, event: AuthEvent): void {
    state = next;
    emit(event);
  }

  // ---------------------------------------------------------------- CSRF
  function csrfFromCookie(): string | null {
    if (!sameOrigin || typeof document === 'undefined') return null;
    for (const part of document.cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === '__Host-pgauth-csrf' || k === 'pgauth-csrf') return decodeURIComponent(v.join('='));
    }
    return null;
  }
  // Across origins the cookie cannot be read: the token from /auth/csrf is kept, in storage
  // too, so that a reload whose access cookie has lapsed can still send the refresh (GET
  // /auth/csrf without a live access token answers an anonymous token, which may not drive
  // the refresh cookie).
  const csrfKey = `${name}:csrf`;
  function rememberCsrf(token: string | null): void {
    csrfCache = token;
    if (sameOrigin || !storage) return;
    try {
      if (token) storage.setItem(csrfKey, token);
      else storage.removeItem(csrfKey);
    } catch {
      // storage blocked: the in-memory token serves this tab
    }
  }
  /** The kept token; across origins read from storage, so every tab sees the latest. */
  function cachedCsrf(): string | null {
    if (!sameOrigin && storage) {
      try {
        return storage.getItem(csrfKey);
      } catch {
        // storage blocked
      }
    }
    return csrfCache;
  }
  async function fetchCsrf(): Promise<string> {
    csrfFlight ??= (async () => {
      const res = await network(() => doFetch(`${origin}/auth/csrf`, { credentials: 'include' }));
      const body = (await res.json()) as { csrfToken: string };
      rememberCsrf(body.csrfToken);
      return body.csrfToken;
    })().finally(() => {
      csrfFlight = null;
    });
    return csrfFlight;
  }
  /** The CSRF token: the cookie's current value (it changes at sign-in and refresh), or the
   * token kept from /auth/csrf, or a fresh one. */
  async function csrf(): Promise<string> {
    return csrfFromCookie() ?? cachedCsrf() ?? fetchCsrf();
  }
  /** The token a request would use now, without fetching one. */
  const currentCsrf = () => csrfFromCookie() ?? cachedCsrf();

  // ---------------------------------------------------------------- transport
  async function network(f: () => Promise<Response>): Promise<Response> {
    try {
      return await f();
    } catch (err) {
      throw new AuthClientError('NETWORK', err instanceof Error ? err.message : 'Network error');
    }
  }

  /** With persistedDocuments, one of the client's own operations goes by hash, not text. */
  function persisted(body: string): string {
    if (!options.persistedDocuments) return body;
    const b = JSON.parse(body) as { query?: string; variables?: unknown };
    const id = b.query !== undefined && DOCUMENT_IDS.get(opName(b.query) ?? '');
    return id && OPS_TEXT.has(b.query!) ? JSON.stringify({ documentId: id, variables: b.variables }) : body;
  }

  async function postOnce<T>(body: string): Promise<GraphQLResult<T> & { csrfSent: string }> {
    body = persisted(body);
    const token = await csrf();
    const res = await network(() =>
      doFetch(graphqlUrl, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token },
        body,
      }),
    );
    let json: { data?: T | null; errors?: GraphQLErrorLike[] };
    try {
      json = (await res.json()) as typeof json;
    } catch {
      json = {
        errors: [{ message: `HTTP ${res.status}`, extensions: { code: res.status >= 500 ? 'INTERNAL' : 'BADREQ' } }],
      };
    }
    return { ...json, status: res.status, csrfSent: token };
  }

  const codeOf = (r: { errors?: readonly GraphQLErrorLike[] }, code: string) =>
    (r.errors ?? []).some((e) => e.extensions?.code === code);

  /** A request with the CSRF retry only (no refresh): the refresh itself and sign-in calls. */
  async function postCsrf<T>(body: string, inRefresh = false): Promise<GraphQLResult<T>> {
    const first = await postOnce<T>(body);
    if (!(first.status === 403 && codeOf(first, 'CSRF'))) return strip(first);
    // The token changed while the request travelled (a refresh or sign-in here or in another
    // tab): send it again with the current one. Only a token that is still the one refused
    // (or none) is replaced from /auth/csrf, so concurrent requests do not replace each
    // other's cookie.
    if (!inRefresh && refreshFlight) await refreshFlight.catch(() => false);
    if (currentCsrf() === first.csrfSent || !currentCsrf()) {
      // Never while a refresh runs here: without a live access cookie /auth/csrf answers an
      // anonymous token, which would replace this session's.
      rememberCsrf(null);
      await fetchCsrf();
    }
    return strip(await postOnce<T>(body));
  }
  const strip = <T>({ csrfSent: _, ...r }: GraphQLResult<T> & { csrfSent: string }): GraphQLResult<T> => r;

  /** Before a request: a known-expired access token is refreshed first (once for everyone). */
  async function ensureFresh(): Promise<void> {
    const h = readHint();
    if (h?.expiresAt && h.expiresAt - EARLY_MS < Date.now()) await refreshSession(h.gen).catch(() => false);
  }

  /**
   * Any GraphQL operation: CSRF header, one refresh and one retry when it answers LOGIN while
   * this browser has a session. Never throws for GraphQL errors (they are in `errors`); throws
   * AuthClientError NETWORK when no answer came.
   */
  async function execute<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    extra: { operationName?: string; extensions?: Record<string, unknown> } = {},
  ): Promise<GraphQLResult<T>> {
    await ensureFresh();
    const body = JSON.stringify({ query, variables, ...extra });
    const seen = readHint()?.gen;
    let r = await postCsrf<T>(body);
    if (codeOf(r, 'LOGIN') && seen !== undefined && (await refreshSession(seen))) r = await postCsrf<T>(body);
    return r;
  }

  /** `execute`, returning `data` or throwing the first error as an AuthClientError. */
  async function graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const r = await execute<T>(query, variables);
    if (r.errors?.length) throw toClientError(r.errors, r.status);
    return r.data as T;
  }

  // ---------------------------------------------------------------- refresh
  async function rotate(): Promise<boolean> {
    const r = await postCsrf<{ refresh: AuthPayload | null }>(JSON.stringify({ query: OPS.refresh }), true);
    const p = r.data?.refresh;
    if (p) {
      // The refresh set a new csrf cookie; across origins, ask for it when next needed (the
      // access cookie is live now, so /auth/csrf answers this session's token).
      if (!sameOrigin) rememberCsrf(null);
      writeHint({
        userId: p.userId,
        sessionId: p.sessionId,
        expiresAt: Date.parse(p.accessTokenExpiresAt),
        gen: newGen(),
      });
      post({ type: 'refreshed' });
      if (p.mfaRequired && state.status !== 'mfa-required') {
        // A session still waiting for its second factor (e.g. after a reload): say so.
        setState({ status: 'mfa-required', user: null, mfaFactors: p.mfaFactors ?? [] }, 'MFA_REQUIRED');
      } else emit('TOKEN_REFRESHED');
      return true;
    }
    const code = r.errors?.[0]?.extensions?.code;
    if (code && (ENDED.has(code) || code === 'LOGIN')) {
      signedOut();
      return false;
    }
    throw toClientError(r.errors ?? [], r.status);
  }

  /**
   * Refresh the session once for every caller: callers in this tab share one promise, tabs
   * take turns under navigator.locks, and a turn that finds the session rotated since `seen`
   * (the generation the failed request was sent with) does not rotate again. Resolves true
   * when the session is usable, false when it ended (then the client is signed out).
   */
  function refreshSession(seen: string | undefined = readHint()?.gen, force = false): Promise<boolean> {
    refreshFlight ??= (async () => {
      const turn = async () => {
        const now = readHint();
        if (!now && !force) return false; // signed out (here or in another tab) meanwhile
        if (now && now.gen !== seen && (!now.expiresAt || now.expiresAt - EARLY_MS > Date.now())) return true;
        return rotate();
      };
      const locks = globalThis.navigator?.locks;
      return locks ? ((await locks.request(`${name}-refresh`, turn)) as boolean) : turn();
    })().finally(() => {
      refreshFlight = null;
    });
    return refreshFlight;
  }

  // ---------------------------------------------------------------- state changes
  function signedOut(): void {
    writeHint(null);
    rememberCsrf(null);
    post({ type: 'signed-out' });
    if (state.status !== 'signed-out') setState({ status: 'signed-out', user: null, mfaFactors: [] }, 'SIGNED_OUT');
  }

  const toUser = (u: Record<string, unknown>): User => ({
    id: u.rowId as string,
    email: u.email as string,
    displayName: (u.displayName as string | null) ?? null,
    emailVerified: Boolean(u.emailVerifiedAt),
    isAnonymous: Boolean(u.isAnonymous),
    createdAt: u.createdAt as string,
  });

  /** Reads currentUser (refreshing once when the access token is gone) and updates the state. */
  async function loadUser(event: AuthEvent = 'USER_UPDATED'): Promise<User | null> {
    await ensureFresh();
    const q = JSON.stringify({ query: OPS.user });
    const seen = readHint()?.gen;
    let r = await postCsrf<{ currentUser: Record<string, unknown> | null }>(q);
    // An expired or missing access cookie reads as anonymous (currentUser null), not LOGIN.
    if (
      !r.data?.currentUser &&
      !r.errors?.length &&
      state.status !== 'mfa-required' &&
      seen !== undefined &&
      (await refreshSession(seen))
    )
      r = await postCsrf(q);
    if (r.errors?.length) throw toClientError(r.errors, r.status);
    const u = r.data?.currentUser;
    // A session waiting for its second factor reads as nobody until completeMfa.
    if (!u && state.status === 'mfa-required') return null;
    if (!u) {
      if (readHint()) writeHint(null);
      if (state.status !== 'signed-out') setState({ status: 'signed-out', user: null, mfaFactors: [] }, 'SIGNED_OUT');
      return null;
    }
    const user = toUser(u);
    const h = readHint();
    if (!h || h.userId !== user.id) writeHint({ userId: user.id, sessionId: null, expiresAt: null, gen: newGen() });
    const was = state.status;
    // A session waiting for its second factor has a user row but is not signed in yet.
    const status: AuthStatus = was === 'mfa-required' ? 'mfa-required' : 'signed-in';
    setState(
      { status, user, mfaFactors: status === 'mfa-required' ? state.mfaFactors : [] },
      was === 'signed-in' || status === 'mfa-required' ? event : 'SIGNED_IN',
    );
    return user;
  }

  /** A session was delivered (sign-in, MFA, passkey): remember it and tell the other tabs. */
  async function established(p: AuthPayload | null | undefined, r: GraphQLResult<unknown>): Promise<SignInResult> {
    if (!p) throw toClientError(r.errors ?? [], r.status);
    rememberCsrf(null);
    writeHint({
      userId: p.userId,
      sessionId: p.sessionId,
      expiresAt: Date.parse(p.accessTokenExpiresAt),
      gen: newGen(),
    });
    if (p.mfaRequired) {
      const factors = p.mfaFactors ?? [];
      setState({ status: 'mfa-required', user: null, mfaFactors: factors }, 'MFA_REQUIRED');
      return { mfaRequired: true, factors };
    }
    state = { ...state, status: 'signed-out' }; // so loadUser announces SIGNED_IN
    const user = await loadUser('SIGNED_IN');
    post({ type: 'signed-in' });
    return { mfaRequired: false, user };
  }

  /** A credential mutation: CSRF retry only (a LOGIN here is an answer, not a stale token). */
  async function credential<K extends string>(
    field: K,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<SignInResult> {
    const r = await postCsrf<Record<K, AuthPayload | null>>(JSON.stringify({ query, variables }));
    return established(r.data?.[field], r);
  }

  // ---------------------------------------------------------------- WebAuthn
  type Json = Record<string, unknown>;
  interface JsonWebAuthn {
    parseRequestOptionsFromJSON?(o: Json): PublicKeyCredentialRequestOptions;
    parseCreationOptionsFromJSON?(o: Json): PublicKeyCredentialCreationOptions;
  }
  async function webauthn(kind: 'get' | 'create', optionsJSON: string): Promise<unknown> {
    const opts = JSON.parse(optionsJSON) as Json;
    const helpers = options.webauthn;
    if (helpers) {
      return kind === 'get'
        ? helpers.startAuthentication({ optionsJSON: opts as never })
        : helpers.startRegistration({ optionsJSON: opts as never });
    }
    const PKC = globalThis.PublicKeyCredential as unknown as JsonWebAuthn | undefined;
    if (kind === 'get' && PKC?.parseRequestOptionsFromJSON) {
      const c = (await navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(opts) })) as
        | (Credential & { toJSON(): unknown })
        | null;
      if (!c) throw new AuthClientError('PASSKEY', 'The passkey prompt was cancelled');
      return c.toJSON();
    }
    if (kind === 'create' && PKC?.parseCreationOptionsFromJSON) {
      const c = (await navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(opts) })) as
        | (Credential & { toJSON(): unknown })
        | null;
      if (!c) throw new AuthClientError('PASSKEY', 'The passkey prompt was cancelled');
      return c.toJSON();
    }
    const lib = await import('@simplewebauthn/browser');
    return kind === 'get'
      ? lib.startAuthentication({ optionsJSON: opts as never })
      : lib.startRegistration({ optionsJSON: opts as never });
  }

  async function passkeySignIn(email?: string): Promise<SignInResult> {
    const start = await postCsrf<{ startPasskeySignIn: { challengeId: string | null; optionsJSON: string } | null }>(
      JSON.stringify({
        query: OPS.passkeyStart,
        variables: { email: email ?? null },
      }),
    );
    const s = start.data?.startPasskeySignIn;
    if (!s) throw toClientError(start.errors ?? [], start.status);
    const response = await webauthn('get', s.optionsJSON);
    return credential('finishPasskeySignIn', OPS.passkeyFinish, { c: s.challengeId, r: JSON.stringify(response) });
  }

  // ---------------------------------------------------------------- providers
  function providerUrl(provider: string, returnTo: string): string {
    return `${origin}/auth/${encodeURIComponent(provider)}/start?returnTo=${encodeURIComponent(returnTo)}`;
  }

  /**
   * Opens the provider in a popup and resolves when the session exists. While the popup is
   * on the provider it is another origin; a provider that sends Cross-Origin-Opener-Policy
   * cuts the popup off from this window (it then looks closed), so once the popup is back on
   * this origin or out of reach, the edge is asked every second whether the user is signed
   * in, until `popupTimeoutMs`.
   */
  function popup(provider: string, returnTo: string): Promise<SignInResult> {
    // The marker lets the landing page, if it runs this client, close the popup itself.
    const landing = `${returnTo}${returnTo.includes('?') ? '&' : '?'}${name}_popup=1`;
    const w = globalThis.open(providerUrl(provider, landing), `${name}-oauth`, 'popup,width=500,height=700');
    if (!w) return Promise.reject(new AuthClientError('OAUTH', 'The sign-in popup was blocked'));
    const started = Date.now();
    const limit = options.popupTimeoutMs ?? 5 * 60_000;
    const q = JSON.stringify({ query: OPS.popup });
    return new Promise((resolve, reject) => {
      let busy = false;
      const stop = () => {
        clearInterval(timer);
        try {
          if (!w.closed) w.close();
        } catch {
          // out of reach
        }
      };
      const timer = setInterval(async () => {
        if (busy) return;
        let back = false;
        try {
          back = w.location.origin === globalThis.location.origin && w.location.search.includes(`${name}_popup=1`);
        } catch {
          // at the provider (another origin)
        }
        if (!back && !w.closed) return;
        busy = true;
        try {
          const r = await postCsrf<{ currentUser: { rowId: string } | null }>(q);
          if (r.data?.currentUser) {
            stop();
            state = { ...state, status: 'signed-out' }; // so loadUser announces SIGNED_IN
            const user = await loadUser('SIGNED_IN');
            post({ type: 'signed-in' });
            resolve({ mfaRequired: false, user });
          } else if (Date.now() - started > limit) {
            stop();
            reject(new AuthClientError('OAUTH', 'The provider sign-in was not completed'));
          }
        } catch (err) {
          stop();
          reject(err);
        } finally {
          busy = false;
        }
      }, 1000);
    });
  }

  /**
   * fetch for other routes of the edge: credentials included, X-CSRF-Token on unsafe
   * methods, one refresh and retry on a 401 while this browser has a session.
   */
  async function authFetch(input: string, init: RequestInit = {}): Promise<Response> {
    await ensureFresh();
    const url = /^https?:/.test(input) ? input : origin + input;
    const method = (init.method ?? 'GET').toUpperCase();
    const send = async () => {
      const headers = new Headers(init.headers);
      if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) headers.set('x-csrf-token', await csrf());
      return network(() => doFetch(url, { ...init, headers, credentials: 'include' }));
    };
    const seen = readHint()?.gen;
    const res = await send();
    if (
      res.status === 401 &&
      seen !== undefined &&
      (init.body == null || typeof init.body === 'string') &&
      (await refreshSession(seen))
    ) {
      return send();
    }
    return res;
  }

  // A provider popup that landed back on a page running this client closes itself (a
  // window the page did not open ignores close()).
  if (globalThis.location && new URLSearchParams(globalThis.location.search).has(`${name}_popup`)) {
    setTimeout(() => globalThis.close(), 0);
  }

  // ---------------------------------------------------------------- the API
  return {
    /** The edge's origin. */
    url: origin,
    /** The current state (status, user, pending MFA factors). */
    get state(): AuthState {
      return state;
    },

    /** Register with email and password; signs in. */
    signUp(input: { email: string; password: string; name?: string }): Promise<SignInResult> {
      return credential('register', OPS.register, { e: input.email, p: input.password, n: input.name ?? null });
    },

    /** Sign in with a password, a mailed link or code, a provider or a passkey. */
    async signIn(input: SignInInput): Promise<SignInResult> {
      if ('password' in input) {
        return credential('login', OPS.login, { e: input.email, p: input.password });
      }
      if ('emailLink' in input) {
        const r = await postCsrf<{ requestSignInEmail: { success: boolean } | null }>(
          JSON.stringify({
            query: OPS.signInEmail,
            variables: { e: input.emailLink },
          }),
        );
        if (r.errors?.length) throw toClientError(r.errors, r.status);
        return { mfaRequired: false, user: null, pending: 'email' };
      }
      if ('emailToken' in input) {
        return credential('signInWithEmailToken', OPS.emailToken, { t: input.emailToken });
      }
      if ('emailCode' in input) {
        return credential('signInWithEmailCode', OPS.emailCode, { e: input.emailCode.email, c: input.emailCode.code });
      }
      if ('provider' in input) {
        const returnTo = input.returnTo ?? globalThis.location?.pathname ?? '/';
        if (input.mode === 'popup') return popup(input.provider, returnTo);
        globalThis.location.assign(providerUrl(input.provider, returnTo));
        return { mfaRequired: false, user: null, pending: 'redirect' };
      }
      return passkeySignIn(input.email);
    },

    /** The second factor of a session that answered mfaRequired. */
    completeMfa(input: MfaInput): Promise<SignInResult> {
      if ('recoveryCode' in input) {
        return credential('useRecoveryCode', OPS.recovery, { c: input.recoveryCode });
      }
      if ('passkey' in input) return passkeySignIn();
      return credential('verifyMfa', OPS.mfa, { f: input.factorId, c: input.code, t: input.trustDevice ?? null });
    },

    /** End this session (here and in every tab of this browser). */
    async signOut(): Promise<void> {
      try {
        await postCsrf(JSON.stringify({ query: OPS.logout }));
      } finally {
        signedOut();
      }
    },

    /** The signed-in user, or null (refreshes once when the access token has expired). */
    getUser(): Promise<User | null> {
      return loadUser();
    },

    /** Called with every change: SIGNED_IN, SIGNED_OUT, TOKEN_REFRESHED, MFA_REQUIRED, USER_UPDATED.
     * Returns the function that unsubscribes. */
    onAuthStateChange(cb: (event: AuthEvent, state: AuthState) => void): () => void {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },

    /** Resolves when a request may be sent: an access token known to be expired is refreshed first. */
    ready(): Promise<void> {
      return ensureFresh();
    },

    /** Refresh now (single flight across requests and tabs); false when the session ended
     * or there is none (e.g. after a sign-in this client did not see: a provider redirect). */
    refresh(): Promise<boolean> {
      return refreshSession(readHint()?.gen, true);
    },

    sessions: {
      async list(): Promise<SessionInfo[]> {
        const d = await graphql<{ mySessions: { nodes: (Omit<SessionInfo, 'id'> & { rowId: string })[] } }>(
          OPS.sessions,
        );
        return d.mySessions.nodes.map(({ rowId, ...s }) => ({ id: rowId, ...s }));
      },
      /** End one session; ending the current one signs this browser out. */
      async revoke(id: string): Promise<number> {
        const current = readHint()?.sessionId;
        const d = await graphql<PgauthRevokeMutation>(OPS.revoke, { id });
        if (id === current) signedOut();
        return d.revokeSession!.count;
      },
      /** End every other session ("sign out everywhere else"). */
      async revokeOthers(): Promise<number> {
        const d = await graphql<PgauthRevokeOthersMutation>(OPS.revokeOthers);
        return d.logoutOtherSessions!.count;
      },
    },

    identities: {
      async list(): Promise<IdentityInfo[]> {
        const d = await graphql<{ myIdentities: { nodes: IdentityInfo[] } }>(OPS.identities);
        return d.myIdentities.nodes;
      },
      /** Link a provider to the signed-in user: the page goes to the provider and comes back
       * to `returnTo` (default POST_LOGIN_REDIRECT). */
      async link(provider: string, opts: { returnTo?: string } = {}): Promise<void> {
        const q = opts.returnTo ? `?returnTo=${encodeURIComponent(opts.returnTo)}` : '';
        const res = await authFetch(`/auth/${encodeURIComponent(provider)}/link${q}`, { method: 'POST' });
        const body = (await res.json()) as { url?: string; error?: { code: string; message: string } };
        if (!body.url) {
          throw toClientError(
            [{ message: body.error?.message ?? '', extensions: { code: body.error?.code } }],
            res.status,
          );
        }
        globalThis.location.assign(body.url);
      },
      async unlink(provider: string): Promise<void> {
        await graphql(OPS.unlink, {
          p: provider,
        });
      },
    },

    passkeys: {
      /** Add a passkey to the signed-in account; returns its recovery codes (first factor: ten). */
      async add(friendlyName?: string): Promise<{ factorId: string; recoveryCodes: string[] }> {
        const s = await graphql<PgauthPasskeyAddStartMutation>(OPS.passkeyAddStart);
        const response = await webauthn('create', s.startPasskeyRegistration!.optionsJSON);
        const d = await graphql<{
          finishPasskeyRegistration: { factorId: string; recoveryCodes: string[]; session: AuthPayload | null };
        }>(OPS.passkeyAdd, { r: JSON.stringify(response), n: friendlyName ?? null });
        const p = d.finishPasskeyRegistration.session;
        if (p) {
          writeHint({
            userId: p.userId,
            sessionId: p.sessionId,
            expiresAt: Date.parse(p.accessTokenExpiresAt),
            gen: newGen(),
          });
        }
        return {
          factorId: d.finishPasskeyRegistration.factorId,
          recoveryCodes: d.finishPasskeyRegistration.recoveryCodes,
        };
      },
    },

    /** Any GraphQL operation; data, or the first error thrown as an AuthClientError. */
    graphql,
    /** Any GraphQL operation; the whole result ({ data, errors, status }), never throws for GraphQL errors. */
    execute,
    /**
     * fetch for other routes of the edge: credentials included, X-CSRF-Token on unsafe
     * methods, one refresh and retry on a 401 while this browser has a session.
     */
    fetch: authFetch,
    /** Stop listening to other tabs (tests, hot reload). */
    close(): void {
      channel?.close();
      listeners.clear();
    },
  };
}
