/**
 * One LISTEN per process, through PostGraphile 5's `PgSubscriber` (@dataplan/pg), fanned out
 * to the subscriptions of this instance. A notification carries ids and a kind only (P2:
 * db/migrations/current/4000-realtime.sql); before anything is sent, every subscription
 * re-reads its queued events under RLS as its subscriber (`Recheck`, a SQL function run with
 * the subscriber's role and claims) and delivers only what that returns. Events that arrive
 * while a re-read runs are re-read together in the next one, so a burst costs one query per
 * subscriber, not one per event.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { PgSubscriber } from 'postgraphile/adaptors/pg';

export const CHANNELS = { documents: 'pgauth:documents', sessions: 'pgauth:sessions' } as const;
export type Channel = keyof typeof CHANNELS;

/** A notification as the triggers send it: ids and a kind, nothing else. */
export interface RawEvent {
  id?: string;
  user?: string;
  kind: string;
}

/** The re-read: of these events, the ones this subscriber may receive (with what it returned). */
export type Recheck<T> = (events: RawEvent[]) => Promise<T[]>;

/** Most events a subscription re-reads at once, and most it holds before it is ended. */
const BATCH = 200;
const BACKLOG = 10_000;

/** One subscription's stream: events in, re-read in batches, delivered in order. */
class Stream<T> implements AsyncIterableIterator<T> {
  #pending: RawEvent[] = [];
  #out: T[] = [];
  #waiting: ((r: IteratorResult<T>) => void) | null = null;
  #failWaiting: ((e: unknown) => void) | null = null;
  #running = false;
  #done = false;
  #error: unknown = null;
  constructor(
    readonly accepts: (e: RawEvent) => boolean,
    private readonly recheck: Recheck<T>,
    private readonly onEnd: () => void,
    first: T | undefined,
  ) {
    if (first !== undefined) this.#out.push(first);
  }
  push(e: RawEvent): void {
    if (this.#done || !this.accepts(e)) return;
    if (this.#pending.length >= BACKLOG) {
      this.fail(new Error('subscriber too slow'));
      return;
    }
    this.#pending.push(e);
    if (!this.#running) void this.#drain();
  }
  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending.length && !this.#done) {
        const batch = this.#pending.splice(0, BATCH);
        const delivered = await this.recheck(batch);
        for (const d of delivered) this.#emit(d);
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.#running = false;
    }
  }
  #emit(v: T): void {
    if (this.#done) return;
    const w = this.#waiting;
    if (w) {
      this.#waiting = this.#failWaiting = null;
      w({ value: v, done: false });
    } else this.#out.push(v);
  }
  fail(e: unknown): void {
    if (this.#done) return;
    this.#error = e;
    const f = this.#failWaiting;
    this.#end();
    f?.(e);
  }
  #end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#pending = [];
    const w = this.#waiting;
    this.#waiting = this.#failWaiting = null;
    w?.({ value: undefined, done: true });
    this.onEnd();
  }
  next(): Promise<IteratorResult<T>> {
    if (this.#out.length) return Promise.resolve({ value: this.#out.shift()!, done: false });
    if (this.#error) {
      const e = this.#error;
      this.#error = null;
      return Promise.reject(e);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }
  return(): Promise<IteratorResult<T>> {
    this.#end();
    return Promise.resolve({ value: undefined, done: true });
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

export class RealtimeHub {
  readonly #subscriber: PgSubscriber;
  readonly #streams: Record<Channel, Set<Stream<unknown>>> = { documents: new Set(), sessions: new Set() };
  readonly #listeners: ((channel: Channel, e: RawEvent) => void)[] = [];
  readonly #pings = new Map<string, () => void>();
  #stopped = false;

  constructor(pool: pg.Pool) {
    this.#subscriber = new PgSubscriber(pool);
  }

  /** LISTENs on every channel; resolves once a notification sent now would arrive. */
  async start(): Promise<void> {
    for (const channel of Object.keys(CHANNELS) as Channel[]) void this.#pump(channel);
    await Promise.all((Object.keys(CHANNELS) as Channel[]).map((c) => this.#ping(c)));
  }

  /** Also told every raw event (the socket watchdog listens to the sessions channel). */
  onEvent(f: (channel: Channel, e: RawEvent) => void): void {
    this.#listeners.push(f);
  }

  /** A subscription on `channel`: its events that `accepts` lets through, re-read by `recheck`. */
  open<T>(channel: Channel, accepts: (e: RawEvent) => boolean, recheck: Recheck<T>, first?: T, onEnd?: () => void) {
    const set = this.#streams[channel];
    const s: Stream<T> = new Stream<T>(
      accepts,
      recheck,
      () => {
        set.delete(s as Stream<unknown>);
        onEnd?.();
      },
      first,
    );
    set.add(s as Stream<unknown>);
    return s as AsyncIterableIterator<T>;
  }

  /** Subscriptions open on this instance. */
  get size(): number {
    return this.#streams.documents.size + this.#streams.sessions.size;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const set of Object.values(this.#streams)) for (const s of [...set]) void s.return();
    await this.#subscriber.release();
  }

  async #pump(channel: Channel): Promise<void> {
    while (!this.#stopped) {
      const it = this.#subscriber.subscribe(CHANNELS[channel]);
      try {
        for await (const payload of it) this.#dispatch(channel, String(payload));
      } catch {
        // The LISTEN connection broke: events may have been missed, so every subscription of
        // the channel ends with an error (clients subscribe again), and we listen again.
        for (const s of [...this.#streams[channel]]) s.fail(new Error('realtime channel interrupted'));
        if (!this.#stopped) await new Promise((r) => setTimeout(r, 500));
      }
      if (this.#stopped) return;
    }
  }

  #dispatch(channel: Channel, payload: string): void {
    let e: RawEvent;
    try {
      e = JSON.parse(payload) as RawEvent;
    } catch {
      return;
    }
    if (e.kind === 'ping') {
      const done = e.id ? this.#pings.get(e.id) : undefined;
      done?.();
      return;
    }
    for (const f of this.#listeners) f(channel, e);
    for (const s of this.#streams[channel]) s.push(e);
  }

  /** NOTIFY a nonce until it comes back: then LISTEN is in effect on the channel. */
  async #ping(channel: Channel): Promise<void> {
    const id = randomUUID();
    let arrived = false;
    const back = new Promise<void>((r) => this.#pings.set(id, r)).then(() => {
      arrived = true;
    });
    const pool = (this.#subscriber as unknown as { pool: pg.Pool }).pool;
    const deadline = Date.now() + 30_000;
    try {
      while (!arrived && !this.#stopped) {
        if (Date.now() > deadline) throw new Error(`realtime: LISTEN ${CHANNELS[channel]} not in effect after 30 s`);
        // The NOTIFY command (pg_notify() is the owner's only: root-hardening.sql); a uuid nonce.
        await pool.query(`NOTIFY "${CHANNELS[channel]}", '${JSON.stringify({ kind: 'ping', id })}'`);
        await Promise.race([back, new Promise((r) => setTimeout(r, 50))]);
      }
    } finally {
      this.#pings.delete(id);
    }
  }
}
