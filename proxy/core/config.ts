/**
 * Every setting of the edge, read from the environment here and nowhere else, checked once
 * at start with a message naming the variable. Production refuses to start without explicit
 * keys, secrets and origin; development fills in safe local defaults. The README's
 * configuration table lists each variable (test/meta/config.test.ts keeps it in step).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type DbConfig, dbConfigFromEnv } from '../../db/scripts/config.ts';
import { loadProviders, type ProviderConfig } from '../features/oauth/providers.ts';
import type { ShapeLimits } from '../graphql/limits.ts';
import { loadTokenKeys, type TokenKeys } from '../features/oauth/token-crypto.ts';
import { type NativeApp, parseRedirectUri } from '../features/native/apps.ts';
import { csrfKeyRing } from './csrf-token.ts';
import { SIGNING_ALGS, type SigningAlg } from './keys.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { DEFAULT_CLIENT_ID } from './tokens.ts';

export interface Config {
  production: boolean;
  port: number;
  /** The public origin of this server, e.g. https://app.example.com (issuer, CSRF, redirects). */
  publicOrigin: string;
  /** Origins allowed to call /graphql and /auth/* with credentials (CORS). */
  corsOrigins: string[];
  /** Directory with the signing keys (created in development). */
  keysDir: string;
  /** HMAC key for CSRF tokens (32+ bytes): the first of CSRF_SECRET's list, the one that signs. */
  csrfSecret: Buffer;
  /** Every CSRF key that verifies, the signing one first (rotation: docs/deployment.md). */
  csrfSecrets: Buffer[];
  accessTokenTtlSeconds: number;
  /** Trust X-Forwarded-For from this many proxies in front (0: use the socket address). */
  trustProxyHops: number;
  /** Cookies get Secure and __Host-; only a plain-http localhost dev server may turn it off. */
  secureCookies: boolean;
  bodyLimitBytes: number;
  /** GraphQL request-shape limits (J2), measured with fragments expanded. */
  graphqlLimits: ShapeLimits;
  /** What PostGraphile keeps per distinct GraphQL document (J2): bounded so that unique
   * documents cannot pile up in memory (figures: docs/benchmarks.md, bench:memory). */
  graphqlCache: GraphQLCacheLimits;
  statementTimeoutMs: number;
  audience: string;
  /** Algorithm of new signing keys and of the key that signs (every key in the dir verifies). */
  jwtAlg: SigningAlg;
  /** RFC 9068 `client_id` claim of access tokens. */
  jwtClientId: string;
  /** One JSON line per request on stdout. */
  logRequests: boolean;
  /** Operations (issue 13): log level, trusted documents, metrics. */
  ops: OpsConfig;
  /** Development: rebuild the GraphQL schema when the database's DDL changes (db:watch). */
  graphqlWatch: boolean;
  /** Where the database comes from: `npm start`'s embedded cluster, a superuser URL that setup
   * prepares, or ready-made owner/login URLs. */
  databaseMode: 'embedded' | 'root' | 'direct';
  /** Connection URLs (for 'embedded', filled in once the cluster runs: see withDatabase). */
  db: DbConfig;
  /** Development state: the embedded cluster (`pg/`), default keys and secrets. */
  dataDir: string;
  embeddedPgPort: number;
  /** Connections per instance to PostgreSQL. */
  dbPoolMax: number;
  /** How AUTH_DATABASE_URL (and the replica URL) is pooled: `transaction` (PgBouncer's
   * transaction mode) sends no named prepared statements and keeps no session state. */
  dbPoolMode: DbPoolMode;
  /** A streaming replica for read-only GraphQL queries (null: everything on the primary). */
  replicaUrl: string | null;
  /** How often the signing-key directory is re-read (0: only at start and on an unknown kid). */
  keysReloadMs: number;
  /** Direct mode: how long to wait for `npm run db:migrate` to bring the schema up to date. */
  schemaWaitSeconds: number;
  /** Mail (features/email): SMTP, templates, the outbox worker, the development mailbox. */
  email: EmailConfig;
  oauth: {
    providers: Map<string, ProviderConfig>;
    /** Provider-token encryption keys; null when no provider is configured. */
    tokenKeys: TokenKeys | null;
    /** How often provider tokens are renewed in the background (0: never). */
    refreshIntervalMs: number;
    /** How long any request to a provider may take before it is UPSTREAM (G7). */
    providerTimeoutMs: number;
    postLoginRedirect: string;
  };
  /** Registered native and device apps (APP_<ID>_*), by client id (features/native). */
  apps: Map<string, NativeApp>;
  /** Multi-factor sign-in (features/mfa): TOTP secret keys and issuer, the SMS sender. */
  mfa: MfaConfig;
  /** Realtime subscriptions over WebSockets (features/realtime): limits and the session watchdog. */
  realtime: RealtimeConfig;
  /** Passkeys (features/passkeys): the WebAuthn origin and RP ID are PUBLIC_ORIGIN and its hostname. */
  passkeys: { origin: string; rpId: string; userVerification: 'preferred' | 'required' };
  /** Auth-event webhooks (features/webhooks): SSRF allowance, timeout, retries. */
  webhooks: WebhooksConfig;
  /** Account pages at /account (features/account): ACCOUNT_PAGES, default on outside production. */
  accountPages: boolean;
}

export interface WebhooksConfig {
  /** Development only: http URLs and loopback/private targets allowed (O5). */
  allowPrivate: boolean;
  /** Whole-attempt timeout of one POST. */
  timeoutMs: number;
  /** Attempts before a delivery is marked failed. */
  maxAttempts: number;
  /** Delay before the 2nd attempt; each later one doubles it (at most 6 hours). */
  retryBaseMs: number;
}

function webhooksConfig(env: Env, production: boolean): WebhooksConfig {
  const allowPrivate = bool(env, 'WEBHOOK_ALLOW_PRIVATE', false);
  if (production && allowPrivate) throw new Error('WEBHOOK_ALLOW_PRIVATE=true is for development only (O5)');
  return {
    allowPrivate,
    timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100),
    maxAttempts: int(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1),
    retryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 1),
  };
}

export const SMS_PROVIDERS = ['log', 'twilio', 'webhook'] as const;
export type SmsProvider = (typeof SMS_PROVIDERS)[number];

export interface MfaConfig {
  /** Encrypt TOTP secrets at rest: OAUTH_TOKEN_KEYS (the provider-token scheme and keys); in
   * development a generated key on disk; null in production without it (no TOTP enrolment). */
  secretKeys: TokenKeys | null;
  /** The issuer shown by authenticator apps. */
  totpIssuer: string;
  sms: {
    provider: SmsProvider;
    /** The sender number or name (twilio). */
    from: string | null;
    twilioAccountSid: string | null;
    twilioAuthToken: string | null;
    /** Twilio's API origin (a test server in tests). */
    twilioApiUrl: string;
    /** webhook: where {to, body} is POSTed as JSON. */
    webhookUrl: string | null;
  };
}

function mfaConfig(env: Env, production: boolean, host: string, tokenKeysFile: string): MfaConfig {
  const provider = (env.SMS_PROVIDER || 'log') as SmsProvider;
  if (!SMS_PROVIDERS.includes(provider))
    throw new Error(`SMS_PROVIDER must be log, twilio or webhook (got "${env.SMS_PROVIDER}")`);
  const twilioApiUrl = (env.SMS_TWILIO_API_URL || 'https://api.twilio.com').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(twilioApiUrl)) throw new Error('SMS_TWILIO_API_URL must be an http(s) URL');
  const sms = {
    provider,
    from: env.SMS_FROM || null,
    twilioAccountSid: env.SMS_TWILIO_ACCOUNT_SID || null,
    twilioAuthToken: env.SMS_TWILIO_AUTH_TOKEN || null,
    twilioApiUrl,
    webhookUrl: env.SMS_WEBHOOK_URL || null,
  };
  if (provider === 'twilio' && !(sms.from && sms.twilioAccountSid && sms.twilioAuthToken)) {
    throw new Error('SMS_PROVIDER=twilio needs SMS_FROM, SMS_TWILIO_ACCOUNT_SID and SMS_TWILIO_AUTH_TOKEN');
  }
  if (provider === 'webhook' && !(sms.webhookUrl && /^https?:\/\/\S+$/.test(sms.webhookUrl))) {
    throw new Error('SMS_PROVIDER=webhook needs SMS_WEBHOOK_URL (an http(s) URL)');
  }
  const secretKeys = env.OAUTH_TOKEN_KEYS
    ? loadTokenKeys(env.OAUTH_TOKEN_KEYS, production, tokenKeysFile)
    : production
      ? null
      : loadTokenKeys(undefined, false, tokenKeysFile);
  const totpIssuer = env.MFA_TOTP_ISSUER || host;
  if (/[:\p{Cc}]/u.test(totpIssuer) || totpIssuer.length > 100)
    throw new Error('MFA_TOTP_ISSUER must be at most 100 characters, without ":" or control characters');
  return { secretKeys, totpIssuer, sms };
}

export interface GraphQLCacheLimits {
  /** Parsed and validated documents, by their text (grafserv; failures are kept too). */
  documents: number;
  /** Operations whose plans are kept (grafast, keyed by the cached document's operation). */
  operations: number;
  /** Plans per operation: one per combination of variable values its plan depends on (@include). */
  plansPerOperation: number;
}

export interface EmailConfig {
  /** smtp(s)://user:pass@host:port; null in development: mail goes to the in-process mailbox. */
  smtpUrl: string | null;
  /** The From header of every mail. */
  from: string;
  /** The operator's templates (`<name>.txt` / `<name>.html`), each overriding a built-in one. */
  templatesDir: string | null;
  /** Run the outbox worker inside this process (`npm run worker` runs it alone). */
  worker: boolean;
  /** Mails one worker sends at once. */
  concurrency: number;
  /** How often the worker looks for due jobs besides being woken by NOTIFY (retries). */
  pollIntervalMs: number;
  /** Development without SMTP_URL, worker in this process: the loopback SMTP server that
   * catches all mail, shown at /dev/mail. */
  devMailbox: boolean;
  /** Its port (0: any free port, printed at start). */
  devSmtpPort: number;
}

export interface RealtimeConfig {
  /** Subscriptions one socket may hold at once (P4). */
  maxSubscriptionsPerConnection: number;
  /** Subscriptions one user may hold at once on this instance, all sockets together (P4). */
  maxSubscriptionsPerUser: number;
  /** WebSocket upgrades per client address per minute on this instance (P4). */
  connectionsPerMinute: number;
  /** Largest WebSocket message accepted; a larger one closes the socket with 1009 (P4). */
  maxMessageBytes: number;
  /** How often every open socket's session is re-checked in one query (P3). */
  sessionCheckMs: number;
}

function realtimeConfig(env: Env): RealtimeConfig {
  return {
    maxSubscriptionsPerConnection: int(env, 'REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION', 20, 1),
    maxSubscriptionsPerUser: int(env, 'REALTIME_MAX_SUBSCRIPTIONS_PER_USER', 100, 1),
    connectionsPerMinute: int(env, 'REALTIME_CONNECTIONS_PER_MINUTE', 60, 1),
    maxMessageBytes: int(env, 'REALTIME_MAX_MESSAGE_BYTES', 64 * 1024, 1024),
    sessionCheckMs: int(env, 'REALTIME_SESSION_CHECK_MS', 2000, 100),
  };
}

export interface OpsConfig {
  /** core/logger.ts's level. */
  logLevel: LogLevel;
  /** graphql/trusted-documents.ts: the allow-list file (hash -> document); null: none. */
  trustedDocuments: string | null;
  /** middleware/metrics: /metrics on (`port` null: on the main port, behind `token`). */
  metrics: { enabled: boolean; port: number | null; token: string | null };
}

function opsConfig(env: Env, production: boolean): OpsConfig {
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const trustedDocuments = env.GRAPHQL_TRUSTED_DOCUMENTS || null;
  if (trustedDocuments && !existsSync(trustedDocuments)) {
    throw new Error(`GRAPHQL_TRUSTED_DOCUMENTS names no file (got "${trustedDocuments}")`);
  }
  const enabled = bool(env, 'METRICS_ENABLED', false);
  const port = env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 1) : null;
  const token = env.METRICS_TOKEN || null;
  if (token && token.length < 32) throw new Error('METRICS_TOKEN must be at least 32 characters');
  if (enabled && port === null && !token && production) {
    throw new Error('METRICS_ENABLED on the main port needs METRICS_TOKEN in production (or METRICS_PORT)');
  }
  return { logLevel, trustedDocuments, metrics: { enabled, port, token } };
}

export const DB_POOL_MODES = ['session', 'transaction'] as const;
export type DbPoolMode = (typeof DB_POOL_MODES)[number];

type Env = NodeJS.ProcessEnv;

function int(env: Env, name: string, dflt: number, min = 0): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got "${v}")`);
  return n;
}

function bool(env: Env, name: string, dflt: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  if (v !== 'true' && v !== 'false') throw new Error(`${name} must be true or false (got "${v}")`);
  return v === 'true';
}

function origin(name: string, v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`${name} must be an origin such as https://app.example.com (got "${v}")`);
  }
  if (u.origin !== v.replace(/\/$/, '')) throw new Error(`${name} must be an origin without a path (got "${v}")`);
  return u.origin;
}

/** Development only: a CSRF key kept on disk so tokens survive restarts. */
function devSecret(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(file.replace(/\/[^/]*$/, ''), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

function emailConfig(env: Env, production: boolean, host: string): EmailConfig {
  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) {
    throw new Error('SMTP_URL must be smtp://user:pass@host:port or smtps://... (credentials URL-encoded)');
  }
  // A production web instance without SMTP_URL only queues mail: `npm run worker` with
  // SMTP_URL sends it (from any instance, since the queue is the database).
  const worker = bool(env, 'MAIL_WORKER', Boolean(smtpUrl) || !production);
  if (production && worker && !smtpUrl) throw new Error('MAIL_WORKER=true needs SMTP_URL in production');
  const from = env.MAIL_FROM || `pgauth <no-reply@${host}>`;
  if (/[\r\n]/.test(from) || !/@/.test(from))
    throw new Error(`MAIL_FROM must be one address such as "App <no-reply@example.com>"`);
  const templatesDir = env.MAIL_TEMPLATES_DIR || null;
  if (templatesDir && !existsSync(templatesDir))
    throw new Error(`MAIL_TEMPLATES_DIR does not exist (got "${templatesDir}")`);
  return {
    smtpUrl,
    from,
    templatesDir,
    worker,
    concurrency: int(env, 'MAIL_WORKER_CONCURRENCY', 4, 1),
    pollIntervalMs: int(env, 'MAIL_POLL_INTERVAL_MS', 2000, 100),
    devMailbox: !production && !smtpUrl && worker,
    devSmtpPort: int(env, 'DEV_SMTP_PORT', 0),
  };
}

/**
 * Native and device apps: for each <ID> (letters and digits; its lower case is the client id)
 *   APP_<ID>_NAME           display name (required)
 *   APP_<ID>_REDIRECT_URIS  comma-separated redirect URIs for app-initiated OAuth
 *   APP_<ID>_DEVICE_GRANT   true: may use the device authorization grant
 * An app needs redirect URIs or the device grant.
 */
function loadApps(env: Env): Map<string, NativeApp> {
  const ids = new Set<string>();
  for (const key of Object.keys(env)) {
    const m = /^APP_([A-Z0-9]+)_(NAME|REDIRECT_URIS|DEVICE_GRANT)$/.exec(key);
    if (m) ids.add(m[1]!);
    // APP_MY_APP_NAME would otherwise be ignored without a word: an app id is one word.
    else if (/^APP_.+_(NAME|REDIRECT_URIS|DEVICE_GRANT)$/.test(key)) {
      throw new Error(`${key}: an app id is letters and digits only (APP_<ID>_NAME, e.g. APP_MYAPP_NAME)`);
    }
  }
  const apps = new Map<string, NativeApp>();
  for (const ID of [...ids].sort()) {
    const v = (suffix: string) => env[`APP_${ID}_${suffix}`];
    const name = v('NAME')?.trim();
    if (!name || name.length > 100 || /\p{Cc}/u.test(name)) {
      throw new Error(`APP_${ID}_NAME is required: the app's display name (1-100 characters)`);
    }
    const redirectUris = (v('REDIRECT_URIS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((uri) => {
        try {
          return parseRedirectUri(uri);
        } catch (e) {
          throw new Error(`APP_${ID}_REDIRECT_URIS: ${(e as Error).message}`);
        }
      });
    const deviceGrant = bool(env, `APP_${ID}_DEVICE_GRANT`, false);
    if (!redirectUris.length && !deviceGrant) {
      throw new Error(`APP_${ID}_REDIRECT_URIS or APP_${ID}_DEVICE_GRANT=true is required`);
    }
    const id = ID.toLowerCase();
    apps.set(id, { id, name, redirectUris: [...new Set(redirectUris)], deviceGrant });
  }
  return apps;
}

/** Reads and validates the configuration; throws with a clear message on anything unsafe. */
export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const port = int(env, 'PORT', 3000);
  const publicOrigin = env.PUBLIC_ORIGIN
    ? origin('PUBLIC_ORIGIN', env.PUBLIC_ORIGIN)
    : production
      ? ''
      : `http://localhost:${port}`;
  if (!publicOrigin) throw new Error('PUBLIC_ORIGIN is required in production');
  const url = new URL(publicOrigin);
  if (production && url.protocol !== 'https:') throw new Error('PUBLIC_ORIGIN must be https in production');
  const csrfSecretHex = env.CSRF_SECRET;
  // Several keys while rotating: comma-separated, the first signs, every one verifies.
  const csrfList = csrfSecretHex?.split(',').map((s) => s.trim());
  if (csrfList?.some((h) => !/^([0-9a-fA-F]{2}){32,}$/.test(h))) {
    throw new Error('CSRF_SECRET must be 64 or more hex characters (32+ bytes), or several separated by commas');
  }
  if (production && !csrfSecretHex) throw new Error('CSRF_SECRET (64+ hex characters) is required in production');
  if (production && !env.JWT_KEYS_DIR) throw new Error('JWT_KEYS_DIR is required in production');
  const secureCookies = bool(env, 'COOKIE_SECURE', url.protocol === 'https:' || production);
  if (production && !secureCookies) throw new Error('COOKIE_SECURE=false is not allowed in production');
  const corsOrigins = (env.CORS_ORIGINS ?? publicOrigin)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((o) => origin('CORS_ORIGINS', o));

  const hasDb = Boolean(env.ROOT_DATABASE_URL || env.AUTH_DATABASE_URL);
  if (production && !hasDb) throw new Error('production needs ROOT_DATABASE_URL or DATABASE_URL + AUTH_DATABASE_URL');
  const databaseMode = !hasDb ? 'embedded' : env.ROOT_DATABASE_URL ? 'root' : 'direct';
  // Watch mode needs PostGraphile's event-trigger fixtures, installed as a superuser: on by
  // default when one is known (embedded or ROOT_DATABASE_URL).
  const graphqlWatch = bool(env, 'GRAPHQL_WATCH', !production && databaseMode !== 'direct');
  if (production && graphqlWatch) throw new Error('GRAPHQL_WATCH=true is for development only');
  const dbPoolMode = (env.DATABASE_POOL_MODE || 'session') as DbPoolMode;
  if (!DB_POOL_MODES.includes(dbPoolMode)) {
    throw new Error(`DATABASE_POOL_MODE must be session or transaction (got "${env.DATABASE_POOL_MODE}")`);
  }
  // Watch mode LISTENs on a pooled connection: a transaction pooler hands it to others.
  if (dbPoolMode === 'transaction' && graphqlWatch && env.GRAPHQL_WATCH === 'true') {
    throw new Error('GRAPHQL_WATCH=true needs a session connection: not with DATABASE_POOL_MODE=transaction');
  }
  const replicaUrl = env.AUTH_DATABASE_REPLICA_URL || null;
  if (replicaUrl && !/^postgres(ql)?:\/\/\S+$/.test(replicaUrl)) {
    throw new Error('AUTH_DATABASE_REPLICA_URL must be a postgres:// URL of the login role on a replica');
  }

  // Both caches are LRUs of at least 2 entries. A plan is found through its cached document's
  // operation node, so plans for more operations than there are documents are never reused.
  const graphqlCache: GraphQLCacheLimits = {
    documents: int(env, 'GRAPHQL_DOCUMENT_CACHE_SIZE', 100, 2),
    operations: int(env, 'GRAPHQL_PLAN_CACHE_SIZE', 100, 2),
    plansPerOperation: int(env, 'GRAPHQL_PLANS_PER_OPERATION', 8, 2),
  };
  if (graphqlCache.operations > graphqlCache.documents) {
    throw new Error(
      `GRAPHQL_PLAN_CACHE_SIZE (${graphqlCache.operations}) must not exceed GRAPHQL_DOCUMENT_CACHE_SIZE (${graphqlCache.documents})`,
    );
  }

  const jwtAlg = (env.JWT_ALG || 'EdDSA') as SigningAlg;
  if (!SIGNING_ALGS.includes(jwtAlg)) throw new Error(`JWT_ALG must be EdDSA or ES256 (got "${env.JWT_ALG}")`);
  const jwtClientId = env.JWT_CLIENT_ID || DEFAULT_CLIENT_ID;
  if (!/^[\x21-\x7e]{1,200}$/.test(jwtClientId)) {
    throw new Error(`JWT_CLIENT_ID must be 1-200 printable ASCII characters without spaces (got "${jwtClientId}")`);
  }

  const providers = loadProviders(env, publicOrigin);
  const dataDir = (env.DATA_DIR || '.data').replace(/\/+$/, '');
  if (!dataDir) throw new Error('DATA_DIR must be a directory path (got "/")');
  const tokenKeysFile = env.OAUTH_TOKEN_KEYS_FILE ?? `${dataDir}/oauth-token-keys`;
  const email = emailConfig(env, production, url.hostname);
  return {
    production,
    port,
    publicOrigin,
    corsOrigins,
    keysDir: env.JWT_KEYS_DIR ?? `${dataDir}/keys`,
    ...csrfSecrets(csrfList ?? null, () => devSecret(env.DEV_SECRET_FILE ?? `${dataDir}/csrf-secret`)),
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL', 15 * 60, 30),
    trustProxyHops: int(env, 'TRUST_PROXY_HOPS', 0),
    secureCookies,
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 100 * 1024, 1024),
    graphqlLimits: {
      maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 10, 1),
      maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 20),
      maxFields: int(env, 'GRAPHQL_MAX_FIELDS', 500, 1),
      maxCost: int(env, 'GRAPHQL_MAX_COST', 20_000, 1),
      defaultPageSize: int(env, 'GRAPHQL_DEFAULT_PAGE_SIZE', 20, 1),
      maxDocumentBytes: int(env, 'GRAPHQL_MAX_DOCUMENT_BYTES', 16 * 1024, 256),
    },
    graphqlCache,
    statementTimeoutMs: int(env, 'STATEMENT_TIMEOUT_MS', 5000, 1),
    audience: env.JWT_AUDIENCE || 'pgauth',
    jwtAlg,
    jwtClientId,
    logRequests: bool(env, 'LOG_REQUESTS', true),
    ops: opsConfig(env, production),
    graphqlWatch: graphqlWatch && dbPoolMode === 'session',
    databaseMode,
    db: dbConfigFromEnv(env),
    dataDir,
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 54329, 1),
    dbPoolMax: int(env, 'DATABASE_POOL_MAX', 20, 1),
    dbPoolMode,
    replicaUrl,
    keysReloadMs: int(env, 'JWT_KEYS_RELOAD_MS', 10_000),
    schemaWaitSeconds: int(env, 'SCHEMA_WAIT_SECONDS', 300),
    email,
    oauth: {
      providers,
      tokenKeys: providers.size ? loadTokenKeys(env.OAUTH_TOKEN_KEYS, production, tokenKeysFile) : null,
      refreshIntervalMs: int(env, 'OAUTH_REFRESH_INTERVAL_MS', 60_000),
      providerTimeoutMs: int(env, 'OAUTH_PROVIDER_TIMEOUT_MS', 10_000, 100),
      postLoginRedirect: env.POST_LOGIN_REDIRECT ?? '/',
    },
    apps: loadApps(env),
    mfa: mfaConfig(env, production, url.hostname, tokenKeysFile),
    realtime: realtimeConfig(env),
    passkeys: { origin: publicOrigin, rpId: url.hostname, userVerification: passkeyUserVerification(env) },
    webhooks: webhooksConfig(env, production),
    accountPages: bool(env, 'ACCOUNT_PAGES', !production),
  };
}

/** PASSKEY_USER_VERIFICATION: `preferred` (default; aal2 only when it was performed) or `required`. */
function passkeyUserVerification(env: Env): 'preferred' | 'required' {
  const v = env.PASSKEY_USER_VERIFICATION || 'preferred';
  if (v !== 'preferred' && v !== 'required') {
    throw new Error(`PASSKEY_USER_VERIFICATION must be preferred or required (got "${v}")`);
  }
  return v;
}

/** The CSRF keys: CSRF_SECRET's list (the first signs), else the development key on disk. */
function csrfSecrets(hex: string[] | null, dev: () => Buffer): { csrfSecret: Buffer; csrfSecrets: Buffer[] } {
  const all = hex ? hex.map((h) => Buffer.from(h, 'hex')) : [dev()];
  return { csrfSecret: csrfKeyRing(all), csrfSecrets: all };
}

/** The configuration once the embedded cluster (if any) runs at `rootUrl`. */
export function withDatabase(cfg: Config, rootUrl: string, env: Env = process.env): Config {
  return { ...cfg, databaseMode: 'root', db: dbConfigFromEnv({ ...env, ROOT_DATABASE_URL: rootUrl }) };
}
