/**
 * Trusted documents (GRAPHQL_TRUSTED_DOCUMENTS=path): the operations a production server
 * accepts are the ones in an allow-list built with the client, in the format graphql-codegen's
 * client preset emits (`persisted-documents.json`: `{ "<sha256 hex>": "<document>" }`).
 *
 * A request names its document by hash, as `documentId` (codegen's client preset, the
 * GraphQL-over-HTTP persisted-documents proposal; an optional `sha256:` prefix is accepted)
 * or as `extensions.persistedQuery.sha256Hash` (Apollo's APQ shape; nothing is ever
 * registered from a request). In production an unknown hash, or a document sent as text, is
 * refused with TRUSTED (403) before it is parsed; development runs known hashes and accepts
 * any text, so the same client works against both. A text sent together with a known hash
 * must be that document; an empty text counts as none (graphql-ws makes clients send a
 * `query` string).
 *
 * This is grafserv's own extension point (`processGraphQLRequestBody` middleware, the one
 * `@grafserv/persisted` uses; that package is not a dependency), so it covers POST /graphql
 * and WebSocket operations alike, and costs a property read on requests when it is off.
 */
import { readFileSync } from 'node:fs';
import type { Context } from 'hono';
import { SafeError } from 'postgraphile/grafast';
import { AuthError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';

/** Reads and checks the allow-list: a JSON object of hash -> document text. */
export function loadTrustedDocuments(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`GRAPHQL_TRUSTED_DOCUMENTS: ${path} is not a JSON file (${e instanceof Error ? e.message : e})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`GRAPHQL_TRUSTED_DOCUMENTS: ${path} must hold an object of hash -> document`);
  }
  const docs = new Map<string, string>();
  for (const [hash, doc] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9:_-]{1,128}$/.test(hash) || typeof doc !== 'string' || !doc.trim()) {
      throw new Error(`GRAPHQL_TRUSTED_DOCUMENTS: ${path}: "${hash.slice(0, 80)}" is not a hash with a document`);
    }
    docs.set(hash.replace(/^sha256:/, ''), doc);
  }
  return docs;
}

interface Body {
  documentId?: unknown;
  query?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } | null;
}

export interface TrustedDocumentsOptions {
  documents: ReadonlyMap<string, string>;
  /** Production: documents outside the list are refused. */
  enforce: boolean;
  /** Called on every refusal (metrics). */
  onRefused?: () => void;
}

/**
 * The refusal. grafserv answers a SafeError with its `extensions.statusCode`; that one is not
 * enumerable, so the client sees only `{ code: 'TRUSTED' }`.
 */
function refused(reason: string, requestId: string | undefined, opts: TrustedDocumentsOptions): SafeError {
  opts.onRefused?.();
  logger.warn({ requestId, reason }, 'untrusted GraphQL document refused');
  const extensions: Record<string, unknown> = { code: 'TRUSTED' };
  Object.defineProperty(extensions, 'statusCode', { value: new AuthError('TRUSTED').status, enumerable: false });
  return new SafeError(new AuthError('TRUSTED').message, extensions);
}

export function trustedDocumentsPlugin(opts: TrustedDocumentsOptions): GraphileConfig.Plugin {
  const { documents, enforce } = opts;
  return {
    name: 'PgAuthTrustedDocumentsPlugin',
    version: '1.0.0',
    grafserv: {
      middleware: {
        processGraphQLRequestBody(next, event) {
          const body = event.body as Body;
          const hash = body.documentId ?? body.extensions?.persistedQuery?.sha256Hash;
          const ctx = (event.request?.requestContext as { honov4?: { ctx?: Context } } | undefined)?.honov4?.ctx;
          if (hash === undefined || hash === null) {
            if (enforce) throw refused('document sent as text', ctx?.get('requestId'), opts);
            return next();
          }
          const doc = typeof hash === 'string' ? documents.get(hash.replace(/^sha256:/, '')) : undefined;
          if (doc === undefined) {
            // Development runs a text sent along; an empty one (graphql-ws) is no text.
            if (!enforce && typeof body.query === 'string' && body.query !== '') return next();
            throw refused('unknown document id', ctx?.get('requestId'), opts);
          }
          // graphql-ws requires a `query` string: clients sending a hash over it send ''.
          if (body.query != null && body.query !== '' && body.query !== doc) {
            throw refused('text does not match its document id', ctx?.get('requestId'), opts);
          }
          body.query = doc;
          return next();
        },
      },
    },
  };
}

/** The plugin for this configuration: none without GRAPHQL_TRUSTED_DOCUMENTS. */
export function trustedDocumentsFor(
  path: string | null,
  production: boolean,
  onRefused?: () => void,
): GraphileConfig.Plugin[] {
  if (!path) return [];
  return [trustedDocumentsPlugin({ documents: loadTrustedDocuments(path), enforce: production, onRefused })];
}
