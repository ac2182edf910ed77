import { formatTimeline, InvalidOptionError, QuiesceError, type History } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions, round, realTimer } from '@quiesce/runtime/internal';
import type { SystemHost } from '../core/host.js';
import { drive } from './driver.js';
import { WaitError } from './wait-error.js';

/** Why a wait on something outside the runtime gave up without a system's driver. */
export type ExternalWaitFailure = 'timeout' | 'ended' | 'aborted';

/**
 * A wait on the outside world (a line, an exit, a port, an endpoint) that did not get what it
 * waited for: its stream ended or its process exited first ('ended'), or — when no TestSystem
 * drives it — it timed out or was aborted. Names what it waited for; ends with the history's
 * last events when there is a history. (With a system, timeouts are the driver's WaitError.)
 */
export class ExternalWaitError extends QuiesceError {
  readonly failure: ExternalWaitFailure;
  readonly realElapsed: number;

  constructor(what: string, failure: ExternalWaitFailure, realElapsed: number, detail = '', history?: History, cause?: unknown, tail = 15) {
    const why = { timeout: 'timed out', ended: 'can never succeed', aborted: 'was aborted' }[failure];
    super(
      'TIMEOUT',
      `waiting for ${what} ${why} after ${round(realElapsed)} ms real time` +
        (detail ? `: ${detail}` : '') +
        (cause instanceof Error ? `\n  cause: ${cause.message}` : '') +
        (history ? `\n\nlast ${Math.min(tail, history.length)} events:\n${formatTimeline(history.tail(tail)) || '  (no events)'}` : ''),
      { what, failure },
    );
    this.failure = failure;
    this.realElapsed = realElapsed;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** Builds the error of a wait that can never succeed ('ended'), with the elapsed time filled in. */
export type EndedError = (detail: string, cause?: unknown) => ExternalWaitError;

export interface ExternalWaitRun {
  readonly what: string;
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
  readonly system: SystemHost | undefined;
  /**
   * Count the wait as an external operation of the system's runtime, so virtual time stands
   * still while it is in flight (docs/architecture.md, determinism rule 2). For waits on things the system does not own.
   */
  readonly holdClock: boolean;
  /** The last thing that went wrong (a probe's error), attached as the cause of a timeout. */
  readonly lastCause?: () => unknown;
}

/**
 * Run a wait on the outside world. `start` begins watching and must settle its promise once
 * `stop` aborts (the wait is over, whatever the reason), so nothing keeps watching afterwards.
 * With a system the wait goes through `drive` (a WaitError on timeout, with the timeline);
 * without one it is a plain wait bounded by `timeout` real milliseconds.
 */
export async function runExternalWait<T>(run: ExternalWaitRun, start: (stop: AbortSignal, ended: EndedError) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const began = performance.now();
  const ended: EndedError = (detail, cause) => new ExternalWaitError(run.what, 'ended', performance.now() - began, detail, run.system?.history, cause);
  const outcome = start(stop.signal, ended);
  try {
    if (run.system) {
      const watched = run.holdClock ? run.system.runtime.external(outcome) : outcome;
      try {
        return await drive(run.system, run.what, watched, { timeout: run.timeout, ...(run.signal ? { signal: run.signal } : {}) });
      } catch (error) {
        const cause = run.lastCause?.();
        if (error instanceof WaitError && error.failure === 'timeout' && cause !== undefined && error.cause === undefined) {
          throw new WaitError(run.what, 'timeout', { virtual: error.virtualElapsed, real: error.realElapsed }, run.system.history, cause);
        }
        throw error;
      }
    }
    return await boundedWait(run, outcome, began);
  } finally {
    stop.abort(new QuiesceError('TIMEOUT', `the wait for ${run.what} is over`));
    outcome.catch(() => undefined);
  }
}

async function boundedWait<T>(run: ExternalWaitRun, outcome: Promise<T>, began: number): Promise<T> {
  let cancel = (): void => undefined;
  let onAbort = (): void => undefined;
  const gaveUp = new Promise<never>((_resolve, reject) => {
    const fail = (failure: ExternalWaitFailure, cause?: unknown): void =>
      reject(new ExternalWaitError(run.what, failure, performance.now() - began, '', undefined, cause));
    cancel = realTimer(run.timeout, () => fail('timeout', run.lastCause?.()));
    onAbort = () => fail('aborted', run.signal?.reason);
    if (run.signal?.aborted) onAbort();
    else run.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([outcome, gaveUp]);
  } finally {
    cancel();
    run.signal?.removeEventListener('abort', onAbort);
  }
}

/** Options of the waits that talk to the outside world. */
export interface ExternalWaitOptions {
  /** Real milliseconds (and, with a system, virtual ones too). Default: the system's default timeout, else 5000. */
  timeout?: number;
  /** Abort the wait. */
  signal?: AbortSignal;
  /** Record in this system's history and wait through its driver (`drive`). */
  system?: SystemHost;
}

/** Default timeout of an external wait with no system, in ms. */
export const DEFAULT_EXTERNAL_TIMEOUT = 5_000;

/** Check a wait's options: known keys only, a timeout in ms, an AbortSignal, a system. */
export function parseExternalWait(
  where: string,
  options: unknown,
  extraKeys: readonly string[] = [],
): { timeout: number; signal: AbortSignal | undefined; system: SystemHost | undefined } {
  checkOptions(`${where} options`, options, ['timeout', 'signal', 'system', ...extraKeys]);
  const { timeout, signal, system } = options as ExternalWaitOptions;
  if (system !== undefined && !isSystemHost(system)) throw new InvalidOptionError(`${where} options.system`, system, 'a TestSystem');
  if (timeout !== undefined) checkMilliseconds(`${where} options.timeout`, timeout);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidOptionError(`${where} options.signal`, signal, 'an AbortSignal');
  return { timeout: timeout ?? system?.defaultTimeout ?? DEFAULT_EXTERNAL_TIMEOUT, signal, system };
}

function isSystemHost(value: unknown): value is SystemHost {
  const s = value as Partial<SystemHost> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.record === 'function' &&
    typeof s.own === 'function' &&
    typeof s.onInterrupt === 'function' &&
    typeof s.runtime === 'object'
  );
}
