import { realImmediate } from '../kernel/real-time.js';
import { OutsideWork } from './outside-work.js';
import type { Proc } from './proc.js';

/** What idleness needs to know of the deliveries: whether any is queued or running, and a fault that halted them. */
export interface DeliveryState {
  /** A delivery is queued or the pump is running. */
  pending(): boolean;
  /** The error that halted the runtime, if any. */
  fault(): unknown;
}

/** What keeps a runtime busy at one moment (Runtime.busy): all zero, false and empty when it is quiet and closed. */
export interface RuntimeBusy {
  /** Handlers running that are not blocked on a kernel wait (a reply, a timer, a DOWN). */
  readonly handlersRunning: number;
  /** A delivery is queued or being run. */
  readonly deliveriesPending: boolean;
  /** External operations in flight (`rt.external(promise)`, an OS process starting or stopping). */
  readonly operationsInFlight: number;
  /** Labels of the live external actors (OS processes, worker threads), oldest first. */
  readonly liveActors: readonly string[];
}

/** Shared until the first waiter comes (then replaced, never pushed to). */
const NO_WAITERS: Array<() => void> = [];

/**
 * When a runtime is idle: no delivery pending, no handler working (one blocked on a kernel wait
 * does not count), and for full quiet no external operation in flight. Resolves the waiters of
 * `idle()` and `idleInside()` when that becomes true.
 */
export class Idleness {
  // Made on first use: most runtimes of a test suite have nothing outside.
  #work: OutsideWork | undefined;

  /** What lives outside the runtime and may still act (see OutsideWork). */
  get work(): OutsideWork {
    return (this.#work ??= new OutsideWork(() => this.check()));
  }

  /** Something happened (a delivery, a history event): wake whoever waits for activity. */
  activity(): void {
    this.#work?.activity.notify();
  }

  /** How many activities there have been (none counted before anything outside was ever seen: no step flows until then). */
  activityCount(): number {
    return this.#work?.activity.count ?? 0;
  }

  /** Labels of the live external actors (none, before anything outside was ever seen: nothing is made to say so). */
  actorLabels(): string[] {
    return this.#work?.labels() ?? [];
  }

  /** Whether anything outside can still act (nothing, before anything outside was ever seen). */
  outsideLive(): boolean {
    return this.#work?.live() ?? false;
  }
  readonly #deliveries: DeliveryState;
  /** Handlers running that are not blocked on a kernel event. */
  #active = 0;
  #waiters: Array<() => void> = NO_WAITERS;

  constructor(deliveries: DeliveryState) {
    this.#deliveries = deliveries;
  }

  /** What keeps the runtime from being quiet now (see Runtime.busy). */
  busy(): RuntimeBusy {
    return {
      handlersRunning: this.#active,
      deliveriesPending: this.#deliveries.pending(),
      operationsInFlight: this.#work?.inFlight ?? 0,
      liveActors: this.actorLabels(),
    };
  }

  /** True when nothing is runnable, no handler is working and no external operation is in flight. */
  quiet(): boolean {
    return this.insideQuiet() && (this.#work === undefined || this.#work.inFlight === 0);
  }

  /** Nothing inside the runtime can run now; external operations may be in flight. */
  insideQuiet(): boolean {
    return this.#active === 0 && !this.#deliveries.pending();
  }

  /** Resolves when `quiet()` holds, and still holds after every pending microtask has run (checked across a macrotask turn). */
  durably(quiet: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => this.durableCheck(quiet, resolve, reject)());
  }

  /**
   * `durably` with callbacks, as a check to run many times: each call of the function returned
   * waits until `quiet()` holds durably, then `done` runs in the macrotask that found it still
   * holding; `fail` gets the fault that halted the runtime. The time flow's loop steps through one
   * (no promise, async frame or closure per step: an hour of a busy tree is thousands of steps).
   * The macrotask is the native setImmediate captured at load, so a test's fake timers cannot
   * stall the check.
   */
  durableCheck(quiet: () => boolean, done: () => void, fail: (fault: unknown) => void): () => void {
    const deliveries = this.#deliveries;
    const confirm = (): void => (quiet() ? done() : attempt());
    const afterWake = (): void => {
      const fault = deliveries.fault();
      if (fault !== undefined) fail(fault);
      else realImmediate(confirm);
    };
    const attempt = (): void => {
      if (deliveries.fault() !== undefined) fail(deliveries.fault());
      else if (quiet()) afterWake();
      else this.#wakeMe(afterWake);
    };
    return attempt;
  }

  /** Wake the waiters if the inside is quiet (or a fault halted the runtime); they re-check their own condition. */
  check(): void {
    if (this.#waiters.length === 0 || (!this.insideQuiet() && this.#deliveries.fault() === undefined)) return;
    const waiters = this.#waiters;
    this.#waiters = NO_WAITERS;
    for (const w of waiters) w();
  }

  #wakeMe(waiter: () => void): void {
    if (this.#waiters === NO_WAITERS) this.#waiters = [];
    this.#waiters.push(waiter);
  }

  /**
   * A process counts as active while a handler of it runs and no kernel wait of that run is
   * pending. Every change to those three fields goes through here so the count stays their sum.
   */
  account(proc: Proc, change: () => void): void {
    const before = proc.running && proc.waits === 0;
    change();
    this.accounted(proc, before);
  }

  /** The second half of `account`, for the hot paths that change the fields inline (no closure). */
  accounted(proc: Proc, activeBefore: boolean): void {
    const after = proc.running && proc.waits === 0;
    if (activeBefore === after) return;
    this.#active += after ? 1 : -1;
    if (!after) this.check();
  }

  /** A handler run of `proc` starts: it counts as running from its first instruction, with no wait yet. */
  startRunning(proc: Proc): void {
    const before = proc.running && proc.waits === 0;
    proc.running = true;
    proc.run++;
    proc.waits = 0;
    this.accounted(proc, before);
  }

  /** A handler run of `proc` ends (or its process died): it no longer counts as running. */
  stopRunning(proc: Proc): void {
    const before = proc.running && proc.waits === 0;
    proc.running = false;
    this.accounted(proc, before);
  }

  /**
   * A kernel wait of `proc` begins: returns the function that ends it. Only waits started while a
   * handler runs count, and only against that run (a wait it left pending, e.g. the loser of a
   * Promise.race, is forgotten when the run ends).
   */
  beginWait(proc: Proc): () => void {
    if (!proc.running) return () => undefined;
    const run = proc.run;
    this.account(proc, () => proc.waits++);
    let ended = false;
    return () => {
      if (ended || proc.run !== run || !proc.running) return;
      ended = true;
      this.account(proc, () => proc.waits--);
    };
  }

  /** Code outside any process's accounting waits on a kernel event: not active until `promise` settles. */
  async block<T>(promise: Promise<T>): Promise<T> {
    this.#active--;
    this.check();
    try {
      return await promise;
    } finally {
      this.#active++;
    }
  }
}
