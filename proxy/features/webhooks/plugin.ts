/**
 * `adminCreateWebhookEndpoint`: the one webhook mutation that needs the edge, because the URL
 * is checked against SSRF (O5: scheme, credentials, every resolved address) before SQL creates
 * the endpoint as auth_edge (app_hidden.create_webhook_endpoint, admins only). Listing,
 * deleting and the deliveries are plain SQL functions under RLS (adminWebhookEndpoints,
 * adminDeleteWebhookEndpoint, adminWebhookDeliveries).
 */
import { sideEffectWithPgClient } from 'postgraphile/@dataplan/pg';
import { context, lambda, object } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { BECOME_EDGE } from '../../core/db.ts';
import { AuthError } from '../../core/errors.ts';
import type { AuthRequest } from '../../core/request.ts';
import { type Row, safe } from '../../graphql/edge-call.ts';
import { resolveWebhookTarget, UnsafeTargetError } from './ssrf.ts';

export function webhooksPlugin(opts: { allowPrivate: boolean; timeoutMs: number }) {
  return extendSchema((build) => {
    const executor = build.input.pgRegistry.pgExecutors.main!;
    return {
      typeDefs: gql`
        input AdminCreateWebhookEndpointInput {
          "https URL the events are POSTed to (no loopback, link-local or private address)."
          url: String!
          "Event types to send (user.created, session.revoked, ...); empty or absent: all."
          eventTypes: [String!]
          description: String
        }
        type CreatedWebhookEndpoint {
          id: UUID!
          url: String!
          "The signing secret (Standard Webhooks whsec_...): shown this once, store it now."
          signingKey: String!
        }
        extend type Mutation {
          "Admins: adds a webhook endpoint for auth events; answers its signing secret once."
          adminCreateWebhookEndpoint(input: AdminCreateWebhookEndpointInput!): CreatedWebhookEndpoint
        }
      `,
      objects: {
        Mutation: {
          plans: {
            adminCreateWebhookEndpoint(_$root, args) {
              const $auth = context().get('auth');
              const $row = sideEffectWithPgClient(
                executor,
                object({ input: args.getRaw('input'), auth: $auth }),
                async (client, { input, auth }) => {
                  try {
                    const a = auth as AuthRequest | undefined;
                    const i = (input ?? {}) as Row;
                    // Refused before any DNS lookup: non-admins cannot probe hosts (SQL decides again).
                    if (!a?.identity) throw new AuthError('LOGIN');
                    if (a.identity.role !== 'admin') throw new AuthError('DNIED');
                    const url = String(i.url ?? '');
                    return await client.withTransaction(async (tx) => {
                      // An admin's API key without admin:webhooks in its scope is refused before any
                      // DNS lookup too: SQL decides first, under the request's role and claims.
                      await tx.query({ text: 'select app_hidden.assert_webhook_admin()' });
                      try {
                        await resolveWebhookTarget(url, { allowPrivate: opts.allowPrivate, timeoutMs: opts.timeoutMs });
                      } catch (e) {
                        if (e instanceof UnsafeTargetError) throw new AuthError('WEBHOOKURL', { message: e.message });
                        throw e;
                      }
                      await tx.query({ text: BECOME_EDGE });
                      const { rows } = await tx.query<Row>({
                        text: 'select * from app_hidden.create_webhook_endpoint($1, $2, $3)',
                        values: [url, i.eventTypes ?? [], i.description ?? null],
                      });
                      return { id: rows[0]?.id, url, signingKey: rows[0]?.secret };
                    });
                  } catch (e) {
                    return e instanceof Error ? e : new Error(String(e));
                  }
                },
              );
              return lambda([$row, $auth], ([r, auth]) => {
                if (r instanceof Error) throw safe(r, auth as AuthRequest | undefined);
                return r as Row;
              });
            },
          },
        },
      },
    };
  });
}
