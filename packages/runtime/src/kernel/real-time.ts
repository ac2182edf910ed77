/**
 * Real time, for the bounds and probe intervals that talk to the outside world. The native
 * timers are captured when this module loads, so a test that installs Vitest's fake timers
 * afterwards cannot freeze a real-time bound (a wait's timeout, a kill escalation).
 */
const nativeSetTimeout = globalThis.setTimeout;
const nativeClearTimeout = globalThis.clearTimeout;
const nativeNow = performance.now.bind(performance);
const nativeSetImmediate = globalThis.setImmediate;

/** Real milliseconds since an arbitrary origin (monotonic). */
export function realNow(): number {
  return nativeNow();
}

/** Run `fn` after `ms` real milliseconds unless cancelled; returns the cancel function. */
export function realTimer(ms: number, fn: () => void): () => void {
  const handle = nativeSetTimeout(fn, Math.min(Math.max(ms, 0), 2_147_483_647));
  return () => nativeClearTimeout(handle);
}

/** Run `fn` once the current macrotask and its microtasks are done (the native setImmediate). */
export function realImmediate(fn: () => void): void {
  nativeSetImmediate(fn);
}

/** A native timer that can stop holding the process open while it stays armed. */
export interface HoldableTimer {
  cancel(): void;
  /** Hold the process open while armed (true, the default) or not (false): Node's ref()/unref(). */
  hold(holding: boolean): void;
}

/** Like realTimer, but the timer can stay armed without holding the process open. */
export function realHoldableTimer(ms: number, fn: () => void): HoldableTimer {
  const handle = nativeSetTimeout(fn, Math.min(Math.max(ms, 0), 2_147_483_647));
  return {
    cancel: () => nativeClearTimeout(handle),
    hold: (holding) => void (holding ? handle.ref() : handle.unref()),
  };
}

/**
 * Resolve with 'elapsed' after `ms` real milliseconds, or with 'stopped' as soon as `stop`
 * aborts. A probe interval or a bound, never a sleep standing in for an event.
 */
export function realDelay(ms: number, stop?: AbortSignal): Promise<'elapsed' | 'stopped'> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve('stopped');
    const onStop = (): void => {
      cancel();
      resolve('stopped');
    };
    const cancel = realTimer(ms, () => {
      stop?.removeEventListener('abort', onStop);
      resolve('elapsed');
    });
    stop?.addEventListener('abort', onStop, { once: true });
  });
}

/** Resolve with `promise`'s outcome, or with `undefined` after `ms` real milliseconds. */
export async function withinReal<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let cancel = (): void => undefined;
  const bound = new Promise<undefined>((resolve) => (cancel = realTimer(ms, () => resolve(undefined))));
  try {
    return await Promise.race([promise, bound]);
  } finally {
    cancel();
  }
}
