/**
 * The one History (docs/architecture.md, "One history"): an append-only, ordered log of typed events. Awaits subscribe
 * to it, matchers judge it, chaos writes to it, failures print its tail. Wall-clock time is kept
 * beside the events, never in them, so two runs of one seed serialise identically.
 */
import { checkOptions } from '../checks/options.js';
import { InvalidOptionError } from '../errors.js';
import { round } from './format.js';
import type { CustomKind, EventKind, QuiesceEvents } from './events.js';

export interface HistoryEvent<K extends string = string, D = unknown> {
  /** 0-based position in the history. */
  readonly seq: number;
  /** Virtual (or, on a real clock, monotonic) milliseconds when it happened. */
  readonly time: number;
  readonly kind: K;
  /** Who it happened to or who reported it, e.g. a pid `<0.3>` or `os:worker.py`. */
  readonly source: string;
  readonly data: D;
}

export type HistoryListener = (event: HistoryEvent) => void;

/** An event of a declared kind, its data typed from the event map; a union of kinds gives a union of events. */
export type EventOf<K extends EventKind> = K extends EventKind ? HistoryEvent<K, QuiesceEvents[K]> : never;

/**
 * Whether `event` is of one of the declared `kinds` and carries an object, as every declared payload
 * is: narrows `event.data` to that kind's payload. The typed spelling of `event.kind === 'child.restart'`;
 * an event of a declared kind with no object for data (a third party's malformed message, bridged in)
 * is not taken for one, so reading its fields cannot throw.
 */
export function isKind<K extends EventKind>(event: HistoryEvent, ...kinds: [K, ...K[]]): event is EventOf<K> {
  return (kinds as readonly string[]).includes(event.kind) && typeof event.data === 'object' && event.data !== null;
}

/** Read once: `performance.timeOrigin` is a getter, and every event reads the wall clock. */
const TIME_ORIGIN = performance.timeOrigin;
const epochNow = (): number => TIME_ORIGIN + performance.now();

const NO_LISTENERS: readonly HistoryListener[] = Object.freeze([]);

/** How much of itself a history keeps. */
export interface HistoryRetention {
  /**
   * Keep at least the last `keep` events, and at most twice that (the oldest are dropped in
   * batches); sequence numbers go on counting. Default: every event. For runtimes that run for
   * a long time in production; a test's history keeps everything.
   */
  keep?: number;
}

export class History {
  readonly #events: HistoryEvent[] = [];
  readonly #wall: number[] = [];
  /** Seq of the oldest event kept (0 until a bounded history drops some). */
  #first = 0;
  /** Wall-clock time of event 0, kept when it is dropped: real elapsed times count from it. */
  #wallOrigin: number | undefined;
  readonly #keep: number;
  /**
   * Replaced, never changed in place, when a listener comes or goes: an append runs the listeners
   * there were when it began (one may unsubscribe, or subscribe another, as it runs) without
   * copying them for every event.
   */
  #listeners: readonly HistoryListener[] = NO_LISTENERS;
  readonly #now: () => number;
  readonly #wallNow: () => number;
  readonly #appended: HistoryListener | undefined;

  /**
   * @param now virtual time source (the kernel's clock)
   * @param wallNow wall-clock source; kept apart from the events (docs/architecture.md, determinism rule 4)
   * @param appended told of every event before the listeners (the runtime's own bookkeeping), never unsubscribed
   * @param retention how many events to keep (default: all)
   */
  constructor(now: () => number = () => 0, wallNow: () => number = epochNow, appended?: HistoryListener, retention: HistoryRetention = {}) {
    this.#now = now;
    this.#wallNow = wallNow;
    this.#appended = appended;
    this.#keep = checkKeep(retention);
  }

  /** How many events were appended: the seq the next one gets. */
  get length(): number {
    return this.#first + this.#events.length;
  }

  /** Seq of the oldest event kept: 0, unless a bounded history (`keep`) has dropped older ones. */
  get firstSeq(): number {
    return this.#first;
  }

  /** The events kept, oldest first (all of them unless the history is bounded). The array is live and must not be mutated. */
  get events(): readonly HistoryEvent[] {
    return this.#events;
  }

  /** Append an event: a declared kind with its payload, or a custom kind (see `CustomKind`) with any data. */
  append<K extends EventKind>(kind: K, source: string, data: QuiesceEvents[K]): HistoryEvent<K, QuiesceEvents[K]>;
  append<K extends string>(kind: CustomKind<K>, source: string, data: unknown): HistoryEvent<K>;
  append(kind: string, source: string, data: unknown): HistoryEvent {
    const event: HistoryEvent = Object.freeze({ seq: this.#first + this.#events.length, time: this.#now(), kind, source, data });
    this.#events.push(event);
    this.#wall.push(this.#wallNow());
    if (this.#events.length >= 2 * this.#keep) this.#drop();
    // Listeners run synchronously, so an await resolves in the same turn as its event.
    this.#appended?.(event);
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(event);
    return event;
  }

  /** A bounded history drops its oldest events down to `keep`: in batches, so an append stays O(1) on average. */
  #drop(): void {
    const n = this.#events.length - this.#keep;
    this.#wallOrigin ??= this.#wall[0];
    this.#events.splice(0, n);
    this.#wall.splice(0, n);
    this.#first += n;
  }

  /** Call `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: HistoryListener): () => void {
    // Once each, as a Set would keep it: subscribing a listener twice calls it once per event.
    if (!this.#listeners.includes(listener)) this.#listeners = [...this.#listeners, listener];
    return () => {
      if (this.#listeners.includes(listener)) this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Wall-clock milliseconds (epoch) when event `seq` was recorded. */
  wallTime(seq: number): number | undefined {
    return seq >= this.#first ? this.#wall[seq - this.#first] : undefined;
  }

  /** The events of one kind, their data typed when the kind is declared. */
  ofKind<K extends EventKind>(kind: K): EventOf<K>[];
  ofKind<K extends string>(kind: CustomKind<K>): HistoryEvent<K>[];
  ofKind(kind: string): HistoryEvent[] {
    return this.#events.filter((e) => e.kind === kind);
  }

  find(predicate: (e: HistoryEvent) => boolean, fromSeq = 0): HistoryEvent | undefined {
    for (let i = Math.max(0, fromSeq - this.#first); i < this.#events.length; i++) {
      const e = this.#events[i]!;
      if (predicate(e)) return e;
    }
    return undefined;
  }

  /** The last `n` events. */
  tail(n: number): readonly HistoryEvent[] {
    return this.#events.slice(Math.max(0, this.#events.length - n));
  }

  /** JSON lines, one event each, wall-clock fields excluded unless asked for. */
  toJSONLines(options: { wallClock?: boolean } = {}): string {
    return this.#events.map((e) => JSON.stringify(options.wallClock ? { ...e, wall: this.#wall[e.seq - this.#first] } : e, jsonReplacer)).join('\n');
  }

  /** A human timeline of the last `n` events (all by default), one per line. */
  timeline(n = this.#events.length): string {
    const events = this.tail(n);
    return formatTimeline(events, touchesOutside(events) ? (e) => this.realElapsed(e.seq) : undefined);
  }

  /** Real milliseconds from the first event to event `seq` (wall clock; never part of the events). */
  realElapsed(seq: number): number | undefined {
    const first = this.#wallOrigin ?? this.#wall[0];
    const at = this.wallTime(seq);
    return first === undefined || at === undefined ? undefined : at - first;
  }
}

function checkKeep(retention: HistoryRetention): number {
  checkOptions('History retention', retention, ['keep']);
  const { keep } = retention;
  if (keep === undefined) return Number.POSITIVE_INFINITY;
  if (!(Number.isSafeInteger(keep) && keep >= 1)) throw new InvalidOptionError('History retention.keep', keep, 'an integer >= 1 (how many events to keep)');
  return keep;
}

/**
 * Whether events show work outside the runtime (OS processes, threads, containers, probes, HTTP):
 * only then is real time worth printing beside virtual time — a closed simulation's real time is
 * just how fast the machine ran it.
 */
export function touchesOutside(events: readonly HistoryEvent[]): boolean {
  return events.some((e) => /^(os|thread|container|probe|http)\./.test(e.kind));
}

/**
 * One line per event: seq, virtual time, kind, source, data. With `real` (the history's wall-clock
 * elapsed time of an event), the real time is shown beside the virtual one where it ran ahead of
 * it — a test with OS processes spends real time that a closed simulation never does.
 */
export function formatTimeline(events: readonly HistoryEvent[], real?: (event: HistoryEvent) => number | undefined): string {
  return events
    .map((e) => {
      const data = e.data === undefined ? '' : ` ${JSON.stringify(e.data, jsonReplacer)}`;
      const r = real?.(e);
      // Only where real time ran ahead: a closed simulation's jumps put virtual time ahead, which is the point.
      const both = r !== undefined && r - e.time >= 1 ? ` (real ${formatTime(r)})` : '';
      return `#${String(e.seq).padStart(4)} ${formatTime(e.time).padStart(10)}${both}  ${e.kind.padEnd(20)} ${e.source}${data}`;
    })
    .join('\n');
}

function formatTime(ms: number): string {
  return ms < 1000 ? `${round(ms, 3)}ms` : `${round(ms / 1000, 3)}s`;
}

/** Errors, bigints and other non-JSON values get a stable JSON form. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { error: value.name, message: value.message };
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value === 'symbol') return value.toString();
  if (value === undefined) return null;
  return value;
}
