/**
 * The edge: composes the middleware, GraphQL and the features into one Hono app. It does
 * only what SQL cannot (signing tokens, cookies, CSRF, transport checks) and hands the
 * verified identity to PostGraphile; every authorization decision is made by Postgres.
 * See docs/architecture.md for the request path.
 */
import { randomUUID } from 'node:crypto';
import { upgradeWebSocket } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type pg from 'pg';
import { grafserv } from 'postgraphile/grafserv/hono/v4';
import { rootUrlFor } from '../db/scripts/config.ts';
import type { Config } from './core/config.ts';
import { cookieNames } from './core/cookies.ts';
import { createPool, withPgClientFor } from './core/db.ts';
import { toAuthError } from './core/errors.ts';
import type { KeyRing } from './core/keys.ts';
import { createReadRouter, type ReadRouter } from './core/replica.ts';
import { logger } from './core/logger.ts';
import { newOutcome } from './core/request.ts';
import type { TokenSettings } from './core/tokens.ts';
import { accountPages } from './features/account/index.ts';
import { AnonymousPlugin, anonymousCredentialMutations } from './features/anonymous/plugin.ts';
import { DevicePlugin, deviceCredentialMutations, deviceFeature } from './features/device/index.ts';
import { AdminPlugin, adminCredentialMutations } from './features/admin/plugin.ts';
import { EmailPlugin, type EmailFeature, emailCredentialMutations, emailFeature } from './features/email/index.ts';
import { mfaFeature } from './features/mfa/index.ts';
import { IdTokenVerifier } from './features/native/id-token.ts';
import { idTokenPlugin, nativeCredentialMutations } from './features/native/plugin.ts';
import { authorizationCodeGrant } from './features/native/token-grant.ts';
import { oauthFeature } from './features/oauth/index.ts';
import { passkeyCredentialMutations, passkeysPlugin } from './features/passkeys/plugin.ts';
import type { ProviderClient } from './features/oauth/flow.ts';
import { apiKeyVerifier } from './features/permissions/api-keys.ts';
import { claimsHook } from './features/permissions/claims-hook.ts';
import { clientCredentialsGrant } from './features/permissions/token-route.ts';
import { PasswordPlugin, passwordCredentialMutations } from './features/password/plugin.ts';
import { SessionIssuer } from './features/sessions/issuer.ts';
import { SessionsPlugin, sessionCredentialMutations } from './features/sessions/plugin.ts';
import { tokenEndpoint } from './features/token-endpoint/index.ts';
import { sessionRoutes } from './features/sessions/routes.ts';
import { webhooksPlugin } from './features/webhooks/plugin.ts';
import { createPostGraphile, type GraphQLService } from './graphql/preset.ts';
import { installWatchFixtures } from './graphql/watch.ts';
import { cors } from './middleware/cors/index.ts';
import { graphqlEndpoint } from './middleware/graphql-endpoint/index.ts';
import { allowedOrigins } from './middleware/origin/index.ts';
import { requestId } from './middleware/request-id/index.ts';
import { requestLog } from './middleware/request-log/index.ts';
import { healthRoutes } from './middleware/health/index.ts';
import { createMetrics, type Metrics } from './middleware/metrics/index.ts';
import { providerTokenTotals } from './features/oauth/refresh-job.ts';
import { securityHeaders } from './middleware/secure-headers/index.ts';
import { type RealtimeFeature, realtimeFeature } from './features/realtime/index.ts';

export interface EdgeApp {
  app: Hono;
  graphql: GraphQLService;
  pool: pg.Pool;
  oauthClients: Map<string, ProviderClient>;
  email: EmailFeature;
  /** Read replica routing (AUTH_DATABASE_REPLICA_URL), when configured. */
  replica: ReadRouter | null;
  /** Prometheus metrics (middleware/metrics) when METRICS_ENABLED, else null. */
  metrics: Metrics | null;
  /** Realtime subscriptions and their sockets: `realtime.closeAll(1001, 'Server shutting down')`. */
  realtime: RealtimeFeature;
  /** From now on /readyz answers 503, so balancers stop sending before the server closes. */
  drain(): void;
  close(): Promise<void>;
}

function errorResponse(c: Context, err: unknown) {
  const e = toAuthError(err);
  if (e.code === 'INTERNAL') {
    e.errorId ??= randomUUID();
    const cause = e.cause instanceof Error ? e.cause : err instanceof Error ? err : undefined;
    logger.error({
      requestId: c.get('requestId'),
      errorId: e.errorId,
      path: c.req.path,
      message: cause?.message ?? String(err),
      stack: cause?.stack,
    });
  }
  c.header('Cache-Control', 'no-store');
  const extensions = e.errorId ? { code: e.code, errorId: e.errorId } : { code: e.code };
  return c.json({ errors: [{ message: e.message, extensions }] }, e.status as 400);
}

/** `bench`: measurement-only switches (bench/realtime.ts); the server never sets them. */
export async function createApp(
  cfg: Config,
  keys: KeyRing,
  bench: { realtimeUnsafeNoRecheck?: boolean } = {},
): Promise<EdgeApp> {
  const names = cookieNames(cfg.secureCookies);
  const tokens: TokenSettings = {
    issuer: cfg.publicOrigin,
    audience: cfg.audience,
    ttlSeconds: cfg.accessTokenTtlSeconds,
    clientId: cfg.jwtClientId,
  };
  const allowed = allowedOrigins(cfg.publicOrigin, cfg.corsOrigins, cfg.production);
  const issuer = new SessionIssuer(cfg, keys, tokens, names);
  const pool = createPool(cfg.db.authUrl, cfg.dbPoolMax, cfg.dbPoolMode);
  issuer.claimsHook = claimsHook(pool);
  const replicaPool = cfg.replicaUrl ? createPool(cfg.replicaUrl, cfg.dbPoolMax, cfg.dbPoolMode) : null;
  const replica = replicaPool
    ? createReadRouter({
        primaryPool: pool,
        replicaPool,
        primary: withPgClientFor(pool),
        replica: withPgClientFor(replicaPool),
      })
    : null;
  let draining = false;
  // Development schema watch: the event triggers need the superuser, known unless the server
  // was given only the owner and login URLs (then they must be installed already).
  if (cfg.graphqlWatch && cfg.databaseMode !== 'direct') await installWatchFixtures(rootUrlFor(cfg.db, cfg.db.dbName));

  const email = await emailFeature({ cfg, pool, issuer, allowed });
  const idTokens = new IdTokenVerifier(cfg.oauth.providers, cfg.production, cfg.oauth.providerTimeoutMs);
  const realtime = await realtimeFeature({
    cfg: cfg.realtime,
    pool,
    keys,
    tokens,
    names,
    trustProxyHops: cfg.trustProxyHops,
    subscriptions: cfg.dbPoolMode === 'session',
    unsafeNoRecheck: bench.realtimeUnsafeNoRecheck,
  });
  const metrics = createMetrics({ cfg, pool, ownerUrl: cfg.db.ownerUrl, providerTokens: providerTokenTotals });
  metrics?.watchRealtime(() => realtime.stats);

  const mfa = mfaFeature(cfg);
  const graphql = createPostGraphile({
    cfg,
    pool,
    plugins: [
      SessionsPlugin,
      PasswordPlugin,
      EmailPlugin,
      mfa.plugin,
      AdminPlugin,
      passkeysPlugin(cfg.passkeys),
      AnonymousPlugin,
      DevicePlugin,
      realtime.plugin,
      idTokenPlugin({ verifier: idTokens, pool }),
      webhooksPlugin(cfg.webhooks),
    ],
    readOnly: replica?.withPgClient,
    metrics,
    credentialMutations: new Set([
      ...sessionCredentialMutations,
      ...passwordCredentialMutations,
      ...emailCredentialMutations,
      ...mfa.credentialMutations,
      ...adminCredentialMutations,
      ...nativeCredentialMutations,
      ...anonymousCredentialMutations,
      ...deviceCredentialMutations,
      ...passkeyCredentialMutations,
    ]),
    // WebSocket operations carry no Hono context; the socket authenticated at connection_init
    // (upgrade cookies or a bearer token; Origin checked before the upgrade); no auth mutations.
    async requestState(rc) {
      const c = rc.honov4?.ctx as Context | undefined;
      if (c) return { auth: c.get('auth'), outcome: c.get('outcome') };
      // The socket's identity was taken once at connection_init (features/realtime/sockets.ts).
      const ws = (rc as { ws?: { socket?: unknown } }).ws;
      if (!ws) return { outcome: newOutcome() };
      return { auth: realtime.socketAuth(ws.socket), outcome: newOutcome() };
    },
  });

  const app = new Hono();
  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => c.json({ errors: [{ message: 'Not found', extensions: { code: 'NTFND' } }] }, 404));

  const security = await securityHeaders(cfg.production);
  const corsOptions = { allowed, sameOrigin: cfg.publicOrigin };
  const serv = graphql.pgl.createServ((config) => grafserv(config, realtime.wrapUpgrade(upgradeWebSocket)));
  // POST /graphql: every concern of the request path in one layer, registered first so that
  // the app-wide middleware below does not wrap it (it passes WebSocket upgrades on to them).
  app.use(
    '/graphql',
    graphqlEndpoint({
      serv,
      cors: corsOptions,
      guard: { allowed, bodyLimitBytes: cfg.bodyLimitBytes },
      auth: {
        keys,
        tokens,
        names,
        csrfSecret: cfg.csrfSecret,
        trustProxyHops: cfg.trustProxyHops,
        issuer,
        apiKeys: apiKeyVerifier(pool),
        trustedDevice: mfa.trustedDevice,
      },
      outcome: { pool, production: cfg.production },
      securityHeaders: security.headers,
      log: cfg.logRequests,
      metrics,
      errorResponse,
    }),
  );

  // Ahead of the app-wide middleware: the account pages set their own, stricter CSP.
  app.route('/', accountPages({ enabled: cfg.accountPages, production: cfg.production, logRequests: cfg.logRequests }));
  app.use('*', requestId());
  if (metrics) app.use('*', metrics.middleware());
  app.use('*', requestLog(cfg.logRequests));
  app.use('*', security.middleware);
  const corsPolicy = cors(corsOptions);
  app.use('/graphql', corsPolicy);
  app.use('/auth/*', corsPolicy);

  app.route('/', healthRoutes({ pool, ownerUrl: cfg.db.ownerUrl, replica, draining: () => draining }));
  if (metrics && cfg.ops.metrics.port === null) app.get('/metrics', metrics.handler());
  await metrics?.listen();
  app.route('/', sessionRoutes({ keys, issuer, csrfSecret: cfg.csrfSecret, publicOrigin: cfg.publicOrigin }));
  app.route('/', email.routes);
  const device = deviceFeature({ cfg, pool, keys, issuer, allowed });
  app.route('/', device.routes);
  app.route(
    '/',
    tokenEndpoint({
      ...device.grants,
      client_credentials: clientCredentialsGrant({
        pool,
        keys,
        tokens,
        trustProxyHops: cfg.trustProxyHops,
        claims: issuer.claimsHook ?? undefined,
      }),
      authorization_code: authorizationCodeGrant({
        pool,
        apps: cfg.apps,
        issuer,
        trustProxyHops: cfg.trustProxyHops,
      }),
    }),
  );

  await serv.addTo(app as never);

  const oauth = oauthFeature({ cfg, keys, issuer, pool, allowed });
  app.route('/', oauth.routes);

  return {
    app,
    graphql,
    pool,
    oauthClients: oauth.clients,
    email,
    replica,
    metrics,
    realtime,
    drain() {
      draining = true;
    },
    async close() {
      oauth.stop();
      await email.stop();
      await realtime.stop();
      await metrics?.close();
      await graphql.release();
      await pool.end();
      await replicaPool?.end();
    },
  };
}
