/**
 * The WebSocket side of realtime (graphql-transport-ws on /graphql): who a socket is, its
 * limits, and when it must close.
 *
 * - Who (P1): the Origin was checked before the upgrade (middleware/graphql-endpoint). At
 *   `connection_init` the socket takes its identity once: a bearer access token in the
 *   payload (`{ "authorization": "Bearer <jwt>" }`), else the upgrade request's access
 *   cookie (none or an expired one: anonymous). A bearer that does not verify, or a session
 *   that already ended, closes the socket with 4401 (4403 for a disabled user). Auth
 *   mutations cannot run over it (`canAuthenticate: false`).
 * - Until when (P3): the identity holds while its SESSION is live, not while the access token
 *   is (a socket outlives a 15-minute token; the session is what logout and revocation end).
 *   A watchdog closes the socket with 4401 when the session is logged out, revoked or expired
 *   and 4403 when the user is disabled: woken at once by the sessions channel (revocations,
 *   disables), and every `sessionCheckMs` one batched query for every open socket's session.
 * - Limits (P4): connections per client address per minute (429 TOOMANY at the upgrade),
 *   message size (close 1009), subscriptions per socket and per user (TOOMANY).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type pg from 'pg';
import { parse as parseCookies } from 'hono/utils/cookie';
import type { RealtimeConfig } from '../../core/config.ts';
import type { CookieNames } from '../../core/cookies.ts';
import { asEdge } from '../../core/db.ts';
import { AuthError } from '../../core/errors.ts';
import type { KeyRing } from '../../core/keys.ts';
import type { AuthRequest, Identity } from '../../core/request.ts';
import type { TokenSettings } from '../../core/tokens.ts';
import { clientIp, readCredentials } from '../../middleware/credentials/index.ts';

/** Close codes (graphql-ws reserves 4400-4499 for application use). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

/** The parts of Hono's WSContext used here. */
interface Ws {
  close(code?: number, reason?: string): void;
}
type WsEvents = {
  onOpen?: (evt: Event, ws: Ws) => void;
  onMessage?: (evt: MessageEvent, ws: Ws) => void;
  onClose?: (evt: CloseEvent, ws: Ws) => void;
  onError?: (evt: Event, ws: Ws) => void;
};
type UpgradeWebSocket = (createEvents: (c: Context) => WsEvents | Promise<WsEvents>) => MiddlewareHandler;

export class Connection {
  identity: Identity | null = null;
  auth: AuthRequest;
  subscriptions = 0;
  closed = false;
  initSeen = false;
  /** Messages that arrived while connection_init was being authenticated. */
  held: MessageEvent[] | null = null;
  constructor(
    readonly ws: Ws,
    readonly cookieHeader: string | undefined,
  ) {
    this.auth = socketAuth(null);
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ws.close(code, reason);
    } catch {
      // already closing
    }
  }
}

function socketAuth(identity: Identity | null): AuthRequest {
  return {
    identity,
    ip: null,
    userAgent: null,
    bodyDelivery: false,
    refreshCookie: null,
    csrfSessionId: null,
    canAuthenticate: false,
    issue: () => Promise.reject(new AuthError('BADREQ')),
    clear: () => {},
  };
}

export interface SocketDeps {
  cfg: RealtimeConfig;
  pool: pg.Pool;
  keys: KeyRing;
  tokens: TokenSettings;
  names: CookieNames;
  trustProxyHops: number;
}

export class Sockets {
  readonly #byWs = new Map<Ws, Connection>();
  readonly #bySession = new Map<string, Set<Connection>>();
  readonly #perUser = new Map<string, number>();
  readonly #rate = new Map<string, { start: number; n: number }>();
  readonly #timer: NodeJS.Timeout;
  #checking: Promise<void> | null = null;
  #again = false;

  constructor(private readonly d: SocketDeps) {
    this.#timer = setInterval(() => void this.check(), d.cfg.sessionCheckMs);
    this.#timer.unref();
  }

  /** The connection of a graphql-ws operation's socket (grafserv's requestContext.ws.socket). */
  connectionOf(socket: unknown): Connection | undefined {
    return this.#byWs.get(socket as Ws);
  }

  get count(): number {
    return this.#byWs.size;
  }

  /** Sessions the watchdog checks (those of open, authenticated sockets). */
  get sessions(): number {
    return this.#bySession.size;
  }

  /** Counts a subscription against the socket's and the user's caps, or refuses it. */
  acquire(conn: Connection): () => void {
    const user = conn.identity?.userId;
    if (!user) throw new AuthError('LOGIN');
    const mine = this.#perUser.get(user) ?? 0;
    if (conn.subscriptions >= this.d.cfg.maxSubscriptionsPerConnection || mine >= this.d.cfg.maxSubscriptionsPerUser) {
      throw new AuthError('TOOMANY');
    }
    conn.subscriptions++;
    this.#perUser.set(user, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      conn.subscriptions--;
      const n = (this.#perUser.get(user) ?? 1) - 1;
      if (n > 0) this.#perUser.set(user, n);
      else this.#perUser.delete(user);
    };
  }

  /** grafserv's upgradeWebSocket, wrapped: rate at the upgrade, then the socket's lifecycle. */
  wrap(upgradeWebSocket: UpgradeWebSocket): UpgradeWebSocket {
    return (createEvents) => {
      const inner = upgradeWebSocket(async (c) => {
        const events = await createEvents(c);
        const cookieHeader = c.req.header('cookie');
        let conn: Connection | undefined;
        return {
          onOpen: (evt, ws) => {
            conn = new Connection(ws, cookieHeader);
            this.#byWs.set(ws, conn);
            events.onOpen?.(evt, ws);
          },
          onMessage: (evt, ws) => {
            if (conn) this.#message(conn, evt, ws, events);
          },
          onClose: (evt, ws) => {
            if (conn) this.#forget(conn);
            events.onClose?.(evt, ws);
          },
          onError: (evt, ws) => events.onError?.(evt, ws),
        };
      });
      return async (c, next) => {
        if (!this.#admit(clientIp(c, this.d.trustProxyHops) ?? 'unknown')) throw new AuthError('TOOMANY');
        return inner(c, next);
      };
    };
  }

  /** Connections per client address per minute (fixed one-minute windows). */
  #admit(ip: string): boolean {
    const now = Date.now();
    if (this.#rate.size > 100_000) {
      for (const [k, v] of this.#rate) if (now - v.start >= 60_000) this.#rate.delete(k);
    }
    const r = this.#rate.get(ip);
    if (!r || now - r.start >= 60_000) {
      this.#rate.set(ip, { start: now, n: 1 });
      return true;
    }
    r.n++;
    return r.n <= this.d.cfg.connectionsPerMinute;
  }

  #message(conn: Connection, evt: MessageEvent, ws: Ws, events: WsEvents): void {
    const data = evt.data as string | ArrayBuffer;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (size > this.d.cfg.maxMessageBytes) {
      conn.close(1009, 'Message too big');
      return;
    }
    if (conn.held) {
      conn.held.push(evt);
      return;
    }
    if (!conn.initSeen) {
      let msg: { type?: unknown; payload?: unknown } | null = null;
      try {
        msg = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
      } catch {
        // not ours to judge: graphql-ws refuses it
      }
      if (msg?.type === 'connection_init') {
        conn.initSeen = true;
        conn.held = [];
        void this.#authenticate(conn, msg.payload).then((ok) => {
          const held = conn.held ?? [];
          conn.held = null;
          if (!ok || conn.closed) return;
          events.onMessage?.(evt, ws);
          for (const e of held) events.onMessage?.(e, ws);
        });
        return;
      }
    }
    events.onMessage?.(evt, ws);
  }

  /** The socket's identity, once, at connection_init; false when the socket was closed. */
  async #authenticate(conn: Connection, payload: unknown): Promise<boolean> {
    try {
      const p = (payload ?? {}) as Record<string, unknown>;
      const authz = p.authorization ?? p.Authorization;
      if (authz !== undefined && typeof authz !== 'string') {
        conn.close(CLOSE_UNAUTHORIZED, 'Unauthorized');
        return false;
      }
      const creds = await readCredentials(
        authz !== undefined
          ? { authorization: authz, cookies: {} }
          : { cookies: parseCookies(conn.cookieHeader ?? '') },
        this.d.keys,
        this.d.tokens,
        this.d.names,
      );
      // No API keys on sockets: only a session's access token (or cookie) opens one.
      if (creds.invalidBearer) {
        conn.close(CLOSE_UNAUTHORIZED, 'Unauthorized');
        return false;
      }
      const id = creds.identity;
      if (id) {
        const ended = await this.#ended([id.sessionId]);
        const reason = ended.get(id.sessionId);
        if (reason) {
          conn.close(closeCode(reason), closeReason(reason));
          return false;
        }
        // Closed while this was awaited: #forget has run, so registering it now would keep
        // the connection (and its session in every watchdog query) for the process's life.
        if (conn.closed) return false;
        conn.identity = id;
        conn.auth = socketAuth(id);
        const set = this.#bySession.get(id.sessionId) ?? new Set<Connection>();
        this.#bySession.set(id.sessionId, set);
        set.add(conn);
      }
      return !conn.closed;
    } catch {
      conn.close(1011, 'Internal error');
      return false;
    }
  }

  #forget(conn: Connection): void {
    conn.closed = true;
    this.#byWs.delete(conn.ws);
    const sid = conn.identity?.sessionId;
    if (sid) {
      const set = this.#bySession.get(sid);
      set?.delete(conn);
      if (set?.size === 0) this.#bySession.delete(sid);
    }
  }

  async #ended(sessionIds: string[]): Promise<Map<string, string>> {
    const rows = await asEdge<{ session_id: string; reason: string }>(
      this.d.pool,
      null,
      'select session_id, reason from app_hidden.realtime_ended_sessions($1::uuid[])',
      [sessionIds],
    );
    return new Map(rows.map((r) => [r.session_id, r.reason]));
  }

  /**
   * One query for every open socket's session; closes those that ended (4401) or whose user
   * is disabled (4403). Concurrent calls coalesce into one more run.
   */
  check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return this.#checking;
    }
    this.#checking = (async () => {
      do {
        this.#again = false;
        const ids = [...this.#bySession.keys()];
        if (!ids.length) continue;
        try {
          const ended = await this.#ended(ids);
          for (const [sid, reason] of ended) {
            for (const conn of this.#bySession.get(sid) ?? []) conn.close(closeCode(reason), closeReason(reason));
          }
        } catch {
          // Database unreachable: the next tick tries again (statements fail closed meanwhile).
        }
      } while (this.#again);
    })().finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  /** Closes every socket (shutdown: 1001 "going away"). */
  closeAll(code: number, reason: string): void {
    for (const conn of [...this.#byWs.values()]) conn.close(code, reason);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

const closeCode = (reason: string) => (reason === 'disabled' ? CLOSE_FORBIDDEN : CLOSE_UNAUTHORIZED);
const closeReason = (reason: string) =>
  reason === 'disabled' ? 'Forbidden: user disabled' : 'Unauthorized: session ended';
