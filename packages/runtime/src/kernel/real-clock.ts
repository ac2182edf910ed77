import { normaliseDelay, type Clock, type TimerHandle } from './clock.js';
import { realHoldableTimer, realImmediate, realNow, realTimer, type HoldableTimer } from './real-time.js';

export type { HoldableTimer } from './real-time.js';

/** The longest delay setTimeout honours (a signed 32-bit number of ms, about 24.8 days). */
const MAX_NATIVE_DELAY = 2_147_483_647;

/** Where a RealClock takes time from: by default the native timers captured at load. */
export interface RealTimeSource {
  now(): number;
  /** Run `fn` after `ms` (at most 2^31 - 1); returns the cancel function. */
  timer(ms: number, fn: () => void): () => void;
  /**
   * Optional (the native source has it): a timer that can stay armed without holding the process
   * open (Node's unref), so the clock keeps one armed for a delay between its timers instead of
   * clearing and arming a native timer for each. Without it an unused native timer is cleared.
   */
  holdableTimer?(ms: number, fn: () => void): HoldableTimer;
  /** Run `fn` after the current macrotask (with holdableTimer): when idle native timers stop holding the process. */
  afterTurn?(fn: () => void): void;
}

const NATIVE: RealTimeSource = { now: realNow, timer: realTimer, holdableTimer: realHoldableTimer, afterTurn: realImmediate };

/** A pending timer: an entry of the list of its delay, oldest first. */
class Entry implements TimerHandle {
  readonly id: number;
  readonly deadline: number;
  fn: (() => void) | undefined;
  /** The list it waits in; undefined once fired or cleared. */
  list: DelayList | undefined;
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;

  constructor(id: number, deadline: number, fn: () => void, list: DelayList) {
    this.id = id;
    this.deadline = deadline;
    this.fn = fn;
    this.list = list;
  }
}

/**
 * The timers set with one delay. They were set in deadline order (time only moves forward), so
 * one native timer, armed for the head's deadline or earlier, serves them all: it fires, runs
 * whatever is due and arms itself again for the next head.
 */
class DelayList {
  readonly delay: number;
  head: Entry | undefined = undefined;
  tail: Entry | undefined = undefined;
  /** The native timer, armed to fire at or before the head's deadline while the list is not empty. */
  native: HoldableTimer | undefined = undefined;
  /** Whether the native timer holds the process open (it does not while the list is empty). */
  holding = false;
  /** Its due timers are running: a timer they set joins the list without arming another native timer. */
  firing = false;
  /** Emptied this turn: its native timer stops holding the process after the turn (see RealClock). */
  releasing = false;

  constructor(delay: number) {
    this.delay = delay;
  }
}

/**
 * Real time through the native timers captured at load (see real-time.ts). A timer never fires
 * before its deadline by this clock's `now()`.
 */
export class RealClock implements Clock {
  readonly kind = 'real' as const;
  readonly #source: RealTimeSource;
  readonly #origin: number;
  readonly #lists = new Map<number, DelayList>();
  #pending = 0;
  #nextId = 1;
  /** Lists emptied this turn whose native timer still holds the process open (see clearTimer). */
  #emptied: DelayList[] = [];

  /** @param source for tests of the clock itself; default the native timers. */
  constructor(source: RealTimeSource = NATIVE) {
    this.#source = source;
    this.#origin = source.now();
  }

  now(): number {
    return this.#source.now() - this.#origin;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const delay = normaliseDelay(delayMs);
    const now = this.now();
    let list = this.#lists.get(delay);
    if (list === undefined) {
      list = new DelayList(delay);
      this.#lists.set(delay, list);
    }
    const entry = new Entry(this.#nextId++, now + delay, fn, list);
    if (list.tail === undefined) list.head = entry;
    else {
      list.tail.next = entry;
      entry.prev = list.tail;
    }
    list.tail = entry;
    this.#pending++;
    // An armed native timer fires at or before every later deadline of its list; one armed for an
    // earlier timer that was cleared only needs to hold the process open again.
    if (list.native === undefined) {
      if (!list.firing) this.#arm(list, now);
    } else if (!list.holding) {
      list.native.hold(true);
      list.holding = true;
    }
    return entry;
  }

  clearTimer(handle: TimerHandle): boolean {
    if (!(handle instanceof Entry) || handle.list === undefined || !this.#owns(handle.list)) return false;
    const list = handle.list;
    this.#unlink(list, handle);
    if (list.head === undefined && list.native !== undefined && !list.firing) {
      if (this.#source.holdableTimer) this.#releaseAfterTurn(list);
      else {
        list.native.cancel();
        list.native = undefined;
        this.#lists.delete(list.delay);
      }
    }
    return true;
  }

  pendingTimers(): number {
    return this.#pending;
  }

  /**
   * An emptied list's native timer stops holding the process open once this turn is over, unless
   * a timer joined the list meanwhile: a round-trip that sets and clears a timer of one delay,
   * again and again in one turn (calls with a timeout), then toggles no native ref per timer.
   */
  #releaseAfterTurn(list: DelayList): void {
    if (!list.holding || list.releasing) return;
    list.releasing = true;
    const schedule = this.#emptied.length === 0;
    this.#emptied.push(list);
    if (!schedule) return;
    const afterTurn = this.#source.afterTurn;
    if (afterTurn === undefined) this.#release();
    else afterTurn(() => this.#release());
  }

  #release(): void {
    const emptied = this.#emptied;
    this.#emptied = [];
    for (const list of emptied) {
      list.releasing = false;
      if (list.head !== undefined || list.native === undefined || !list.holding) continue;
      list.native.hold(false);
      list.holding = false;
    }
  }

  #owns(list: DelayList): boolean {
    return this.#lists.get(list.delay) === list;
  }

  #unlink(list: DelayList, entry: Entry): void {
    if (entry.prev) entry.prev.next = entry.next;
    else list.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else list.tail = entry.prev;
    entry.prev = entry.next = undefined;
    entry.list = undefined;
    entry.fn = undefined;
    this.#pending--;
  }

  /** Arm the list's native timer for its head's deadline (in steps of at most 2^31 - 1 ms). */
  #arm(list: DelayList, now: number): void {
    const head = list.head!;
    const ms = Math.min(Math.max(head.deadline - now, 0), MAX_NATIVE_DELAY);
    const fire = (): void => this.#fire(list);
    const source = this.#source;
    if (source.holdableTimer) list.native = source.holdableTimer(ms, fire);
    else {
      const cancel = source.timer(ms, fire);
      list.native = { cancel, hold: () => undefined };
    }
    list.holding = true;
  }

  /** The native timer fired: run every due timer of the list in order, then arm for the next. */
  #fire(list: DelayList): void {
    list.native = undefined;
    list.holding = false;
    list.firing = true;
    try {
      for (let head = list.head; head !== undefined && head.deadline <= this.now(); head = list.head) {
        const fn = head.fn!;
        this.#unlink(list, head);
        fn();
      }
    } finally {
      list.firing = false;
      if (list.head !== undefined) this.#arm(list, this.now());
      else this.#lists.delete(list.delay);
    }
  }
}
