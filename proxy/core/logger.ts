/**
 * The process's one logger (pino): one JSON object per line, `level` as a word ("info",
 * "error"), `time` in ISO 8601, the request's `requestId` on every line written for a request
 * (the caller passes it: the edge keeps no request state outside the request's own objects).
 * Lines at warn and above go to stderr, the rest to stdout. The level comes from LOG_LEVEL
 * (core/config.ts; `setLogLevel` at start).
 *
 * Never logged (D8): tokens, cookies, passwords, Authorization headers, GraphQL variables.
 * Callers do not pass them; the redaction below is the net under that rule for the usual
 * names, at the top level and one level down (test/http/logs.test.ts).
 *
 * @example
 *   logger.info({ requestId, method, path, status, ms }, 'request');
 *   logger.error({ requestId, errorId, err }, 'internal error');
 */
import pino from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'refresh_token',
  'access_token',
  'idToken',
  'id_token',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'authorization',
  'cookie',
  'cookies',
  '["set-cookie"]',
  'variables',
  'variableValues',
];

/** Paths pino censors: each name above at the top level and one level down (e.g. headers.cookie). */
export const REDACTED_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => (k.startsWith('[') ? `*${k}` : `*.${k}`))];

type Tap = (line: string) => void;
const taps = new Set<Tap>();

/** Where lines go: warn and above to stderr, the rest to stdout, each also to the taps. */
const destination = {
  [Symbol.for('pino.metadata')]: true,
  lastLevel: 0,
  write(line: string) {
    (this.lastLevel >= 40 ? process.stderr : process.stdout).write(line);
    if (taps.size) for (const t of taps) t(line);
  },
};

export const logger = pino(
  {
    level: 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  },
  destination,
);

export function setLogLevel(level: LogLevel): void {
  logger.level = level;
}

/**
 * Calls `fn` with every line written from now on (as written, newline included), until the
 * returned function is called. For tests that read the log.
 */
export function tapLogs(fn: Tap): () => void {
  taps.add(fn);
  return () => taps.delete(fn);
}

/** Collects the lines written while `fn` runs, parsed. */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const raw: string[] = [];
  const stop = tapLogs((l) => raw.push(l));
  try {
    const result = await fn();
    return { result, lines: raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    stop();
  }
}
