/**
 * Edge configuration from the environment, checked once at start. Production refuses to
 * start without explicit keys, secrets and origin; development fills in safe local defaults.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

export interface Config {
  production: boolean;
  port: number;
  /** The public origin of this server, e.g. https://app.example.com (issuer, CSRF, redirects). */
  publicOrigin: string;
  /** Origins allowed to call /graphql with credentials (CORS). */
  corsOrigins: string[];
  /** Directory with the signing keys (created in development). */
  keysDir: string;
  /** HMAC key for CSRF tokens (32+ bytes). */
  csrfSecret: Buffer;
  accessTokenTtlSeconds: number;
  /** Trust X-Forwarded-For from this many proxies in front (0: use the socket address). */
  trustProxyHops: number;
  /** Cookies get Secure and __Host-; only a plain-http localhost dev server may turn it off. */
  secureCookies: boolean;
  bodyLimitBytes: number;
  maxQueryDepth: number;
  maxAliases: number;
  statementTimeoutMs: number;
  audience: string;
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

/** Development only: a CSRF key kept on disk so tokens survive restarts. */
function devSecret(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(file.replace(/\/[^/]*$/, ''), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

/** Reads and validates the configuration; throws with a clear message on anything unsafe. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const port = int(env, 'PORT', 3000);
  const publicOrigin = (env.PUBLIC_ORIGIN ?? (production ? '' : `http://localhost:${port}`)).replace(/\/$/, '');
  if (!publicOrigin) throw new Error('PUBLIC_ORIGIN is required in production');
  const url = new URL(publicOrigin);
  if (production && url.protocol !== 'https:') throw new Error('PUBLIC_ORIGIN must be https in production');
  const csrfSecretHex = env.CSRF_SECRET;
  if (production && (!csrfSecretHex || csrfSecretHex.length < 64)) {
    throw new Error('CSRF_SECRET (64+ hex characters) is required in production');
  }
  if (production && !env.JWT_KEYS_DIR) throw new Error('JWT_KEYS_DIR is required in production');
  const secureCookies = env.COOKIE_SECURE ? env.COOKIE_SECURE !== 'false' : url.protocol === 'https:' || production;
  if (production && !secureCookies) throw new Error('COOKIE_SECURE=false is not allowed in production');
  return {
    production,
    port,
    publicOrigin,
    corsOrigins: (env.CORS_ORIGINS ?? publicOrigin)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    keysDir: env.JWT_KEYS_DIR ?? '.data/keys',
    csrfSecret: csrfSecretHex
      ? Buffer.from(csrfSecretHex, 'hex')
      : devSecret(env.DEV_SECRET_FILE ?? '.data/csrf-secret'),
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL', 15 * 60),
    trustProxyHops: int(env, 'TRUST_PROXY_HOPS', 0),
    secureCookies,
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 100 * 1024),
    maxQueryDepth: int(env, 'GRAPHQL_MAX_DEPTH', 10),
    maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 20),
    statementTimeoutMs: int(env, 'STATEMENT_TIMEOUT_MS', 5000),
    audience: env.JWT_AUDIENCE ?? 'pgauth',
  };
}
