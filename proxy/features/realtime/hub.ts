/**
 * One LISTEN per process, through PostGraphile 5's `PgSubscriber` (@dataplan/pg), fanned out
 * to the subscriptions of this instance. A notification carries ids and a kind only (P2:
 * db/migrations/committed/000011-realtime-subscriptions.sql); before anything is sent, every subscription
 * re-reads its queued events under RLS as its subscriber and delivers only what that returns.
 *
 * The re-reads of many subscribers travel together: one simple-protocol message per group
 * of subscriptions, one implicit transaction in which each subscriber's statement runs right
 * after its own settings (role and claims, transaction-local, exactly the settings PostGraphile
 * applies for that subscriber's operations) replaced the previous one's. So an event for 100
 * subscribers costs a few round trips instead of 100, and each read is still that
 * subscriber's, under RLS. Events that arrive meanwhile are re-read together next time. If a
 * group's message fails, each of its subscriptions re-reads alone (its `single` read).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PgSubscriber } from 'postgraphile/adaptors/pg';

export const CHANNELS = { documents: 'pgauth:documents', sessions: 'pgauth:sessions' } as const;
export type Channel = keyof typeof CHANNELS;

/** A notification as the triggers send it: ids and a kind, nothing else. */
export interface RawEvent {
  id?: string;
  user?: string;
  kind: string;
}

/** How one subscription re-reads its events as its subscriber. */
export interface Reader<T> {
  /** The subscriber's transaction-local settings (the GraphQL context's pgSettings). */
  settings: Readonly<Record<string, string | undefined>>;
  /** One SELECT with the events as escaped literals (ids checked as UUIDs by `accepts`). */
  statement(events: RawEvent[]): string;
  /** The deliverable events from that SELECT's rows. */
  rows(rows: Record<string, unknown>[]): T[];
  /** The same read alone, in a transaction of its own (when a grouped message failed). */
  single(events: RawEvent[]): Promise<T[]>;
  /** bench:realtime's baseline only: deliver without reading. */
  unread?: (e: RawEvent) => T;
}

/** Most events a subscription re-reads at once, and most it holds before it is ended. */
const BATCH = 200;
const BACKLOG = 10_000;
/** Subscriptions per grouped message, and messages in flight at once. */
const GROUP = 25;
const IN_FLIGHT = 4;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One subscription's stream: events in, re-read by the hub in batches, delivered in order. */
class Stream<T> implements AsyncIterableIterator<T> {
  pending: RawEvent[] = [];
  running = false;
  #out: T[] = [];
  #waiting: ((r: IteratorResult<T>) => void) | null = null;
  #failWaiting: ((e: unknown) => void) | null = null;
  done = false;
  #error: unknown = null;
  constructor(
    readonly accepts: (e: RawEvent) => boolean,
    readonly reader: Reader<T>,
    private readonly onEnd: () => void,
    first: T | undefined,
  ) {
    if (first !== undefined) this.#out.push(first);
  }
  /** Queues an event; true when the stream needs a re-read. */
  push(e: RawEvent): boolean {
    if (this.done || !this.accepts(e)) return false;
    if (this.pending.length >= BACKLOG) {
      this.fail(new Error('subscriber too slow'));
      return false;
    }
    this.pending.push(e);
    return true;
  }
  emit(v: T): void {
    if (this.done) return;
    const w = this.#waiting;
    if (w) {
      this.#waiting = this.#failWaiting = null;
      w({ value: v, done: false });
    } else this.#out.push(v);
  }
  fail(e: unknown): void {
    if (this.done) return;
    this.#error = e;
    const f = this.#failWaiting;
    this.#end();
    f?.(e);
  }
  #end(): void {
    if (this.done) return;
    this.done = true;
    this.pending = [];
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
    if (this.done) return Promise.resolve({ value: undefined, done: true });
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

type AnyStream = Stream<unknown>;

export class RealtimeHub {
  readonly #pool: pg.Pool;
  readonly #subscriber: PgSubscriber;
  readonly #streams: Record<Channel, Set<AnyStream>> = { documents: new Set(), sessions: new Set() };
  readonly #listeners: ((channel: Channel, e: RawEvent) => void)[] = [];
  readonly #pings = new Map<string, () => void>();
  readonly #dirty = new Set<AnyStream>();
  #scheduled = false;
  #inFlight = 0;
  #stopped = false;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
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

  /** A subscription on `channel`: its events that `accepts` lets through, re-read by `reader`. */
  open<T>(channel: Channel, accepts: (e: RawEvent) => boolean, reader: Reader<T>, first?: T, onEnd?: () => void) {
    const set = this.#streams[channel];
    const s: Stream<T> = new Stream<T>(
      accepts,
      reader,
      () => {
        set.delete(s as AnyStream);
        this.#dirty.delete(s as AnyStream);
        onEnd?.();
      },
      first,
    );
    set.add(s as AnyStream);
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
    for (const s of this.#streams[channel]) {
      if (s.reader.unread) {
        if (s.accepts(e)) s.emit(s.reader.unread(e));
      } else if (s.push(e)) this.#dirty.add(s);
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || !this.#dirty.size) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  /** Starts grouped re-reads for the subscriptions with queued events, a few messages at once. */
  #flush(): void {
    while (this.#inFlight < IN_FLIGHT && this.#dirty.size) {
      const group: { stream: AnyStream; batch: RawEvent[] }[] = [];
      for (const s of this.#dirty) {
        if (group.length === GROUP) break;
        this.#dirty.delete(s);
        if (s.running || s.done || !s.pending.length) continue;
        s.running = true;
        group.push({ stream: s, batch: s.pending.splice(0, BATCH) });
      }
      if (!group.length) continue;
      this.#inFlight++;
      void this.#reread(group).finally(() => {
        this.#inFlight--;
        for (const { stream } of group) {
          stream.running = false;
          if (stream.pending.length && !stream.done) this.#dirty.add(stream);
        }
        this.#schedule();
      });
    }
  }

  async #reread(group: { stream: AnyStream; batch: RawEvent[] }[]): Promise<void> {
    // Every subscriber sets every key any of them sets, so no value of the previous one's
    // survives into the next one's read.
    const keys = [...new Set(group.flatMap(({ stream }) => Object.keys(stream.reader.settings)))];
    const text = group
      .map(({ stream, batch }) => `${settingsSql(stream.reader.settings, keys)};\n${stream.reader.statement(batch)}`)
      .join(';\n');
    let results: pg.QueryResult[] | null = null;
    try {
      // Simple protocol, several statements: one implicit transaction; set_config(.., true)
      // lasts until the next subscriber's settings replace it.
      results = (await this.#pool.query(text)) as unknown as pg.QueryResult[];
    } catch {
      results = null;
    }
    for (const [k, { stream, batch }] of group.entries()) {
      try {
        const delivered = results ? stream.reader.rows(results[2 * k + 1]!.rows) : await stream.reader.single(batch);
        for (const d of delivered) stream.emit(d);
      } catch (e) {
        stream.fail(e);
      }
    }
  }

  /** NOTIFY a nonce until it comes back: then LISTEN is in effect on the channel. */
  async #ping(channel: Channel): Promise<void> {
    const id = randomUUID();
    let arrived = false;
    const back = new Promise<void>((r) => this.#pings.set(id, r)).then(() => {
      arrived = true;
    });
    const deadline = Date.now() + 30_000;
    try {
      while (!arrived && !this.#stopped) {
        if (Date.now() > deadline) throw new Error(`realtime: LISTEN ${CHANNELS[channel]} not in effect after 30 s`);
        // The NOTIFY command (pg_notify() is the owner's only: root-hardening.sql); a uuid nonce.
        await this.#pool.query(`NOTIFY "${CHANNELS[channel]}", '${JSON.stringify({ kind: 'ping', id })}'`);
        await Promise.race([back, new Promise((r) => setTimeout(r, 50))]);
      }
    } finally {
      this.#pings.delete(id);
    }
  }
}

/** `select set_config(k, v, true), ...` for a subscriber's settings (every key in `keys`:
 * absent ones empty, as PostGraphile's claims read them; no role: anonymous), as literals. */
function settingsSql(settings: Readonly<Record<string, string | undefined>>, keys: string[]): string {
  const parts = keys.map((k) => {
    const v = settings[k] ?? (k === 'role' ? 'anonymous' : '');
    return `pg_catalog.set_config(${pg.escapeLiteral(k)}, ${pg.escapeLiteral(String(v))}, true)`;
  });
  return `select ${parts.length ? parts.join(', ') : 'null'}`;
}

/** An escaped array literal of values already checked (UUIDs, known kinds). */
export function arrayLiteral(values: string[], type: 'uuid' | 'text'): string {
  return `${pg.escapeLiteral(`{${values.join(',')}}`)}::${type}[]`;
}
