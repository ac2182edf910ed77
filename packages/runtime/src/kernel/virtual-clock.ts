import { normaliseDelay, type Clock, type TimerHandle } from './clock.js';

interface VirtualTimer extends TimerHandle {
  fn: () => void;
}

/**
 * Time that moves only when told. Timers are ordered by deadline, then by creation, so two
 * timers due at the same instant always fire in the order they were set.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  #now = 0;
  #nextId = 1;
  // A binary heap keyed by (deadline, id): ids grow with creation, so ties break by creation.
  readonly #heap: VirtualTimer[] = [];
  /** Ids of the pending timers (made with the first timer: most runtimes of a test suite set none). */
  #live: Set<number> | undefined;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: VirtualTimer = { id: this.#nextId++, deadline: this.#now + normaliseDelay(delayMs), fn };
    (this.#live ??= new Set()).add(timer.id);
    this.#push(timer);
    return { id: timer.id, deadline: timer.deadline };
  }

  clearTimer(handle: TimerHandle): boolean {
    // Lazy deletion: the heap entry is skipped when it surfaces.
    return this.#live?.delete(handle.id) ?? false;
  }

  pendingTimers(): number {
    return this.#live?.size ?? 0;
  }

  /** Deadline of the earliest pending timer, or undefined when none is pending. */
  nextDeadline(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.deadline;
  }

  /**
   * Fire the earliest pending timer if it is due at or before `limit`, moving the clock to its
   * deadline first. Returns false when no timer is due by then. Callers that need the system to
   * react between timers (the runtime's `advance`) call this one timer at a time.
   */
  fireNext(limit = Number.POSITIVE_INFINITY): boolean {
    this.#dropCancelled();
    const top = this.#heap[0];
    if (!top || top.deadline > limit) return false;
    this.#pop();
    this.#live?.delete(top.id);
    if (top.deadline > this.#now) this.#now = top.deadline;
    top.fn();
    return true;
  }

  /** Move the clock forward without firing anything (used after the last due timer has fired). */
  setNow(time: number): void {
    if (time > this.#now) this.#now = time;
  }

  /** Fire every timer due within `ms` synchronously, in order, then set the clock to now + ms. */
  advanceSync(ms: number): number {
    const target = this.#now + normaliseDelay(ms);
    let fired = 0;
    while (this.fireNext(target)) fired++;
    this.setNow(target);
    return fired;
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && !this.#live?.has(this.#heap[0]!.id)) this.#pop();
  }

  #less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.id < b.id);
  }

  #push(timer: VirtualTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && this.#less(heap[l]!, heap[best]!)) best = l;
      if (r < heap.length && this.#less(heap[r]!, heap[best]!)) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best]!, heap[i]!];
      i = best;
    }
  }
}
