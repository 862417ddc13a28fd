/**
 * The edge: a Hono app that does only what SQL cannot (signing tokens, cookies, CSRF,
 * transport checks) and hands the verified identity to PostGraphile. No authorization
 * decision is made here; Postgres makes them all.
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { parse as parseCookies } from 'hono/utils/cookie';
import { upgradeWebSocket } from '@hono/node-server';
import { grafserv } from 'postgraphile/grafserv/hono/v4';
import type { Config } from './config.ts';
import { AuthError, toAuthError } from './errors.ts';
import type { AuthRequest } from './graphql/context.ts';
import {
  createPostGraphile,
  DENIAL_CODES,
  deniedErrors,
  unavailableErrors,
  type GraphQLService,
} from './graphql/postgraphile.ts';
import { asRequestRole } from './db.ts';
import type { Identity } from './graphql/context.ts';
import { clearSessionCookies, cookieNames, parseRefreshCookie, setCsrfCookie } from './http/cookies.ts';
import { issueCsrfToken } from './http/csrf.ts';
import { assertCsrf, assertJsonPost, assertOrigin } from './http/guards.ts';
import { clientIp, credentialsFromContext, readCredentials } from './http/identity.ts';
import type { KeyRing } from './keys.ts';
import { SessionIssuer, type SignedSession } from './http/session.ts';
import type { TokenSettings } from './tokens.ts';
import { oauthRoutes } from './oauth/routes.ts';
import { loadProviders } from './oauth/providers.ts';
import { refreshProviderTokens } from './oauth/refresh-job.ts';
import { loadTokenKeys } from './oauth/token-crypto.ts';

declare module 'hono' {
  interface ContextVariableMap {
    auth: AuthRequest;
  }
}

export interface EdgeApp {
  app: Hono;
  graphql: GraphQLService;
  oauthClients: Map<string, import('./oauth/flow.ts').ProviderClient>;
  tokenKeys: import('./oauth/token-crypto.ts').TokenKeys | null;
  close(): Promise<void>;
}

/**
 * K2: a refused operation rolled back with its request, so it is audited afterwards, in its
 * own transaction, as the same request role and claims. At most 5 per request.
 */
async function recordDenials(pool: import('pg').Pool, identity: Identity | null, body: string): Promise<void> {
  let errors: { path?: (string | number)[]; extensions?: { code?: string } }[] = [];
  try {
    errors = (JSON.parse(body) as { errors?: typeof errors }).errors ?? [];
  } catch {
    return;
  }
  for (const e of errors.filter((x) => DENIAL_CODES.has(x.extensions?.code ?? '')).slice(0, 5)) {
    await asRequestRole(pool, identity, 'select app_hidden.record_denied($1, $2)', [
      (e.path ?? []).join('.'),
      e.extensions!.code,
    ]).catch(() => {});
  }
}

function errorResponse(c: Context, err: unknown) {
  const e = toAuthError(err);
  c.header('Cache-Control', 'no-store');
  return c.json({ errors: [{ message: e.message, extensions: { code: e.code } }] }, e.status as 400);
}

export async function createApp(
  cfg: Config,
  keys: KeyRing,
  authUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EdgeApp> {
  const names = cookieNames(cfg.secureCookies);
  const tokens: TokenSettings = {
    issuer: cfg.publicOrigin,
    audience: cfg.audience,
    ttlSeconds: cfg.accessTokenTtlSeconds,
  };
  const allowedOrigins = [cfg.publicOrigin, ...cfg.corsOrigins];
  const issuer = new SessionIssuer(cfg, keys, tokens, names);

  // WebSocket operations carry no Hono context; they authenticate from the upgrade request's
  // cookies (the Origin was checked before the upgrade) and cannot run auth mutations.
  const graphql = createPostGraphile(cfg, authUrl, async (rc) => {
    const c = rc.honov4?.ctx as Context | undefined;
    if (c) return c.get('auth');
    const req = (rc as { ws?: { request?: { header(n: string): string | undefined } } }).ws?.request;
    if (!req) return undefined;
    const cookies = parseCookies(req.header('cookie') ?? '');
    const creds = await readCredentials({ cookie: (n) => cookies[n] }, keys, tokens, names);
    return {
      identity: creds.identity,
      ip: null,
      userAgent: null,
      bodyDelivery: false,
      refreshCookie: null,
      csrfSessionId: null,
      canAuthenticate: false,
      issue: () => Promise.reject(new AuthError('BADREQ')),
      clear: () => {},
    };
  });

  const app = new Hono();
  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => c.json({ errors: [{ message: 'Not found', extensions: { code: 'NTFND' } }] }, 404));

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // One structured line per request; never headers, cookies, bodies or query strings (D8).
    if (process.env.LOG_REQUESTS !== 'false') {
      console.log(
        JSON.stringify({
          t: new Date().toISOString(),
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(performance.now() - started),
        }),
      );
    }
  });
  app.use(
    '*',
    secureHeaders({
      strictTransportSecurity: cfg.production ? 'max-age=63072000; includeSubDomains' : false,
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        frameAncestors: ["'none'"],
        // Ruru (development only) is a single page with inline bootstrap code.
        ...(cfg.production
          ? {}
          : { scriptSrc: ["'self'", "'unsafe-inline'", "'unsafe-eval'"], styleSrc: ["'self'", "'unsafe-inline'"] }),
      },
    }),
  );
  const corsPolicy = cors({
    origin: (origin) => (cfg.corsOrigins.includes(origin) ? origin : null),
    credentials: true,
    allowMethods: ['POST', 'GET'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token', 'X-Token-Delivery'],
    maxAge: 600,
  });
  // Same-origin and non-browser requests need no CORS headers (it is a hot path).
  app.use('/graphql', (c, next) => {
    const origin = c.req.header('origin');
    const sameOrigin = origin === undefined || (origin === cfg.publicOrigin && c.req.method !== 'OPTIONS');
    return sameOrigin ? next() : corsPolicy(c, next);
  });

  app.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await graphql.pool.query('select 1');
      return c.json({ status: 'ok', database: 'up' });
    } catch {
      return c.json({ status: 'degraded', database: 'down' }, 503);
    }
  });
  app.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(keys.jwks);
  });
  // Gives a browser its first (anonymous) CSRF token, or one for its current session.
  app.get('/auth/csrf', async (c) => {
    const creds = await credentialsFromContext(c, keys, tokens, names);
    const token = issueCsrfToken(cfg.csrfSecret, creds.identity?.sessionId ?? null);
    setCsrfCookie(c, names, token);
    c.header('Cache-Control', 'no-store');
    return c.json({ csrfToken: token });
  });

  app.use('/graphql', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    const upgrade = c.req.method === 'GET' && c.req.header('upgrade')?.toLowerCase() === 'websocket';
    if (c.req.method === 'GET' && !upgrade) throw new AuthError('BADREQ', { message: 'Use POST for GraphQL' });
    assertOrigin(c, allowedOrigins);
    if (upgrade) return next();
    if (c.req.method !== 'POST') throw new AuthError('BADREQ');
    // Declared sizes are checked from the header; bodies sent without one (chunked) are
    // counted while read (bodyLimit below), which costs too much to do for every request.
    if (Number(c.req.header('content-length') ?? 0) > cfg.bodyLimitBytes) throw new AuthError('TOOBIG');
    assertJsonPost(c);
    const creds = await credentialsFromContext(c, keys, tokens, names);
    if (creds.invalidBearer) throw new AuthError('TOKEN');
    const csrfSessionId = assertCsrf(c, cfg.csrfSecret, names, creds);

    const bodyDelivery = creds.kind !== 'cookie' && c.req.header('x-token-delivery') === 'body';
    let issued: SignedSession | null = null;
    let clear = false;
    c.set('auth', {
      identity: creds.identity,
      ip: clientIp(c, cfg.trustProxyHops),
      userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
      bodyDelivery,
      refreshCookie: bodyDelivery ? null : (parseRefreshCookie(getCookie(c, names.refresh))?.token ?? null),
      csrfSessionId,
      canAuthenticate: true,
      async issue(session) {
        issued = await issuer.sign(session);
        return {
          accessToken: issued.accessToken,
          accessTokenExpiresAt: issued.accessTokenExpiresAt,
          refreshToken: session.refresh_token,
        };
      },
      clear() {
        clear = true;
      },
    });
    const before = { unavailable: unavailableErrors.count, denied: deniedErrors.count };
    await next();
    // Only when an error of interest happened somewhere (counters are process-wide) is this
    // response's body inspected.
    if (unavailableErrors.count !== before.unavailable || deniedErrors.count !== before.denied) {
      const body = await c.res.text();
      // Fail closed and visibly: a 503 the client can retry, cookies untouched (L1, F6).
      c.res = new Response(body, {
        status: body.includes('"code":"UNAVAILABLE"') ? 503 : c.res.status,
        headers: c.res.headers,
      });
      if (c.res.status === 503) return;
      await recordDenials(graphql.pool, creds.identity, body);
    }
    const done = issued as SignedSession | null;
    if (done && !bodyDelivery) issuer.setCookies(c, done);
    else if (clear && !bodyDelivery) clearSessionCookies(c, names);
  });

  const countBody = bodyLimit({
    maxSize: cfg.bodyLimitBytes,
    onError: () => {
      throw new AuthError('TOOBIG');
    },
  });
  app.use('/graphql', (c, next) =>
    c.req.method === 'POST' && !c.req.header('content-length') ? countBody(c, next) : next(),
  );

  const serv = graphql.pgl.createServ((config) => grafserv(config, upgradeWebSocket));
  await serv.addTo(app as never);

  const providers = loadProviders(env, cfg.publicOrigin);
  const tokenKeys = providers.size ? loadTokenKeys(env, cfg.production, env.OAUTH_TOKEN_KEYS_FILE) : null;
  const oauth = oauthRoutes({
    cfg,
    keys,
    issuer,
    pool: graphql.pool,
    providers,
    tokenKeys,
    postLoginRedirect: env.POST_LOGIN_REDIRECT ?? '/',
  });
  app.route('/', oauth.routes);
  // Provider tokens are renewed in the background; failures are recorded in the database.
  const timer =
    tokenKeys && env.OAUTH_REFRESH_INTERVAL_MS !== '0'
      ? setInterval(
          () => {
            refreshProviderTokens(graphql.pool, oauth.clients, tokenKeys).catch(() => {});
          },
          Number(env.OAUTH_REFRESH_INTERVAL_MS ?? 60_000),
        )
      : null;
  timer?.unref();

  return {
    app,
    graphql,
    oauthClients: oauth.clients,
    tokenKeys,
    async close() {
      if (timer) clearInterval(timer);
      await graphql.release();
    },
  };
}
