/**
 * PostGraphile 5 over app_public, as the login role; every operation runs as the request
 * role with transaction-local claims (pgSettings: B1), derived only from the verified
 * identity the edge put on the context (B2), plus a fixed statement_timeout (J2). Features
 * add their GraphQL through plugins (app.ts lists them); limits and error handling are here.
 */
import type { Context } from 'hono';
import type pg from 'pg';
import { type PostGraphileInstance, postgraphile } from 'postgraphile';
import type { WithPgClient } from 'postgraphile/@dataplan/pg';
import type { NodePostgresPgClient } from 'postgraphile/adaptors/pg';
import { getOperationAST } from 'postgraphile/graphql';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { cookieNames } from '../core/cookies.ts';
import type { Config, GraphQLCacheLimits } from '../core/config.ts';
import { pgService as makePgService } from '../core/db.ts';
import type { AuthRequest, Outcome } from '../core/request.ts';
import { classify, errorsPlugin } from './errors.ts';
import { devIde } from './ide.ts';
import { limitsPlugin, pageSizePlugin } from './limits.ts';
import { MissingRowsPlugin } from './missing-rows.ts';
import { trustedDocumentsFor } from './trusted-documents.ts';
import type { Metrics } from '../middleware/metrics/index.ts';

export interface GraphQLService {
  pgl: PostGraphileInstance;
  release(): Promise<void>;
}

export interface GraphQLOptions {
  cfg: Config;
  pool: pg.Pool;
  plugins: GraphileConfig.Plugin[];
  credentialMutations: ReadonlySet<string>;
  /** The request's auth state and outcome: from the Hono context, or for WebSocket operations
   * from the upgrade request. */
  requestState(rc: Partial<Grafast.RequestContext>): Promise<{ auth?: AuthRequest; outcome: Outcome }>;
  /** Read replicas (core/replica.ts): the database access of read-only operations (queries). */
  readOnly?: WithPgClient<NodePostgresPgClient>;
  /** Metrics (middleware/metrics, METRICS_ENABLED): counts operations; null when off. */
  metrics?: Metrics | null;
  /** The database service; core/db.ts pgService by default (bench:http measures against
   * @dataplan/pg's own). */
  pgService?: (pool: pg.Pool, schemas: string[]) => GraphileConfig.PgServiceConfiguration<'@dataplan/pg/adaptors/pg'>;
}

export function createPostGraphile(o: GraphQLOptions): GraphQLService {
  const { cfg } = o;
  const pgService = (o.pgService ?? makePgService)(o.pool, ['app_public']);
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [
      ...o.plugins,
      MissingRowsPlugin,
      pageSizePlugin(cfg.graphqlLimits.defaultPageSize),
      limitsPlugin({
        shape: cfg.graphqlLimits,
        introspection: !cfg.production,
        credentialMutations: o.credentialMutations,
      }),
      // Before the errors plugin: its middleware then wraps that one and sees classified codes.
      ...(o.metrics ? [o.metrics.graphqlPlugin(o.credentialMutations)] : []),
      errorsPlugin(cfg.production),
      ...trustedDocumentsFor(
        cfg.ops.trustedDocuments,
        cfg.production,
        o.metrics ? () => o.metrics?.trustedRefusals.inc() : undefined,
      ),
      planCachePlugin(cfg.graphqlCache),
    ],
    pgServices: [pgService],
    ...(cfg.production
      ? {}
      : { ruru: devIde({ csrfCookie: cookieNames(cfg.secureCookies).csrf, graphqlPath: '/graphql' }) }),
    schema: { pgForbidSetofFunctionsToReturnNull: true },
    // Watch mode (development, GRAPHQL_WATCH): rebuild the schema after DDL; the event
    // triggers are ours (graphql/watch.ts), installed by createApp.
    gather: { installWatchFixtures: false },
    grafserv: {
      graphqlPath: '/graphql',
      websockets: true,
      graphiql: !cfg.production,
      graphiqlPath: '/graphiql',
      graphiqlOnGraphQLGET: false,
      watch: cfg.graphqlWatch,
      maxRequestLength: cfg.bodyLimitBytes,
      // Parsed and validated documents (failures too), by text: bounded against unique documents (J2).
      parseAndValidateCacheSize: cfg.graphqlCache.documents,
      maskError: (error) => classify(error, { production: cfg.production }),
    },
    grafast: {
      // Plan explanations embed input constants (passwords included): never sent (D8).
      explain: false,
      async context(requestContext, args) {
        const { auth, outcome } = await o.requestState(requestContext);
        const id = auth?.identity;
        // The HTTP request's id (core/request-id.ts), also the transaction's application_name:
        // pg_stat_activity and the server log (%a) name the request of a slow statement.
        const requestId = (requestContext.honov4?.ctx as Context | undefined)?.get('requestId');
        // Queries may read from a replica; mutations and subscriptions never do.
        const readOnly =
          o.readOnly && args.document && getOperationAST(args.document, args.operationName)?.operation === 'query'
            ? { withPgClient: o.readOnly }
            : {};
        return {
          ...readOnly,
          auth,
          outcome,
          requestId,
          pgSettings: {
            role: id?.role ?? 'anonymous',
            'jwt.claims.user_id': id?.userId ?? '',
            'jwt.claims.session_id': id?.sessionId ?? '',
            ...(id?.apiKey ? { 'jwt.claims.api_key': '1' } : {}),
            statement_timeout: String(cfg.statementTimeoutMs),
            ...(requestId ? { application_name: requestId.slice(0, 63) } : {}),
          },
        };
      },
    },
  };
  const pgl = postgraphile(preset);
  return {
    pgl,
    async release() {
      // A watch-mode schema build that failed before any success has released the instance
      // already (PostGraphile then refuses a second release); the pool is still ours to end.
      try {
        await pgl.release();
      } catch {
        // released by PostGraphile itself
      }
      await pgService.release?.();
    },
  };
}

/**
 * Grafast keeps operation plans on the schema (read from its extensions when it first plans):
 * bounded here by operations and by plans per operation (J2; bench:memory). Its own document
 * cache serves only grafast() calls (the edge parses in grafserv) and gets the same bound.
 */
function planCachePlugin(limits: GraphQLCacheLimits): GraphileConfig.Plugin {
  return {
    name: 'PgAuthPlanCachePlugin',
    version: '1.0.0',
    schema: {
      hooks: {
        GraphQLSchema(config) {
          config.extensions = {
            ...config.extensions,
            grafast: {
              ...config.extensions?.grafast,
              operationsCacheMaxLength: limits.operations,
              operationOperationPlansCacheMaxLength: limits.plansPerOperation,
              queryCacheMaxLength: limits.documents,
            },
          };
          return config;
        },
      },
    },
  };
}
