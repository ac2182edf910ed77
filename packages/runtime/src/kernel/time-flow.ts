import type { Clock } from './clock.js';
import { realDelay, realNow } from './real-time.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * What one step of driving time did:
 * - `fired`: a timer due by the limit fired (the clock jumped to it, or real time reached it);
 * - `flowed`: something outside the runtime is live, so time flowed with real time until the
 *   next activity; nothing was due;
 * - `beyond`: nothing can happen before the limit (the next timer lies past it, or real time
 *   reached it while waiting on the outside world);
 * - `never`: nothing inside is pending, no timer is set and nothing outside is live: whatever is
 *   awaited cannot happen.
 */
export type StepResult = 'fired' | 'flowed' | 'beyond' | 'never';

/** What the time flow needs from a runtime. */
export interface TimeHost {
  readonly clock: Clock;
  /** Resolves when nothing inside the runtime can run (durably), whatever is live outside. */
  idleInside(): Promise<void>;
  /**
   * `idleInside` with callbacks, for a loop: each call of the function returned waits until
   * nothing inside can run (durably), then calls `done`; `fail` gets a fault that halted the runtime.
   */
  idleInsideCheck(done: () => void, fail: (fault: unknown) => void): () => void;
  /** Whether anything outside the runtime (an OS child, a thread, a socket, a start in flight) can still act. */
  externalLive(): boolean;
  /** Resolves at the next activity: a delivery, a history event, an external operation ending. */
  nextActivity(): Promise<void>;
  /** How many activities there have been: a step that saw one while it waited for idleness does not wait for another. */
  activityCount(): number;
}

/**
 * The rule for time in a system with live external actors (docs/architecture.md, "Time"):
 *
 * 1. While nothing outside the runtime is live, the system is closed: at durable idleness a
 *    virtual clock jumps to the next timer. Closed runs are deterministic.
 * 2. While something outside is live and the inside is idle, virtual time flows at the pace of
 *    real time: the clock follows real time from the moment the flow began, and a timer fires
 *    when real time reaches its deadline, so a timer that guards external work (a shutdown or
 *    readiness timeout) fires after its real duration.
 * 3. "Never" is said only when nothing inside is pending, no timer is set and nothing outside is
 *    live.
 *
 * This is Go's `testing/synctest` rule (time advances only when every goroutine of the bubble is
 * durably blocked) with one difference: synctest treats a goroutine blocked on I/O outside the
 * bubble as not durably blocked, so its clock stops; ours lets the clock run at real speed
 * instead, because the things a process system waits on outside (children exiting after a
 * SIGTERM, a program that never prints its ready line) are exactly what its timers guard.
 */
export class TimeFlow {
  readonly #host: TimeHost;
  /** Where the current flow began, in real and virtual time; unset while the system is closed. */
  #anchor: { real: number; virtual: number } | undefined;

  constructor(host: TimeHost) {
    this.#host = host;
  }

  /**
   * One step towards `limit` (in clock milliseconds); see StepResult. `stop` abandons a wait in
   * progress. With `jump: false` a closed system's clock is left alone ('beyond' or 'never').
   */
  async step(limit = Number.POSITIVE_INFINITY, stop?: AbortSignal, jump = true): Promise<StepResult> {
    // What happens while the inside settles (an external operation ending, say) is this step's
    // activity: the caller decided to step on the state before it, and must get to look again.
    const seen = this.#host.activityCount();
    await this.#host.idleInside();
    // A caller that gave up meanwhile (its outcome arrived) must not see time move.
    if (stop?.aborted) return 'flowed';
    return this.#stepFromIdle(limit, stop, jump, seen);
  }

  /**
   * Steps towards `limit` until one finds nothing more to do by then ('beyond' or 'never');
   * resolves with the number of timers fired. Each step of a closed virtual system is a
   * durable-idleness check and a jump, driven by callbacks: one promise for the whole run, not
   * one per step (an hour of a busy tree is thousands of steps).
   */
  run(limit: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const host = this.#host;
      const clock = host.clock;
      let fired = 0;
      const after = (result: StepResult): void => {
        if (result === 'fired') fired++;
        if (result === 'beyond' || result === 'never') resolve(fired);
        else next();
      };
      const fromIdle = (): void => {
        if (clock instanceof VirtualClock && !host.externalLive()) {
          this.#anchor = undefined;
          after(this.#jump(clock, limit, true));
        } else {
          this.#stepFromIdle(limit, undefined, true).then(after, reject);
        }
      };
      // Made once for the run, so a step makes no closure of its own.
      const next = host.idleInsideCheck(fromIdle, reject);
      next();
    });
  }

  /** A closed system's step: jump to the next timer due by `limit`, if allowed. */
  #jump(clock: VirtualClock, limit: number, jump: boolean): StepResult {
    if (jump && clock.fireNext(limit)) return 'fired';
    return clock.nextDeadline() === undefined ? 'never' : 'beyond';
  }

  /**
   * The rest of a step once the inside is durably idle. `seen`: the activity count when the step
   * began; if there has been activity since, time flows to now and the step ends at once.
   */
  async #stepFromIdle(limit: number, stop: AbortSignal | undefined, jump: boolean, seen?: number): Promise<StepResult> {
    const host = this.#host;
    const clock = host.clock;
    const missed = seen !== undefined && host.activityCount() !== seen;
    if (!(clock instanceof VirtualClock)) return missed ? 'flowed' : this.#realStep(stop);
    if (!host.externalLive()) {
      this.#anchor = undefined;
      return this.#jump(clock, limit, jump);
    }
    const anchor = (this.#anchor ??= { real: realNow(), virtual: clock.now() });
    const flowNow = (): number => Math.min(Math.max(clock.now(), anchor.virtual + (realNow() - anchor.real)), limit);
    let now = flowNow();
    const next = clock.nextDeadline();
    if ((next === undefined || next > now) && now < limit && !missed) {
      const until = Math.min(next ?? Number.POSITIVE_INFINITY, limit);
      await untilFirst(host.nextActivity(), until - now, stop);
      if (stop?.aborted) return 'flowed';
      now = flowNow();
    }
    if (clock.fireNext(now)) return 'fired';
    clock.setNow(now);
    return now >= limit ? 'beyond' : 'flowed';
  }

  /**
   * On a real clock time flows by itself: wait for the next activity. Never 'never': code on a
   * real clock may use timers the kernel does not see, so only the caller's bound ends the wait.
   */
  async #realStep(stop: AbortSignal | undefined): Promise<StepResult> {
    await untilFirst(this.#host.nextActivity(), Number.POSITIVE_INFINITY, stop);
    return 'flowed';
  }
}

/** Wait for `activity`, at most `ms` real milliseconds, or until `stop` aborts; leaves no timer or listener behind. */
async function untilFirst(activity: Promise<void>, ms: number, stop: AbortSignal | undefined): Promise<void> {
  if (stop?.aborted) return;
  const over = new AbortController();
  const waits: Promise<unknown>[] = [activity];
  if (Number.isFinite(ms)) waits.push(realDelay(ms, over.signal));
  let onStop = (): void => undefined;
  if (stop) waits.push(new Promise<void>((resolve) => stop.addEventListener('abort', (onStop = () => resolve()), { once: true })));
  try {
    await Promise.race(waits);
  } finally {
    over.abort();
    stop?.removeEventListener('abort', onStop);
  }
}

/** A promise for "the next time something happens", shared by everyone waiting for it. */
export class Activity {
  #next: Promise<void> | undefined;
  #resolve: (() => void) | undefined;
  #count = 0;

  /** How many times something happened. */
  get count(): number {
    return this.#count;
  }

  /** Something happened: wake every waiter. Cheap when nobody waits. */
  notify(): void {
    this.#count++;
    const resolve = this.#resolve;
    if (!resolve) return;
    this.#next = undefined;
    this.#resolve = undefined;
    resolve();
  }

  next(): Promise<void> {
    return (this.#next ??= new Promise<void>((resolve) => (this.#resolve = resolve)));
  }
}
