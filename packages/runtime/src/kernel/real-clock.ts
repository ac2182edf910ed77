import { normaliseDelay, type Clock, type TimerHandle } from './clock.js';
import { realNow, realTimer } from './real-time.js';

/** The longest delay setTimeout honours (a signed 32-bit number of ms, about 24.8 days). */
const MAX_NATIVE_DELAY = 2_147_483_647;

interface RealTimer extends TimerHandle {
  cancel: () => void;
}

/** Where a RealClock takes time from: by default the native timers captured at load. */
export interface RealTimeSource {
  now(): number;
  /** Run `fn` after `ms` (at most 2^31 - 1); returns the cancel function. */
  timer(ms: number, fn: () => void): () => void;
}

const NATIVE: RealTimeSource = { now: realNow, timer: realTimer };

/** Real time through the native timers captured at load (see real-time.ts). */
export class RealClock implements Clock {
  readonly kind = 'real' as const;
  readonly #source: RealTimeSource;
  readonly #origin: number;
  readonly #timers = new Map<number, RealTimer>();
  #nextId = 1;

  /** @param source for tests of the clock itself; default the native timers. */
  constructor(source: RealTimeSource = NATIVE) {
    this.#source = source;
    this.#origin = source.now();
  }

  now(): number {
    return this.#source.now() - this.#origin;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.#nextId++;
    const delay = normaliseDelay(delayMs);
    // setTimeout runs a delay above 2^31 - 1 ms after 1 ms: longer delays are armed in steps.
    const arm = (remaining: number): (() => void) =>
      remaining > MAX_NATIVE_DELAY
        ? this.#source.timer(MAX_NATIVE_DELAY, () => (timer.cancel = arm(remaining - MAX_NATIVE_DELAY)))
        : this.#source.timer(remaining, () => {
            this.#timers.delete(id);
            fn();
          });
    const timer: RealTimer = { id, deadline: this.now() + delay, cancel: () => undefined };
    timer.cancel = arm(delay);
    this.#timers.set(id, timer);
    return { id, deadline: timer.deadline };
  }

  clearTimer(handle: TimerHandle): boolean {
    const timer = this.#timers.get(handle.id);
    if (!timer) return false;
    timer.cancel();
    this.#timers.delete(handle.id);
    return true;
  }

  pendingTimers(): number {
    return this.#timers.size;
  }
}
