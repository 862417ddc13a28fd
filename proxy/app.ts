/**
 * The edge: composes the middleware, GraphQL and the features into one Hono app. It does
 * only what SQL cannot (signing tokens, cookies, CSRF, transport checks) and hands the
 * verified identity to PostGraphile; every authorization decision is made by Postgres.
 * See docs/architecture.md for the request path.
 */
import { upgradeWebSocket } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { parse as parseCookies } from 'hono/utils/cookie';
import type pg from 'pg';
import { grafserv } from 'postgraphile/grafserv/hono/v4';
import { rootUrlFor } from '../db/scripts/config.ts';
import type { Config } from './core/config.ts';
import { cookieNames } from './core/cookies.ts';
import { createPool } from './core/db.ts';
import { AuthError, toAuthError } from './core/errors.ts';
import type { KeyRing } from './core/keys.ts';
import { type AuthRequest, newOutcome } from './core/request.ts';
import type { TokenSettings } from './core/tokens.ts';
import { EmailPlugin, type EmailFeature, emailCredentialMutations, emailFeature } from './features/email/index.ts';
import { oauthFeature } from './features/oauth/index.ts';
import type { ProviderClient } from './features/oauth/flow.ts';
import { PasswordPlugin, passwordCredentialMutations } from './features/password/plugin.ts';
import { SessionIssuer } from './features/sessions/issuer.ts';
import { SessionsPlugin, sessionCredentialMutations } from './features/sessions/plugin.ts';
import { sessionRoutes } from './features/sessions/routes.ts';
import { createPostGraphile, type GraphQLService } from './graphql/preset.ts';
import { installWatchFixtures } from './graphql/watch.ts';
import { authContext } from './middleware/auth-context/index.ts';
import { cors } from './middleware/cors/index.ts';
import { readCredentials } from './middleware/credentials/index.ts';
import { graphqlGuard } from './middleware/graphql-guard/index.ts';
import { allowedOrigins } from './middleware/origin/index.ts';
import { outcome } from './middleware/outcome/index.ts';
import { requestLog } from './middleware/request-log/index.ts';

export interface EdgeApp {
  app: Hono;
  graphql: GraphQLService;
  pool: pg.Pool;
  oauthClients: Map<string, ProviderClient>;
  email: EmailFeature;
  close(): Promise<void>;
}

function errorResponse(c: Context, err: unknown) {
  const e = toAuthError(err);
  c.header('Cache-Control', 'no-store');
  return c.json({ errors: [{ message: e.message, extensions: { code: e.code } }] }, e.status as 400);
}

export async function createApp(cfg: Config, keys: KeyRing): Promise<EdgeApp> {
  const names = cookieNames(cfg.secureCookies);
  const tokens: TokenSettings = {
    issuer: cfg.publicOrigin,
    audience: cfg.audience,
    ttlSeconds: cfg.accessTokenTtlSeconds,
    clientId: cfg.jwtClientId,
  };
  const allowed = allowedOrigins(cfg.publicOrigin, cfg.corsOrigins, cfg.production);
  const issuer = new SessionIssuer(cfg, keys, tokens, names);
  const pool = createPool(cfg.db.authUrl, cfg.dbPoolMax);
  // Development schema watch: the event triggers need the superuser, known unless the server
  // was given only the owner and login URLs (then they must be installed already).
  if (cfg.graphqlWatch && cfg.databaseMode !== 'direct') await installWatchFixtures(rootUrlFor(cfg.db, cfg.db.dbName));

  const email = await emailFeature({ cfg, pool, issuer, allowed });

  const graphql = createPostGraphile({
    cfg,
    pool,
    plugins: [SessionsPlugin, PasswordPlugin, EmailPlugin],
    credentialMutations: new Set([
      ...sessionCredentialMutations,
      ...passwordCredentialMutations,
      ...emailCredentialMutations,
    ]),
    // WebSocket operations carry no Hono context; they authenticate from the upgrade request's
    // cookies (the Origin was checked before the upgrade) and cannot run auth mutations.
    async requestState(rc) {
      const c = rc.honov4?.ctx as Context | undefined;
      if (c) return { auth: c.get('auth'), outcome: c.get('outcome') };
      const req = (rc as { ws?: { request?: { header(n: string): string | undefined } } }).ws?.request;
      if (!req) return { outcome: newOutcome() };
      const creds = await readCredentials({ cookies: parseCookies(req.header('cookie') ?? '') }, keys, tokens, names);
      const auth: AuthRequest = {
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
      return { auth, outcome: newOutcome() };
    },
  });

  const app = new Hono();
  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => c.json({ errors: [{ message: 'Not found', extensions: { code: 'NTFND' } }] }, 404));

  app.use('*', requestLog(cfg.logRequests));
  app.use(
    '*',
    secureHeaders({
      strictTransportSecurity: cfg.production ? 'max-age=63072000; includeSubDomains' : false,
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        frameAncestors: ["'none'"],
        // Ruru (development only) is a single page with inline bootstrap code; its editor
        // embeds its icon font and squiggle images as data: URLs (graphql/ide.ts).
        ...(cfg.production
          ? {}
          : {
              scriptSrc: ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
              styleSrc: ["'self'", "'unsafe-inline'"],
              fontSrc: ["'self'", 'data:'],
              imgSrc: ["'self'", 'data:'],
            }),
      },
    }),
  );
  const corsPolicy = cors({ allowed, sameOrigin: cfg.publicOrigin });
  app.use('/graphql', corsPolicy);
  app.use('/auth/*', corsPolicy);

  app.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await pool.query('select 1');
      return c.json({ status: 'ok', database: 'up' });
    } catch {
      return c.json({ status: 'degraded', database: 'down' }, 503);
    }
  });
  app.route('/', sessionRoutes({ keys, issuer, csrfSecret: cfg.csrfSecret, publicOrigin: cfg.publicOrigin }));
  app.route('/', email.routes);

  app.use('/graphql', graphqlGuard({ allowed, bodyLimitBytes: cfg.bodyLimitBytes }));
  app.use('/graphql', outcome(pool, cfg.production));
  app.use(
    '/graphql',
    authContext({ keys, tokens, names, csrfSecret: cfg.csrfSecret, trustProxyHops: cfg.trustProxyHops, issuer }),
  );
  const serv = graphql.pgl.createServ((config) => grafserv(config, upgradeWebSocket));
  await serv.addTo(app as never);

  const oauth = oauthFeature({ cfg, keys, issuer, pool, allowed });
  app.route('/', oauth.routes);

  return {
    app,
    graphql,
    pool,
    oauthClients: oauth.clients,
    email,
    async close() {
      oauth.stop();
      await email.stop();
      await graphql.release();
      await pool.end();
    },
  };
}
