import { formatTimeline, QuiesceError, type History, type HistoryEvent } from '@quiesce/runtime';
import { round, touchesOutside } from '@quiesce/runtime/internal';

export type WaitFailure = 'timeout' | 'deadlock' | 'aborted' | 'linked-exit';

/**
 * Why a wait gave up, as data (kept apart from its formatting, as fast-check keeps `RunDetails`
 * apart from its reporter): what it waited for, why, how much virtual and real time passed, what
 * caused it, and the last events of the history. Every failure message, timeline and report is
 * built from this by `formatWaitFailure`.
 */
export interface WaitFailureDetails {
  readonly what: string;
  readonly failure: WaitFailure;
  readonly virtualElapsed: number;
  readonly realElapsed: number;
  readonly cause?: unknown;
  /** The history's last events when the wait gave up, oldest first. */
  readonly lastEvents: readonly HistoryEvent[];
  /** How many events the history held then (the tail may be shorter). */
  readonly historyLength: number;
  /** Real milliseconds from the history's first event to each of `lastEvents` (wall clock, beside virtual time). */
  readonly realTimes?: readonly (number | undefined)[];
}

const WHY: Record<WaitFailure, string> = {
  timeout: 'timed out',
  deadlock: 'can never happen: the system is idle, no timer is pending and nothing outside the runtime is running',
  aborted: 'was aborted (the test timed out or was cancelled)',
  'linked-exit': 'was interrupted: a process linked to the test exited',
};

/** What a wait that can never happen may be missing: work the runtime does not know of. */
const DEADLOCK_HINT =
  'work the runtime cannot see (a third-party pool, a socket) counts once it is wrapped — `system.drive(system.runtime.external(promise))` — or its owner is owned with `external()` (`system.own`)';

/** "timed out after 100 ms virtual / 2 ms real time", or "can never happen: … after …": why and when. */
export function describeWaitFailure(details: Pick<WaitFailureDetails, 'failure' | 'virtualElapsed' | 'realElapsed'>): string {
  return `${WHY[details.failure]} after ${round(details.virtualElapsed)} ms virtual / ${round(details.realElapsed)} ms real time`;
}

/** The whole message: what was awaited, why and when it gave up, its cause, the last events. */
export function formatWaitFailure(details: WaitFailureDetails): string {
  const real = details.realTimes;
  const timeline = formatTimeline(details.lastEvents, real ? (e) => real[details.lastEvents.indexOf(e)] : undefined);
  return (
    `waiting for ${details.what} ${describeWaitFailure(details)}` +
    (details.cause instanceof Error ? `\n  cause: ${details.cause.message}` : '') +
    (details.failure === 'deadlock' ? `\n  hint: ${DEADLOCK_HINT}` : '') +
    `\n\nlast ${details.lastEvents.length} events:\n${timeline || '  (no events)'}`
  );
}

/** Collect the details of a wait that gave up now. */
export function waitFailureDetails(
  what: string,
  failure: WaitFailure,
  elapsed: { virtual: number; real: number },
  history: History,
  cause?: unknown,
  tail = 15,
): WaitFailureDetails {
  const lastEvents = history.tail(tail);
  return {
    what,
    failure,
    virtualElapsed: elapsed.virtual,
    realElapsed: elapsed.real,
    ...(cause !== undefined ? { cause } : {}),
    lastEvents,
    historyLength: history.length,
    ...(touchesOutside(lastEvents) ? { realTimes: lastEvents.map((e) => history.realElapsed(e.seq)) } : {}),
  };
}

/**
 * A wait that did not get what it waited for. `details` holds why, as data; the message is
 * `formatWaitFailure(details)`: what it waited for, how much virtual and real time passed, why it
 * gave up, and the last events of the history.
 */
export class WaitError extends QuiesceError {
  readonly failure: WaitFailure;
  readonly virtualElapsed: number;
  readonly realElapsed: number;
  readonly wait: WaitFailureDetails;

  constructor(what: string, failure: WaitFailure, elapsed: { virtual: number; real: number }, history: History, cause?: unknown, tail = 15) {
    const wait = waitFailureDetails(what, failure, elapsed, history, cause, tail);
    super('TIMEOUT', formatWaitFailure(wait), { what, failure });
    this.wait = wait;
    this.failure = failure;
    this.virtualElapsed = elapsed.virtual;
    this.realElapsed = elapsed.real;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}
