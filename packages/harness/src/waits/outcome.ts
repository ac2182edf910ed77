import { QuiesceError, type HistoryEvent, type Runtime } from '@quiesce/runtime';
import { realNow, realTimer } from '@quiesce/runtime/internal';
import type { SystemHost } from '../core/host.js';
import { DEFAULT_WAIT_TIMEOUT, drive, type DriveTarget } from './driver.js';
import { awaitQuiescence, DEFAULT_QUIET_PERIOD, type Quiescence } from './quiescence.js';
import { describeWaitFailure, WaitError, type WaitFailure } from './wait-error.js';

/**
 * Waits that report a timeout or a deadlock as data instead of throwing: what a matcher needs to
 * build its own message. Anything else (an abort, a linked crash, activity after teardown) is
 * still thrown. With a TestSystem they go through it (its linked-exit interrupt, its teardown
 * guard); a runtime no TestSystem owns gets a minimal drive target of its own.
 */

/** Where a wait runs: a runtime, and the TestSystem that owns it if there is one. */
export interface WaitPlace {
  readonly runtime: Runtime;
  readonly system: SystemHost | undefined;
}

/** A wait that timed out or can never succeed, as data. */
export interface WaitFailed {
  readonly ok: false;
  readonly failure: WaitFailure;
  readonly virtual: number;
  readonly real: number;
  readonly message: string;
}

export type WaitOutcome = { ok: true; event: HistoryEvent } | WaitFailed;

/** The wait timeout of `where`: its system's default, or the harness's. */
export function defaultTimeoutOf(where: WaitPlace): number {
  return where.system?.defaultTimeout ?? DEFAULT_WAIT_TIMEOUT;
}

function targetOf(where: WaitPlace, operation: string): DriveTarget {
  if (where.system?.tornDown) {
    throw new QuiesceError('AFTER_TEARDOWN', `${operation}: the test's system has been torn down; activity after teardown is rejected`, { operation });
  }
  return where.system ?? { runtime: where.runtime, onInterrupt: () => () => undefined };
}

function asFailed(error: unknown): WaitFailed {
  if (error instanceof WaitError && (error.failure === 'timeout' || error.failure === 'deadlock')) {
    return { ok: false, failure: error.failure, virtual: error.virtualElapsed, real: error.realElapsed, message: error.message };
  }
  throw error;
}

/** Wait for the first event (after now) that `predicate` accepts, driving virtual time. */
export async function waitForEventOutcome(where: WaitPlace, what: string, predicate: (event: HistoryEvent) => boolean, timeout: number): Promise<WaitOutcome> {
  const target = targetOf(where, what);
  let off = (): void => undefined;
  const found = new Promise<HistoryEvent>((resolve) => {
    off = where.runtime.history.subscribe((event) => {
      if (predicate(event)) resolve(event);
    });
  });
  try {
    return { ok: true, event: await drive(target, what, found, { timeout }).finally(() => off()) };
  } catch (error) {
    return asFailed(error);
  }
}

/** Wait for anything `outcome` promises, driving virtual time, with the same split. */
export async function waitForOutcome<T>(where: WaitPlace, what: string, outcome: Promise<T>, timeout: number): Promise<{ ok: true; value: T } | WaitFailed> {
  const target = targetOf(where, what);
  try {
    return { ok: true, value: await drive(target, what, outcome, { timeout }) };
  } catch (error) {
    return asFailed(error);
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
 * Resolve when nothing more will happen (how negatives are decided): at durable idleness for a
 * closed system, the clock untouched; after the system's quiet period with no event while OS
 * processes or other external actors are live. Bounded in real time (by `timeout`, never less
 * than the default wait timeout, so a short timeout cannot race the check). Says which rule decided.
 */
export function quiescenceOf(where: WaitPlace, timeout: number): Promise<Quiescence> {
  const quietPeriod = where.system?.quietPeriod ?? DEFAULT_QUIET_PERIOD;
  return awaitQuiescence(targetOf(where, 'a negative assertion'), { quietPeriod, timeout: Math.max(timeout, DEFAULT_WAIT_TIMEOUT, quietPeriod) });
}

/** "timed out after … ms virtual / … ms real time" or "can never happen: …": to follow "the wait". */
export function describeWaitFailed(failed: WaitFailed): string {
  return describeWaitFailure({ failure: failed.failure, virtualElapsed: failed.virtual, realElapsed: failed.real });
}
