import { InvalidOptionError, type HistoryEvent } from '@quiesce/runtime';
import { describePattern, matches, type Pattern } from '../match/match.js';
import type { WaitOptions } from '../waits/driver.js';

/** What `system.until` waits for: an event kind, a partial event, or a predicate. */
export type HistoryPattern = string | Pattern | ((event: HistoryEvent) => boolean);

export interface UntilOptions extends WaitOptions {
  /** Where to look from: 'now' (default: only events after the call), 'start' (the whole history) or a seq. */
  since?: 'now' | 'start' | number;
}

export function toEventPredicate(pattern: HistoryPattern): (event: HistoryEvent) => boolean {
  if (typeof pattern === 'string') return (e) => e.kind === pattern;
  if (typeof pattern === 'function') return pattern as (e: HistoryEvent) => boolean;
  if (typeof pattern === 'object' && pattern !== null) return (e) => matches(e, pattern);
  throw new InvalidOptionError('until(pattern)', pattern, 'an event kind, a partial event { kind, source, data } or a predicate');
}

export function describeHistoryPattern(pattern: HistoryPattern): string {
  return typeof pattern === 'string' ? `kind ${JSON.stringify(pattern)}` : describePattern(pattern);
}
