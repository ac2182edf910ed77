import { normaliseDelay, type Clock, type TimerHandle } from './clock.js';

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
    const native = setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, delay);
    const timer: RealTimer = { id, deadline: this.now() + delay, native };
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
