import { InvalidOptionError, QuiesceError, VirtualClock, type Runtime } from '@quiesce/runtime';
import { checkKnownKeys, checkMilliseconds, checkObject, nextMacrotask, realNow, realTimer } from '@quiesce/runtime/internal';
import type { DriveTarget } from '../core/host.js';
import { WaitError, type WaitFailure } from './wait-error.js';

/** Options every wait accepts. */
export interface WaitOptions {
  /**
   * Milliseconds. Bounds both the virtual time the wait may advance the clock by and the real
   * time it may spend waiting on things outside the runtime (OS processes, sockets). Default 5000.
   */
  timeout?: number;
  /** Abort the wait (the test's `signal` is always honoured as well). */
  signal?: AbortSignal;
  /** A separate bound on real time, when it should differ from `timeout`. Default: `timeout`. */
  realTimeout?: number;
}

export const DEFAULT_WAIT_TIMEOUT = 5000;

export type { DriveTarget } from '../core/host.js';

const WAIT_KEYS = ['timeout', 'signal', 'realTimeout'] as const;

/** What a wait waits for, in words: a string, or a function that says it (called only if the words are needed). */
export type WaitSubject = string | (() => string);

/**
 * Check a wait's options (known keys only: `until(…, { timeoutt })` is an error, not 5 s);
 * `extraKeys` are the caller's own. `where` names the wait in messages; given as a function it is
 * called only when there is something to check.
 */
export function validateWaitOptions(
  options: WaitOptions,
  where: WaitSubject,
  extraKeys: readonly string[] = [],
): Required<Pick<WaitOptions, 'timeout'>> & WaitOptions {
  // Most waits pass no options: nothing to check, and no message to build.
  if (isEmptyObject(options)) return { timeout: DEFAULT_WAIT_TIMEOUT };
  const at = typeof where === 'string' ? where : where();
  checkObject(`${at} options`, options);
  checkKnownKeys(`${at} options`, options, [...WAIT_KEYS, ...extraKeys]);
  const timeout = checkMilliseconds(`${at}.timeout`, options.timeout ?? DEFAULT_WAIT_TIMEOUT);
  if (options.realTimeout !== undefined) checkMilliseconds(`${at}.realTimeout`, options.realTimeout);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidOptionError(`${at}.signal`, options.signal, 'an AbortSignal');
  }
  return { ...options, timeout };
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const _ in value) return false;
  return true;
}

/**
 * Wait for `outcome` while driving the system (docs/architecture.md, "Time"): step by step,
 * whenever nothing inside the runtime can run, a closed system's virtual clock jumps to the next
 * timer and a system with live external actors (OS children, threads, sockets) lets time flow
 * at the pace of real time. When nothing is pending inside and nothing outside is live, the wait
 * fails at once (the awaited thing can never happen). Bounded by `timeout` virtual and
 * `realTimeout` real milliseconds.
 */
export async function drive<T>(target: DriveTarget, subject: WaitSubject, outcome: Promise<T>, options: WaitOptions = {}): Promise<T> {
  let what = typeof subject === 'string' ? subject : undefined;
  const words = (): string => (what ??= (subject as () => string)());
  const { timeout, signal, realTimeout = timeout } = validateWaitOptions(options, words);
  const rt = target.runtime;
  let driving = false;
  const clock = rt.clock instanceof VirtualClock ? rt.clock : undefined;
  const startVirtual = rt.now();
  const startReal = realNow();
  const deadline = startVirtual + timeout;

  // The outcome, once in: `arrived` settles (never rejects) when it does; `result` gives it back.
  let settled = false;
  let failed = false;
  let value: T | undefined;
  let reason: unknown;
  const arrived = outcome.then(
    (v) => {
      settled = true;
      value = v;
    },
    (error: unknown) => {
      settled = true;
      failed = true;
      reason = error;
    },
  );
  const result = (): T => {
    if (failed) throw reason;
    return value as T;
  };

  const fail = (failure: WaitFailure, cause?: unknown): WaitError =>
    new WaitError(words(), failure, { virtual: rt.now() - startVirtual, real: realNow() - startReal }, rt.history, cause);

  // The interruption is heard from the start (a teardown right after the wait began ends it at
  // once, as it always has); the rest is armed only if the outcome is not in by the end of this
  // macrotask (below).
  let releaseInterrupt = noop;
  const interrupted = new Promise<never>((_resolve, reject) => {
    releaseInterrupt = target.onInterrupt((error) => {
      // An outcome that is already in (e.g. a final status read after teardown) wins over the interruption.
      if (settled) return;
      reject(fail(error instanceof WaitError ? error.failure : isTeardown(error) ? 'aborted' : 'linked-exit', error));
    });
  });
  let cancelReal = noop;
  let onAbort = noop;
  // A step still in progress when the wait ends must not move the clock behind the test's back.
  let stopStep: AbortController | undefined;

  // It may reject after the wait has ended; the rejection is handled here, not lost.
  interrupted.catch(noop);

  try {
    // Most waits are answered by what is already under way, before the runtime is ever idle:
    // the outcome gets the rest of this macrotask before the wait arms its real-time bound and
    // abort listener and starts stepping. Time cannot move meanwhile (only a step moves it).
    if (!signal?.aborted) {
      // An interruption rejects this race at once, as it rejected the stepping race before (it
      // must: a wait ended by teardown lets go of what it listens to before teardown goes on).
      await Promise.race([arrived, interrupted, macrotaskTurn()]);
      if (settled) return result();
    }
    // From here on the wait drives the clock (isDriven); the turn above only gave the outcome its chance.
    drivers.set(rt, (drivers.get(rt) ?? 0) + 1);
    driving = true;

    // One real-time bound for the whole wait, counted from its start: a timeout, not a sleep.
    const realDeadline = new Promise<'real-timeout'>((resolve) => {
      cancelReal = realTimer(Math.max(0, realTimeout - (realNow() - startReal)), () => resolve('real-timeout'));
    });
    // The listener is removed when the wait ends: a test's signal outlives many waits.
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      if (signal?.aborted) resolve('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    stopStep = new AbortController();

    for (;;) {
      const done = arrived.then(() => 'done' as const);
      const step = await Promise.race([done, rt.step(deadline, stopStep.signal), realDeadline, aborted, interrupted]);
      if (settled || step === 'done') return result();
      if (step === 'real-timeout') throw fail('timeout');
      if (step === 'aborted') throw fail('aborted', signal?.reason);
      if (step === 'fired' || step === 'flowed') continue;
      if (step === 'beyond') {
        // Nothing can happen before the deadline: time runs out first.
        clock?.setNow(deadline);
        throw fail('timeout');
      }
      throw fail('deadlock');
    }
  } finally {
    if (driving) {
      const left = drivers.get(rt)! - 1;
      if (left === 0) drivers.delete(rt);
      else drivers.set(rt, left);
    }
    stopStep?.abort();
    cancelReal();
    signal?.removeEventListener('abort', onAbort);
    releaseInterrupt();
  }
}

const noop = (): void => undefined;

let turn: Promise<void> | undefined;
/**
 * Resolves at the next macrotask; waits begun in one macrotask share it (one immediate for all
 * of them, not one each).
 */
function macrotaskTurn(): Promise<void> {
  return (turn ??= nextMacrotask().then(() => {
    turn = undefined;
  }));
}

/**
 * How many waits are driving each runtime's clock right now; a runtime is in the map only while
 * one does. Not a WeakMap: V8 clears weak entries only in a full collection, so a runtime keyed
 * weakly outlives the young generation and is promoted with its whole system.
 */
const drivers = new Map<Runtime, number>();

/** Whether some wait is driving `runtime`'s clock now (a stalled test with none was awaiting something else). */
export function isDriven(runtime: Runtime): boolean {
  return (drivers.get(runtime) ?? 0) > 0;
}

/** The test was aborted, or its system torn down, while the wait was pending: the wait is aborted. */
function isTeardown(error: unknown): boolean {
  return error instanceof QuiesceError && (error.code === 'AFTER_TEARDOWN' || error.details.aborted === true);
}
