/**
 * PostGraphile 5 over app_public, as the login role; every operation runs as the request
 * role with transaction-local claims (pgSettings: B1), derived only from the verified
 * identity the edge put on the context (B2), plus a fixed statement_timeout (J2).
 */
import pg from 'pg';
import { postgraphile, type PostGraphileInstance } from 'postgraphile';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { defaultMaskError } from 'postgraphile/grafserv';
import { GraphQLError } from 'postgraphile/graphql';
import type { Config } from '../config.ts';
import { isErrorCode, toAuthError } from '../errors.ts';
import { AuthMutationsPlugin } from './auth-plugin.ts';
import type { AuthRequest } from './context.ts';
import { limitsPlugin, PageSizeLimitPlugin } from './limits.ts';

/**
 * How many "database unavailable" errors were produced so far. The edge compares it before
 * and after a request and only then looks at the response body, so a request that failed
 * for that reason can answer 503 (L1) without per-request bookkeeping in the normal case.
 * (AsyncLocalStorage would do it per request, but on Node 22 its promise hooks cost every
 * request about 15% of the edge's CPU.)
 */
export const unavailableErrors = { count: 0 };

/** Codes that mean "authorization refused"; counted like the above, then audited (K2). */
export const DENIAL_CODES = new Set(['NTFND', 'DNIED', 'LASTO', 'LASTM']);
export const deniedErrors = { count: 0 };

/** Lets our registered codes through with their fixed messages; masks everything else (J3). */
export function maskError(error: GraphQLError): GraphQLError {
  const masked = maskErrorCode(error);
  const code = masked.extensions?.code;
  if (code === 'UNAVAILABLE') unavailableErrors.count++;
  if (typeof code === 'string' && DENIAL_CODES.has(code)) deniedErrors.count++;
  return masked;
}

function maskErrorCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code && isErrorCode(error.extensions.code)) return error;
  const orig = error.originalError as { code?: unknown } | undefined;
  if (orig && toAuthError(orig).code === 'UNAVAILABLE') {
    return new GraphQLError('Service temporarily unavailable', {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { code: 'UNAVAILABLE' },
    });
  }
  if (orig && isErrorCode(orig.code) && orig.code !== 'INTERNAL') {
    return new GraphQLError((orig as Error).message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { code: orig.code },
    });
  }
  if (!error.originalError) return error; // validation and syntax errors carry no internals
  return defaultMaskError(error);
}

export interface GraphQLService {
  pgl: PostGraphileInstance;
  pool: pg.Pool;
  release(): Promise<void>;
}

export function createPostGraphile(
  cfg: Config,
  authUrl: string,
  authFor: (requestContext: Partial<Grafast.RequestContext>) => Promise<AuthRequest | undefined>,
): GraphQLService {
  const pool = new pg.Pool({ connectionString: authUrl, max: 20, connectionTimeoutMillis: 5000 });
  // A dropped connection must not crash the process; requests fail with 503 meanwhile (L1).
  pool.on('error', () => {});
  const pgService = makePgService({ pool, schemas: ['app_public'] });
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [
      AuthMutationsPlugin,
      PageSizeLimitPlugin,
      limitsPlugin({ maxDepth: cfg.maxQueryDepth, maxAliases: cfg.maxAliases, introspection: !cfg.production }),
    ],
    pgServices: [pgService],
    schema: { pgForbidSetofFunctionsToReturnNull: true },
    grafserv: {
      graphqlPath: '/graphql',
      websockets: true,
      graphiql: !cfg.production,
      graphiqlPath: '/graphiql',
      graphiqlOnGraphQLGET: false,
      maxRequestLength: cfg.bodyLimitBytes,
      maskError,
    },
    grafast: {
      // Plan explanations embed input constants (passwords included): never sent (D8).
      explain: false,
      async context(requestContext) {
        const auth = await authFor(requestContext);
        const id = auth?.identity;
        return {
          auth,
          pgSettings: {
            role: id?.role ?? 'anonymous',
            'jwt.claims.user_id': id?.userId ?? '',
            'jwt.claims.session_id': id?.sessionId ?? '',
            statement_timeout: String(cfg.statementTimeoutMs),
          },
        };
      },
    },
  };
  const pgl = postgraphile(preset);
  return {
    pgl,
    pool,
    async release() {
      await pgl.release();
      await pgService.release?.();
      await pool.end();
    },
  };
}
