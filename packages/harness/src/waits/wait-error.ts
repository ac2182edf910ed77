import { formatTimeline, QuiesceError, type History } from '@quiesce/runtime';
import { round } from '@quiesce/runtime/internal';

export type WaitFailure = 'timeout' | 'deadlock' | 'aborted' | 'linked-exit';

/**
 * A wait that did not get what it waited for. The message says what it waited for, how much
 * virtual and real time passed, why it gave up, and ends with the last events of the history.
 */
export class WaitError extends QuiesceError {
  readonly failure: WaitFailure;
  readonly virtualElapsed: number;
  readonly realElapsed: number;

  constructor(what: string, failure: WaitFailure, elapsed: { virtual: number; real: number }, history: History, cause?: unknown, tail = 15) {
    const why = {
      timeout: 'timed out',
      deadlock: 'can never happen: the system is idle, no timer is pending and nothing outside the runtime is running',
      aborted: 'was aborted (the test timed out or was cancelled)',
      'linked-exit': 'was interrupted: a process linked to the test exited',
    }[failure];
    const timeline = formatTimeline(history.tail(tail));
    super(
      'TIMEOUT',
      `waiting for ${what} ${why} after ${round(elapsed.virtual)} ms virtual / ${round(elapsed.real)} ms real time` +
        (cause instanceof Error ? `\n  cause: ${cause.message}` : '') +
        `\n\nlast ${Math.min(tail, history.length)} events:\n${timeline || '  (no events)'}`,
      { what, failure },
    );
    this.failure = failure;
    this.virtualElapsed = elapsed.virtual;
    this.realElapsed = elapsed.real;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}
