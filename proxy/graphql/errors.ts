/**
 * The one place GraphQL errors become what a client sees. Every error passes through
 * `classify`: registered codes keep their one message, documents that do not parse or
 * validate answer GQLVAL, database and PostGraphile refusals map to registered codes
 * (LOGIN, DNIED, NTFND, BADREQ, LIMIT, UNAVAILABLE), and anything else becomes INTERNAL with
 * a random error id that is logged with the real error (J3: no SQL, constraint or policy
 * names, no derivable hash). The execute middleware below applies it with the request's
 * context, so it also records per request what the middleware acts on afterwards (503s,
 * denials to audit: core/request.ts Outcome); grafserv's maskError applies it to anything
 * else. Documents that do not parse or validate never reach either: grafserv answers them with
 * a 400 whose errors the outcome middleware codes with `codePlain`.
 */
import { randomUUID } from 'node:crypto';
import { SafeError } from 'postgraphile/grafast';
import { type DocumentNode, GraphQLError, Kind, type OperationDefinitionNode } from 'postgraphile/graphql';
import { AuthError, ERRORS, type ErrorCode, type ErrorContext, isErrorCode, toAuthError } from '../core/errors.ts';
import type { Outcome } from '../core/request.ts';
import { logger } from '../core/logger.ts';

/** Refusals that are audited (K2); LOGIN only when a mutation was refused. */
const DENIALS = new Set<ErrorCode>(['NTFND', 'DNIED', 'LASTO', 'LASTM', 'OUTRK']);

// PostGraphile's own refusals, recognised by message (they carry no code).
const POSTGRAPHILE: [RegExp, ErrorCode, string?][] = [
  [/^No values were (updated|deleted) in collection/, 'NTFND'],
  [/^Attempted to update a record, but no new values were specified/, 'BADREQ', 'Nothing to update'],
  [/^Invalid '(after|before)' cursor|^Invalid cursor/, 'BADREQ', 'Invalid cursor'],
  [/^Cannot use 'offset' with 'last'/, 'BADREQ', "Cannot use 'offset' with 'last'"],
];

export interface ClassifyOptions extends ErrorContext {
  production: boolean;
  /** The request's id, for the log line of an INTERNAL error (core/request-id.ts). */
  requestId?: string;
}

function coded(error: GraphQLError, code: ErrorCode, message: string, errorId?: string): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: errorId ? { code, errorId } : { code },
  });
}

/** graphql-js's "Did you mean ...?" names schema members: not in production (J1). */
function withoutSuggestions(message: string, production: boolean): string {
  return production ? message.replace(/ ?Did you mean .*\?$/s, '') : message;
}

export function classify(error: GraphQLError, opts: ClassifyOptions): GraphQLError {
  const orig = error.originalError;
  const ext = error.extensions?.code;
  if (!orig) {
    // Already ours (edge limits, an earlier pass), or a parse/validation error.
    if (isErrorCode(ext)) return error;
    return coded(error, 'GQLVAL', withoutSuggestions(error.message, opts.production));
  }
  if (orig instanceof SafeError) {
    const code = (orig.extensions as { code?: unknown } | undefined)?.code;
    if (isErrorCode(code)) return coded(error, code, new AuthError(code, { message: orig.message }).message);
  }
  if (orig instanceof GraphQLError && !orig.originalError && !isErrorCode(orig.extensions?.code)) {
    // Input coercion during execution (e.g. an invalid value for a variable's scalar).
    return coded(error, 'GQLVAL', withoutSuggestions(orig.message, opts.production));
  }
  for (const [re, code, message] of POSTGRAPHILE) {
    if (re.test(orig.message)) return coded(error, code, new AuthError(code, { message }).message);
  }
  const e = toAuthError(orig, opts);
  if (e.code !== 'INTERNAL') return coded(error, e.code, e.message);
  const errorId = randomUUID();
  logger.error({ requestId: opts.requestId, errorId, path: error.path, message: orig.message, stack: orig.stack });
  return coded(error, 'INTERNAL', e.message, errorId);
}

export interface PlainError {
  message: string;
  extensions?: Record<string, unknown>;
  [k: string]: unknown;
}

/** A serialised parse or validation error: GQLVAL with its message, LIMIT for a document
 * nested beyond what the parser's stack allows (J2). */
export function codePlain(e: PlainError, production: boolean): PlainError {
  if (isErrorCode(e.extensions?.code)) return e;
  // grafserv's own refusals of the HTTP body (not JSON, not an object, no query) carry a status.
  const status = e.extensions?.statusCode;
  if (typeof status === 'number') {
    const code: ErrorCode = status === 413 ? 'TOOBIG' : 'BADREQ';
    return { message: new AuthError(code, { message: e.message }).message, extensions: { code } };
  }
  if (/call stack/i.test(e.message)) {
    return { message: 'The document is nested too deeply', extensions: { code: 'LIMIT' } };
  }
  return { ...e, message: withoutSuggestions(e.message, production), extensions: { ...e.extensions, code: 'GQLVAL' } };
}

/** Root field names by response key (aliases resolved), for the audit (never an alias). */
function rootFields(doc: DocumentNode, operationName: string | null | undefined): Map<string, string> {
  const op = doc.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const out = new Map<string, string>();
  for (const sel of op?.selectionSet.selections ?? []) {
    if (sel.kind === Kind.FIELD) out.set(sel.alias?.value ?? sel.name.value, sel.name.value);
  }
  return out;
}

function isMutation(doc: DocumentNode, operationName: string | null | undefined): boolean {
  return doc.definitions.some(
    (d) =>
      d.kind === Kind.OPERATION_DEFINITION &&
      d.operation === 'mutation' &&
      (!operationName || d.name?.value === operationName),
  );
}

type Result = { errors?: readonly GraphQLError[]; data?: Record<string, unknown> | null };

/** Nothing succeeded: no data, or every root field is null with an error of its own. */
function nothingSucceeded(r: Result, errors: readonly GraphQLError[]): boolean {
  if (!r.data) return true;
  const failed = new Set(errors.map((e) => e.path?.[0]));
  return Object.entries(r.data).every(([key, v]) => v === null && failed.has(key));
}

/**
 * Grafast middleware: classifies every execution error with the request's context and
 * notes on the request's Outcome what the edge must do after the response.
 */
export function errorsPlugin(production: boolean): GraphileConfig.Plugin {
  return {
    name: 'PgAuthErrorsPlugin',
    version: '1.0.0',
    grafast: {
      middleware: {
        execute(next, event) {
          const ctx = event.args.contextValue as Grafast.Context;
          const finish = (result: unknown) => {
            const r = result as Result | null;
            if (!r || typeof r !== 'object' || !Array.isArray(r.errors) || r.errors.length === 0) return result;
            const opts = { production, signedIn: Boolean(ctx.auth?.identity), requestId: ctx.requestId };
            const out: Outcome | undefined = ctx.outcome;
            const { document, operationName } = event.args;
            const mutation = isMutation(document, operationName);
            const names = out ? rootFields(document, operationName) : new Map<string, string>();
            const errors = r.errors.map((e) => {
              const c = classify(e, opts);
              const code = c.extensions.code as ErrorCode;
              if (out && code === 'UNAVAILABLE') out.unavailable = true;
              if (out && (DENIALS.has(code) || (mutation && code === 'LOGIN'))) {
                const key = String(c.path?.[0] ?? '');
                out.denials.push({ field: names.get(key) ?? key, code });
              }
              return c;
            });
            if (out && nothingSucceeded(r, errors)) {
              out.status = ERRORS[errors[0]!.extensions.code as ErrorCode].status;
            }
            return { ...r, errors };
          };
          const result = next();
          return (result instanceof Promise ? result.then(finish) : finish(result)) as ReturnType<typeof next>;
        },
      },
    },
  };
}
