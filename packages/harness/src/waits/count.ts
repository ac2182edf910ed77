import { InvalidOptionError, type HistoryEvent } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import type { DriveTarget } from '../core/host.js';
import { DEFAULT_WAIT_TIMEOUT } from './driver.js';
import { awaitQuiescence, DEFAULT_QUIET_PERIOD, type Quiescence } from './quiescence.js';

/**
 * Exact event counts: every event of a kind (the runtime's, an observed emitter's, a diagnostics
 * channel's, all of them land in the one history) counted once nothing more will happen, so one
 * event too many is seen, never cut off at the expected number.
 */

export interface CountOptions {
  /** Count from this history position (`system.mark()`), or 'start' (the whole history). Default 'start'. */
  since?: 'start' | number;
  /** Real milliseconds the system may take to become quiet. Default: the system's wait timeout. */
  timeout?: number;
}

export interface EventCount {
  /** The matching events, oldest first. */
  readonly events: readonly HistoryEvent[];
  readonly count: number;
  /** How "nothing more will happen" was decided (durable idle for a closed system). */
  readonly quiescence: Quiescence;
  /** The history position counting started from. */
  readonly since: number;
}

/** Count the events `predicate` accepts, from `since`, once the system is quiet. */
export async function countEvents(
  target: DriveTarget & { readonly defaultTimeout?: number; readonly quietPeriod?: number },
  predicate: (event: HistoryEvent) => boolean,
  options: CountOptions = {},
): Promise<EventCount> {
  const { since, timeout } = countOptions(options, target.defaultTimeout ?? DEFAULT_WAIT_TIMEOUT);
  const quietPeriod = target.quietPeriod ?? DEFAULT_QUIET_PERIOD;
  const quiescence = await awaitQuiescence(target, { quietPeriod, timeout: Math.max(timeout, quietPeriod) });
  const events = target.runtime.history.events.slice(since).filter(predicate);
  return { events, count: events.length, quiescence, since };
}

export function countOptions(options: unknown, defaultTimeout: number): { since: number; timeout: number } {
  checkOptions('count options', options, ['since', 'timeout']);
  const { since = 'start', timeout } = options as CountOptions;
  if (!(since === 'start' || (Number.isSafeInteger(since) && (since as number) >= 0))) {
    throw new InvalidOptionError('count options.since', since, "'start' or a history position (system.mark(), an integer >= 0)");
  }
  return {
    since: since === 'start' ? 0 : (since as number),
    timeout: timeout === undefined ? defaultTimeout : checkMilliseconds('count options.timeout', timeout),
  };
}
