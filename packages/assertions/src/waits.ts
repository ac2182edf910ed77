import { realNow, realTimer, type HistoryEvent, type Runtime } from '@quiesce/runtime';
import { round } from '@quiesce/runtime/internal';
import { awaitQuiescence, DEFAULT_QUIET_PERIOD, DEFAULT_WAIT_TIMEOUT, drive, WaitError, type DriveTarget, type Quiescence, type TestSystem, type WaitFailure } from '@quiesce/harness';

/**
 * The waits behind the asynchronous matchers. With a TestSystem they go through it (its test's
 * signal, its linked-exit interrupt, its teardown guard); a runtime no TestSystem owns gets a
 * minimal drive target of its own.
 */

interface Where {
  readonly runtime: Runtime;
  readonly system: TestSystem | undefined;
}

export type WaitOutcome = { ok: true; event: HistoryEvent } | WaitFailed;

/** A wait that timed out or can never succeed. */
export type WaitFailed = { ok: false; failure: WaitFailure; virtual: number; real: number; message: string };

export function defaultTimeout(where: Where): number {
  return where.system?.defaultTimeout ?? DEFAULT_WAIT_TIMEOUT;
}

function runtimeTarget(runtime: Runtime): DriveTarget {
  return { runtime, onInterrupt: () => () => undefined };
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

/**
 * Wait for `outcome` with no system to drive (a stream fed from outside any runtime): bounded by
 * `timeout` real milliseconds, a timeout, not a sleep.
 */
export async function waitInRealTime<T>(what: string, outcome: Promise<T>, timeout: number): Promise<{ ok: true; value: T } | WaitFailed> {
  const started = realNow();
  let cancel = (): void => undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    cancel = realTimer(timeout, () => resolve('timeout'));
  });
  try {
    const winner = await Promise.race([outcome.then((value) => ({ value })), timedOut]);
    if (winner !== 'timeout') return { ok: true, value: winner.value };
    const real = realNow() - started;
    return { ok: false, failure: 'timeout', virtual: 0, real, message: `waiting for ${what} timed out after ${Math.round(real)} ms real time` };
  } finally {
    cancel();
  }
}

/**
 * Resolve when nothing more will happen (how negatives are decided; docs/architecture.md, rule 3):
 * at durable idleness for a closed system, the clock untouched; after the system's quiet period
 * with no event while OS processes or other external actors are live. Bounded in real time (by
 * `timeout`, never less than the default wait timeout, so a short timeout cannot race the check).
 * Says which rule decided.
 */
export function durableIdle(where: Where, timeout: number): Promise<Quiescence> {
  const quietPeriod = where.system?.quietPeriod ?? DEFAULT_QUIET_PERIOD;
  return awaitQuiescence(where.system ?? runtimeTarget(where.runtime), { quietPeriod, timeout: Math.max(timeout, DEFAULT_WAIT_TIMEOUT, quietPeriod) });
}

/** "timed out after 100 ms virtual / 2 ms real time" or "can never succeed: ...", to follow "the wait". */
export function describeFailure(outcome: Exclude<WaitOutcome, { ok: true }>): string {
  const elapsed = `${round(outcome.virtual)} ms virtual / ${round(outcome.real)} ms real time`;
  return outcome.failure === 'deadlock'
    ? `can never succeed: after ${elapsed} the system is idle, no timer is pending and nothing outside the runtime is running`
    : `timed out after ${elapsed}`;
}
