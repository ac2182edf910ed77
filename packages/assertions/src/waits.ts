import { RealClock, type HistoryEvent, type Runtime } from '@quiesce/runtime';
import { round } from '@quiesce/runtime/internal';
import { DEFAULT_WAIT_TIMEOUT, drive, WaitError, type DriveTarget, type TestSystem, type WaitFailure } from '@quiesce/harness';

/**
 * The waits behind the asynchronous matchers. With a TestSystem they go through it (its test's
 * signal, its linked-exit interrupt, its teardown guard); a runtime no TestSystem owns gets a
 * minimal drive target of its own.
 */

interface Where {
  readonly runtime: Runtime;
  readonly system: TestSystem | undefined;
}

export type WaitOutcome = { ok: true; event: HistoryEvent } | { ok: false; failure: WaitFailure; virtual: number; real: number; message: string };

export function defaultTimeout(where: Where): number {
  return where.system?.defaultTimeout ?? DEFAULT_WAIT_TIMEOUT;
}

function runtimeTarget(runtime: Runtime): DriveTarget {
  return {
    runtime,
    hasExternalSources: () => false,
    onInterrupt: () => () => undefined,
    nextEvent: () =>
      new Promise((resolve) => {
        const off = runtime.history.subscribe((event) => {
          off();
          resolve(event);
        });
      }),
  };
}

/**
 * Wait for the first event (after now) that `predicate` accepts, driving virtual time; a
 * WaitError (timeout, deadlock) comes back as an outcome, anything else (abort, a linked crash,
 * activity after teardown) is thrown.
 */
export async function waitForEvent(where: Where, what: string, predicate: (event: HistoryEvent) => boolean, timeout: number): Promise<WaitOutcome> {
  try {
    if (where.system) return { ok: true, event: await where.system.until(predicate, { timeout }) };
    const { runtime } = where;
    let off = (): void => undefined;
    const found = new Promise<HistoryEvent>((resolve) => {
      off = runtime.history.subscribe((event) => {
        if (predicate(event)) resolve(event);
      });
    });
    return { ok: true, event: await drive(runtimeTarget(runtime), what, found, { timeout }).finally(() => off()) };
  } catch (error) {
    if (error instanceof WaitError && (error.failure === 'timeout' || error.failure === 'deadlock')) {
      return { ok: false, failure: error.failure, virtual: error.virtualElapsed, real: error.realElapsed, message: error.message };
    }
    throw error;
  }
}

/** Wait for any thing `outcome` promises, driving virtual time, with the same error split. */
export async function waitFor<T>(where: Where, what: string, outcome: Promise<T>, timeout: number): Promise<{ ok: true; value: T } | Exclude<WaitOutcome, { ok: true }>> {
  try {
    const target: DriveTarget = where.system ?? runtimeTarget(where.runtime);
    return { ok: true, value: await drive(target, what, outcome, { timeout }) };
  } catch (error) {
    if (error instanceof WaitError && (error.failure === 'timeout' || error.failure === 'deadlock')) {
      return { ok: false, failure: error.failure, virtual: error.virtualElapsed, real: error.realElapsed, message: error.message };
    }
    throw error;
  }
}

const realClock = new RealClock();

/**
 * Resolve at durable idle without moving the clock (DESIGN.md rule 3): how negatives are decided.
 * Bounded in real time (by `timeout`, never less than the default wait timeout, so a short
 * timeout cannot race the idle check) so a system that never goes quiet fails instead of hanging.
 */
export async function durableIdle(where: Where, timeout: number): Promise<void> {
  const limit = Math.max(timeout, DEFAULT_WAIT_TIMEOUT);
  let timer: ReturnType<RealClock['setTimer']> | undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    timer = realClock.setTimer(limit, () => reject(new WaitError('the system to be idle', 'timeout', { virtual: 0, real: limit }, where.runtime.history)));
  });
  let release = (): void => undefined;
  const interrupted = new Promise<never>((_resolve, reject) => {
    if (where.system) release = where.system.onInterrupt(reject);
  });
  try {
    await Promise.race([where.runtime.idle(), bound, interrupted]);
  } finally {
    if (timer) realClock.clearTimer(timer);
    release();
  }
}

/** "timed out after 100 ms virtual / 2 ms real time" or "can never succeed: ...", to follow "the wait". */
export function describeFailure(outcome: Exclude<WaitOutcome, { ok: true }>): string {
  const elapsed = `${round(outcome.virtual)} ms virtual / ${round(outcome.real)} ms real time`;
  return outcome.failure === 'deadlock'
    ? `can never succeed: after ${elapsed} the system is idle, no timer is pending and nothing outside the runtime is running`
    : `timed out after ${elapsed}`;
}
