import { InvalidOptionError, QuiesceError, VirtualClock, type Runtime } from '@quiesce/runtime';
import { checkKnownKeys, checkMilliseconds, checkObject, realImmediate, realNow, realTimer } from '@quiesce/runtime/internal';
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
 * called only when there is something to check. A timeout left out stays out: the wait's target
 * supplies its own default (a TestSystem's is below the test's timeout).
 */
export function validateWaitOptions(options: WaitOptions, where: WaitSubject, extraKeys: readonly string[] = []): WaitOptions {
  // Most waits pass no options: nothing to check, and no message to build.
  if (isEmptyObject(options)) return options;
  const at = typeof where === 'string' ? where : where();
  checkObject(`${at} options`, options);
  checkKnownKeys(`${at} options`, options, [...WAIT_KEYS, ...extraKeys]);
  if (options.timeout !== undefined) checkMilliseconds(`${at}.timeout`, options.timeout);
  if (options.realTimeout !== undefined) checkMilliseconds(`${at}.realTimeout`, options.realTimeout);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidOptionError(`${at}.signal`, options.signal, 'an AbortSignal');
  }
  return options;
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
export function drive<T>(
  target: DriveTarget,
  subject: WaitSubject,
  outcome: Promise<T>,
  options: WaitOptions = {},
  /** Called when the wait fails (it will never take its outcome): the caller lets go of what it set up. */
  failed?: () => void,
): Promise<T> {
  let wait: Wait;
  try {
    wait = new Wait(target, subject, options, failed);
  } catch (error) {
    // Bad options reject, as every wait's failures do; nothing was armed, and the outcome, never
    // awaited now, may not reject unhandled.
    outcome.then(undefined, noop);
    failed?.();
    return Promise.reject(error);
  }
  // Most waits are answered by what is already under way, before the runtime is ever idle: the
  // outcome gets the rest of this macrotask before the wait arms its real-time bound and abort
  // listeners and starts stepping. Time cannot move meanwhile (only a step moves it).
  if (wait.signal?.aborted) return wait.steps(outcome);
  return new Promise<T>((resolve, reject) => new Answering(wait, outcome, resolve, reject));
}

/**
 * A wait in its first macrotask: answered by its outcome, ended by an interruption, or handed on
 * to step the clock when the macrotask ends. One object, so a wait answered at once costs little.
 */
class Answering<T> {
  #open = true;
  readonly #wait: Wait;
  readonly #outcome: Promise<T>;
  readonly #resolve: (value: T | Promise<T>) => void;
  readonly #releaseInterrupt: () => void;
  /** The macrotask's set it waits in (left when answered). */
  readonly #turn: Set<{ step(): void }>;

  constructor(wait: Wait, outcome: Promise<T>, resolve: (value: T | Promise<T>) => void, reject: (error: unknown) => void) {
    this.#wait = wait;
    this.#outcome = outcome;
    this.#resolve = resolve;
    // Subscribed before the interruption: an outcome already in wins over an interruption already
    // made (e.g. a final status read after teardown), as its reaction runs first.
    outcome.then(
      (value) => {
        if (this.#close()) resolve(value);
      },
      (error: unknown) => {
        if (this.#close()) {
          wait.failed();
          reject(error);
        }
      },
    );
    // The interruption is heard from the start: a teardown right after the wait began ends it at
    // once. The test's signal is listened to only from the stepping on: an abort that comes
    // meanwhile (from Vitest's timer, or the test itself) is read from the signal when it starts.
    this.#releaseInterrupt = wait.target.onInterrupt((error) => {
      if (this.#close()) {
        wait.failed();
        reject(wait.interrupted(error));
      }
    }, false);
    this.#turn = thisMacrotask ??= startMacrotask();
    this.#turn.add(this);
  }

  /** The macrotask ended with the wait unanswered: it drives the clock from here. */
  step(): void {
    if (this.#close()) this.#resolve(this.#wait.steps(this.#outcome));
  }

  #close(): boolean {
    if (!this.#open) return false;
    this.#open = false;
    this.#releaseInterrupt();
    this.#turn.delete(this);
    return true;
  }
}

/** One wait: what it waits for, its bounds, and when it began. */
class Wait {
  /** What it waits on. */
  readonly target: DriveTarget;
  readonly #subject: WaitSubject;
  #what: string | undefined;
  readonly timeout: number;
  readonly realTimeout: number;
  readonly signal: AbortSignal | undefined;
  readonly #startVirtual: number;
  readonly #startReal: number;
  /** Told when the wait ends without its outcome. */
  readonly #failed: (() => void) | undefined;

  constructor(target: DriveTarget, subject: WaitSubject, options: WaitOptions, failed: (() => void) | undefined) {
    this.target = target;
    this.#failed = failed;
    this.#subject = subject;
    // The subject itself names the wait (a function only if the words are needed): no closure per wait.
    validateWaitOptions(options, subject);
    // The target's default (a TestSystem's: below the test's own timeout) unless the wait names one.
    this.timeout = options.timeout ?? target.defaultTimeout ?? DEFAULT_WAIT_TIMEOUT;
    this.realTimeout = options.realTimeout ?? this.timeout;
    this.signal = options.signal;
    this.#startVirtual = target.runtime.now();
    this.#startReal = realNow();
  }

  /** What the wait waits for, in words (built on first use: most waits never need them). */
  words(): string {
    return (this.#what ??= typeof this.#subject === 'string' ? this.#subject : this.#subject());
  }

  fail(failure: WaitFailure, cause?: unknown): WaitError {
    const rt = this.target.runtime;
    return new WaitError(this.words(), failure, { virtual: rt.now() - this.#startVirtual, real: realNow() - this.#startReal }, rt.history, cause);
  }

  /** The wait ended without its outcome: tell the caller (once). */
  failed(): void {
    this.#failed?.();
  }

  /** The error a wait ends with when the test is interrupted (aborted, torn down, a linked crash). */
  interrupted(error: unknown): WaitError {
    return this.fail(error instanceof WaitError ? error.failure : isTeardown(error) ? 'aborted' : 'linked-exit', error);
  }

  /** Drive the clock until the outcome is in, the bounds run out, or nothing more can happen. */
  async steps<T>(outcome: Promise<T>): Promise<T> {
    const target = this.target;
    const rt = target.runtime;
    const { signal } = this;
    const clock = rt.clock instanceof VirtualClock ? rt.clock : undefined;
    const deadline = this.#startVirtual + this.timeout;

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

    let releaseInterrupt = noop;
    const interrupted = new Promise<never>((_resolve, reject) => {
      releaseInterrupt = target.onInterrupt((error) => {
        // An outcome that is already in (e.g. a final status read after teardown) wins over the interruption.
        if (settled) return;
        reject(this.interrupted(error));
      });
    });
    // It may reject after the wait has ended; the rejection is handled here, not lost.
    interrupted.catch(noop);
    let cancelReal = noop;
    let onAbort = noop;
    // A step still in progress when the wait ends must not move the clock behind the test's back.
    const stopStep = new AbortController();
    drivers.set(rt, (drivers.get(rt) ?? 0) + 1);
    try {
      // One real-time bound for the whole wait, counted from its start: a timeout, not a sleep.
      const realDeadline = new Promise<'real-timeout'>((resolve) => {
        cancelReal = realTimer(Math.max(0, this.realTimeout - (realNow() - this.#startReal)), () => resolve('real-timeout'));
      });
      // The listener is removed when the wait ends: a test's signal outlives many waits.
      const aborted = new Promise<'aborted'>((resolve) => {
        onAbort = () => resolve('aborted');
        if (signal?.aborted) resolve('aborted');
        signal?.addEventListener('abort', onAbort, { once: true });
      });

      for (;;) {
        const done = arrived.then(() => 'done' as const);
        const step = await Promise.race([done, rt.step(deadline, stopStep.signal), realDeadline, aborted, interrupted]);
        if (settled || step === 'done') return result();
        if (step === 'real-timeout') throw this.fail('timeout');
        if (step === 'aborted') throw this.fail('aborted', signal?.reason);
        if (step === 'fired' || step === 'flowed') continue;
        if (step === 'beyond') {
          // Nothing can happen before the deadline: time runs out first.
          clock?.setNow(deadline);
          throw this.fail('timeout');
        }
        throw this.fail('deadlock');
      }
    } catch (error) {
      this.failed();
      throw error;
    } finally {
      const left = drivers.get(rt)! - 1;
      if (left === 0) drivers.delete(rt);
      else drivers.set(rt, left);
      stopStep.abort();
      cancelReal();
      signal?.removeEventListener('abort', onAbort);
      releaseInterrupt();
    }
  }
}

const noop = (): void => undefined;

/**
 * Waits begun in this macrotask and not yet answered; one native immediate steps them all at its
 * end. An answered wait leaves the set at once: Vitest can run a whole file of short tests without
 * yielding to the event loop, and nothing of their finished waits may stay meanwhile.
 */
let thisMacrotask: Set<{ step(): void }> | undefined;

function startMacrotask(): Set<{ step(): void }> {
  const waits = new Set<{ step(): void }>();
  realImmediate(() => {
    if (thisMacrotask === waits) thisMacrotask = undefined;
    for (const wait of waits) wait.step();
  });
  return waits;
}

/** How many waits begun in this macrotask are still unanswered (for tests of the above). @internal */
export function waitsAwaitingTurn(): number {
  return thisMacrotask?.size ?? 0;
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
