import { normaliseDelay, type Clock, type TimerHandle } from './clock.js';

/** The longest delay setTimeout honours (a signed 32-bit number of ms, about 24.8 days). */
const MAX_NATIVE_DELAY = 2_147_483_647;

interface RealTimer extends TimerHandle {
  native: ReturnType<typeof setTimeout>;
}

/** Wall time via performance.now() and native timers; the one place the runtime touches them. */
export class RealClock implements Clock {
  readonly kind = 'real' as const;
  readonly #origin = performance.now();
  readonly #timers = new Map<number, RealTimer>();
  #nextId = 1;

  now(): number {
    return performance.now() - this.#origin;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.#nextId++;
    const delay = normaliseDelay(delayMs);
    // setTimeout runs a delay above 2^31 - 1 ms after 1 ms: longer delays are armed in steps.
    const arm = (remaining: number): ReturnType<typeof setTimeout> =>
      remaining > MAX_NATIVE_DELAY
        ? setTimeout(() => (timer.native = arm(remaining - MAX_NATIVE_DELAY)), MAX_NATIVE_DELAY)
        : setTimeout(() => {
            this.#timers.delete(id);
            fn();
          }, remaining);
    const timer: RealTimer = { id, deadline: this.now() + delay, native: undefined as unknown as ReturnType<typeof setTimeout> };
    timer.native = arm(delay);
    this.#timers.set(id, timer);
    return { id, deadline: timer.deadline };
  }

  clearTimer(handle: TimerHandle): boolean {
    const timer = this.#timers.get(handle.id);
    if (!timer) return false;
    clearTimeout(timer.native);
    this.#timers.delete(handle.id);
    return true;
  }

  pendingTimers(): number {
    return this.#timers.size;
  }
}
