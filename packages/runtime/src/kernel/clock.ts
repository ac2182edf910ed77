/**
 * The only way runtime code reads time or schedules work for later. In production it is the
 * RealClock; inside a test it is a VirtualClock that moves only when told (or, in the harness,
 * when the system is durably idle).
 */
export interface TimerHandle {
  readonly id: number;
  /** Virtual or real milliseconds at which the timer fires. */
  readonly deadline: number;
}

export interface Clock {
  readonly kind: 'real' | 'virtual';
  /** Milliseconds since the clock's origin (monotonic). */
  now(): number;
  /** Run `fn` once, `delayMs` from now. Non-positive or non-finite delays mean "as soon as possible". */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Cancel a timer; cancelling a fired or unknown timer is a no-op. Returns whether it was pending. */
  clearTimer(handle: TimerHandle): boolean;
  /** Number of timers that have not fired or been cleared. */
  pendingTimers(): number;
}

export function normaliseDelay(delayMs: number): number {
  return Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
}
