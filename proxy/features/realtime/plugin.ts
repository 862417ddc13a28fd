/**
 * The Subscription type: `documentChanged` and `mySessionsChanged`, each a grafast `listen()`
 * on a per-subscriber pubsub (features/realtime/index.ts `pubsubFor`) whose stream is the
 * hub's re-read events (P2). Every event first re-reads under RLS as the subscriber; the
 * `document` field reads the row again, through PostGraphile, when the event is sent.
 */
import { context, type GrafastSubscriber, get, lambda, listen, type Step } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import type { Channel } from './hub.ts';

export type PubsubFactory = (
  channel: Channel,
  state: readonly unknown[],
) => { subscribe(topic: string): AsyncIterableIterator<unknown> };

export function realtimePlugin(pubsubFor: PubsubFactory): GraphileConfig.Plugin {
  return extendSchema((build) => {
    const documents = build.input.pgRegistry.pgResources.documents!;
    const subscribe = (channel: Channel) => () => {
      const $ctx = context();
      const $pubsub = lambda([$ctx.get('auth'), $ctx.get('withPgClient'), $ctx.get('pgSettings')], (state) =>
        pubsubFor(channel, state),
      );
      return listen($pubsub as Step<GrafastSubscriber>, channel);
    };
    return {
      typeDefs: gql`
        "What happened to a document you can see (or just could)."
        enum DocumentChangeKind {
          "First event of every subscription: from now on, every change is delivered."
          SUBSCRIBED
          CREATED
          UPDATED
          "Shared with a user or group (or a share's role changed)."
          SHARED
          "A share was removed; if it was yours and nothing else lets you see it, document is null."
          UNSHARED
          "Deleted; document is null. Delivered to everyone who could see it."
          DELETED
        }
        type DocumentChange {
          kind: DocumentChangeKind!
          "Null only for SUBSCRIBED."
          documentId: UUID
          "The document as you see it when the event is sent; null when deleted or no longer visible to you."
          document: Document
        }
        "What happened to one of your sign-ins."
        enum SessionChangeKind {
          "First event of every subscription: from now on, every change is delivered."
          SUBSCRIBED
          "A new sign-in (another device or browser)."
          SIGNED_IN
          "A sign-in ended (logout, revocation)."
          REVOKED
        }
        type SessionChange {
          kind: SessionChangeKind!
          "Null only for SUBSCRIBED."
          sessionId: UUID
        }
        extend type Subscription {
          "Documents you can see: created, updated, shared, unshared, deleted. Each event is re-read as you before it is sent."
          documentChanged: DocumentChange!
          "Your sessions: a new sign-in or a revoked one (refetch mySessions)."
          mySessionsChanged: SessionChange!
        }
      `,
      objects: {
        Subscription: {
          plans: {
            documentChanged: { subscribePlan: subscribe('documents'), plan: ($e) => $e },
            mySessionsChanged: { subscribePlan: subscribe('sessions'), plan: ($e) => $e },
          },
        },
        DocumentChange: {
          plans: {
            document($e) {
              return documents.get({ id: get($e as Step<{ documentId: string | null }>, 'documentId') });
            },
          },
        },
      },
    };
  }, 'PgAuthRealtimePlugin');
}
