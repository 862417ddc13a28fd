/**
 * Realtime: GraphQL subscriptions over graphql-transport-ws, fed by LISTEN/NOTIFY (hub.ts),
 * authenticated and limited per socket (sockets.ts), re-read under RLS as each subscriber
 * before anything is sent (P2). app.ts composes it: the plugin, the wrapped
 * `upgradeWebSocket` given to grafserv, the per-socket request state, and `closeAll`.
 */
import type pg from 'pg';
import type { WithPgClient } from 'postgraphile/@dataplan/pg';
import type { NodePostgresPgClient } from 'postgraphile/adaptors/pg';
import type { RealtimeConfig } from '../../core/config.ts';
import type { CookieNames } from '../../core/cookies.ts';
import { AuthError } from '../../core/errors.ts';
import { logger } from '../../core/logger.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { AuthRequest } from '../../core/request.ts';
import type { TokenSettings } from '../../core/tokens.ts';
import { arrayLiteral, type Channel, type RawEvent, RealtimeHub, UUID } from './hub.ts';
import { realtimePlugin } from './plugin.ts';
import { type Connection, Sockets } from './sockets.ts';

export { CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED } from './sockets.ts';

export interface RealtimeDeps {
  cfg: RealtimeConfig;
  pool: pg.Pool;
  keys: KeyRing;
  tokens: TokenSettings;
  names: CookieNames;
  trustProxyHops: number;
  /** False behind a transaction pooler (DATABASE_POOL_MODE=transaction): LISTEN needs a
   * session connection, so the Subscription type is left out; sockets still serve queries. */
  subscriptions: boolean;
  /**
   * bench:realtime only: deliver every event without the re-read, to measure what the re-read
   * costs. Never set by the server.
   */
  unsafeNoRecheck?: boolean;
}

export interface RealtimeFeature {
  plugin: GraphileConfig.Plugin;
  /** Wraps grafserv's `upgradeWebSocket` (connection rate, message size, auth at connection_init). */
  // biome-ignore lint/suspicious/noExplicitAny: Hono's UpgradeWebSocket generic is adapter-specific
  wrapUpgrade<U>(upgradeWebSocket: U): any;
  /** The auth state of a WebSocket operation (grafserv's requestContext.ws.socket). */
  socketAuth(socket: unknown): AuthRequest | undefined;
  /** Closes every open socket (shutdown: `closeAll(1001, 'Server shutting down')`). */
  closeAll(code: number, reason: string): void;
  /** Checks every socket's session now (the watchdog also does, every REALTIME_SESSION_CHECK_MS). */
  check(): Promise<void>;
  /** Open sockets, subscriptions, and sessions the watchdog checks (those of open sockets). */
  readonly stats: { sockets: number; subscriptions: number; watchedSessions: number };
  stop(): Promise<void>;
}

/** An event as the GraphQL payload types read it (kind in upper case, ids or null). */
type Event = Record<string, string | null | undefined>;
type DocumentRow = { document_id: string; kind: string };
type SessionRow = { session_id: string; kind: string };

export async function realtimeFeature(d: RealtimeDeps): Promise<RealtimeFeature> {
  const hub = new RealtimeHub(d.pool);
  const sockets = new Sockets(d);
  const connOf = new WeakMap<AuthRequest, Connection>();
  // Revocations and disables wake the watchdog at once (it re-checks in one query).
  hub.onEvent((channel, e) => {
    if (channel === 'sessions' && (e.kind === 'revoked' || e.kind === 'user_disabled')) void sockets.check();
  });
  // A database that is down, or read-only (LISTEN and NOTIFY refused), does not stop the server
  // (L1): subscriptions wait for it; PgSubscriber keeps trying to LISTEN.
  if (d.subscriptions) {
    await hub.start().catch((err: unknown) => {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'realtime: LISTEN not in effect yet');
    });
  }

  const pubsubFor = (channel: Channel, state: readonly unknown[]) => {
    const [auth, withPgClient, pgSettings] = state as [
      AuthRequest | undefined,
      WithPgClient<NodePostgresPgClient>,
      Record<string, string | undefined>,
    ];
    const conn = auth && connOf.get(auth);
    if (!conn) throw new AuthError('BADREQ', { message: 'Subscriptions need the WebSocket transport' });
    // One re-read function per channel, `app_hidden.<fn>(ids, kinds)`: batched with the other
    // subscribers' statements as literals (hub.ts), or alone with parameters.
    const reRead = <R extends Record<string, unknown>>(fn: string, columns: string) => {
      const text = `select ${columns} from app_hidden.${fn}($1::uuid[], $2::text[])`;
      return {
        statement: (events: RawEvent[]) =>
          `select ${columns} from app_hidden.${fn}(${arrayLiteral(
            events.map((e) => e.id!),
            'uuid',
          )}, ${arrayLiteral(
            events.map((e) => e.kind),
            'text',
          )})`,
        single: (events: RawEvent[]) =>
          withPgClient(pgSettings, (client) =>
            client.query<R>({ text, values: [events.map((e) => e.id), events.map((e) => e.kind)] }),
          ).then((r) => r.rows),
      };
    };
    return {
      subscribe() {
        const release = sockets.acquire(conn);
        if (channel === 'documents') {
          const toEvent = (r: DocumentRow) => ({ kind: r.kind.toUpperCase(), documentId: r.document_id });
          const read = reRead<DocumentRow>('realtime_document_events', 'document_id, kind');
          return hub.open<Event>(
            'documents',
            (e) => typeof e.id === 'string' && UUID.test(e.id) && DOCUMENT_KINDS.has(e.kind),
            {
              settings: pgSettings,
              statement: read.statement,
              rows: (rows) => (rows as DocumentRow[]).map(toEvent),
              single: async (events) => (await read.single(events)).map(toEvent),
              ...(d.unsafeNoRecheck
                ? { unread: (e: RawEvent) => ({ kind: e.kind.toUpperCase(), documentId: e.id }) }
                : {}),
            },
            { kind: 'SUBSCRIBED', documentId: null },
            release,
          );
        }
        const user = conn.identity!.userId;
        const toEvent = (r: SessionRow) => ({ kind: r.kind.toUpperCase(), sessionId: r.session_id });
        const read = reRead<SessionRow>('realtime_session_events', 'session_id, kind');
        return hub.open<Event>(
          'sessions',
          (e) => e.user === user && typeof e.id === 'string' && UUID.test(e.id) && SESSION_KINDS.has(e.kind),
          {
            settings: pgSettings,
            statement: read.statement,
            rows: (rows) => (rows as SessionRow[]).map(toEvent),
            single: async (events) => (await read.single(events)).map(toEvent),
          },
          { kind: 'SUBSCRIBED', sessionId: null },
          release,
        );
      },
    };
  };

  let subscriptions = 0;
  return {
    plugin: d.subscriptions ? realtimePlugin(pubsubFor) : { name: 'PgAuthRealtimeOffPlugin', version: '1.0.0' },
    wrapUpgrade: (u) => sockets.wrap(u as never),
    socketAuth(socket) {
      const conn = sockets.connectionOf(socket);
      if (!conn) return undefined;
      connOf.set(conn.auth, conn);
      return conn.auth;
    },
    closeAll: (code, reason) => sockets.closeAll(code, reason),
    check: () => sockets.check(),
    get stats() {
      subscriptions = hub.size;
      return { sockets: sockets.count, subscriptions, watchedSessions: sockets.sessions };
    },
    async stop() {
      sockets.stop();
      sockets.closeAll(1001, 'Server shutting down');
      if (d.subscriptions) await hub.stop();
    },
  };
}

const DOCUMENT_KINDS = new Set(['created', 'updated', 'shared', 'unshared', 'deleted']);
const SESSION_KINDS = new Set(['signed_in', 'revoked']);
