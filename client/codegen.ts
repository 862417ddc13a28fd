/**
 * graphql-codegen for the client's own documents (client/src/operations.ts): typed documents
 * and result types in client/src/gql/, and persisted-documents.json (sha256 of each document
 * → its text) for the edge's trusted documents (GRAPHQL_TRUSTED_DOCUMENTS).
 * `npm run client:codegen` writes the live schema first (client/schema.graphql, from a running
 * edge); PGAUTH_SCHEMA and PGAUTH_GQL_OUT point elsewhere (test/meta/client-codegen.test.ts).
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { OPS } from './src/operations.ts';

const here = (p: string) => new URL(p, import.meta.url).pathname;

export function codegenConfig(schema = here('schema.graphql'), out = here('src/gql/')): CodegenConfig {
  return {
    schema,
    // The documents are the strings themselves (they are assembled from shared selections).
    documents: Object.values(OPS),
    silent: true,
    // `./graphql.js` imports, as NodeNext and esbuild resolve to the .ts files.
    emitLegacyCommonJSImports: false,
    generates: {
      [out.endsWith('/') ? out : `${out}/`]: {
        preset: 'client',
        presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' }, fragmentMasking: false },
        config: { useTypeImports: true, scalars: { UUID: 'string', Datetime: 'string', Cursor: 'string' } },
      },
    },
  };
}

export default codegenConfig(process.env.PGAUTH_SCHEMA, process.env.PGAUTH_GQL_OUT);
