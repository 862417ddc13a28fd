/**
 * `npm run client:schema -- [URL] [FILE]`: writes the live GraphQL schema of a running edge
 * (default http://localhost:3000, development: introspection is off in production) as SDL to
 * FILE (default client/schema.graphql, not committed), for graphql-codegen in an app:
 *   // codegen.ts
 *   export default { schema: 'node_modules/@pgauth/client/schema.graphql', documents: 'src/**\/*.tsx',
 *     generates: { 'src/gql/': { preset: 'client' } } };
 */
import { writeFileSync } from 'node:fs';
import {
  buildClientSchema,
  getIntrospectionQuery,
  type GraphQLSchema,
  type IntrospectionQuery,
  printSchema,
} from 'graphql';
import { fileURLToPath } from 'node:url';

export async function liveSchema(base: string): Promise<GraphQLSchema> {
  const res = await fetch(`${base.replace(/\/+$/, '')}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await res.json()) as { data?: IntrospectionQuery; errors?: { message: string }[] };
  if (!body.data) throw new Error(`introspection refused (${res.status}): ${JSON.stringify(body.errors)}`);
  return buildClientSchema(body.data);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const base = process.argv[2] ?? 'http://localhost:3000';
  const out = process.argv[3] ?? fileURLToPath(new URL('../schema.graphql', import.meta.url));
  writeFileSync(out, `${printSchema(await liveSchema(base))}\n`);
  console.log(`wrote ${out}`);
}
