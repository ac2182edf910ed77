import { InvalidOptionError, Runtime, formatTimeline, type HistoryEvent } from '@quiesce/runtime';
import { defaultTimeoutOf, describePattern, describeQuiescence, quiescenceOf, systemOf, TestSystem, type Quiescence } from '@quiesce/harness';
import { toEventPredicate } from '@quiesce/harness/internal';
import type { MatcherState } from 'vitest';
import type { CountBounds } from '../matcher-types.js';
import { integerOption, knownKeys, optionsObject, timeoutOption } from '../options/validate.js';
import { hint, result, tailBlock, type MatcherResult } from '../report.js';
import { historySubject } from '../subjects.js';

const KEYS = ['exactly', 'atLeast', 'atMost', 'since', 'timeout'] as const;

/**
 * Events matching `pattern` (a kind, a partial event or a predicate) were recorded `exactly`,
 * `atLeast` or `atMost` n times (one of them, or atLeast with atMost), counted once nothing more
 * will happen: at durable idle for a closed system, so a count is exact and one event too many is
 * seen. Every event counted is listed on failure.
 */
export async function toRecordEvents(this: MatcherState, received: unknown, pattern: unknown, bounds: unknown): Promise<MatcherResult> {
  const history = historySubject(received, 'toRecordEvents');
  if (!(typeof pattern === 'string' || typeof pattern === 'function' || (typeof pattern === 'object' && pattern !== null))) {
    throw new InvalidOptionError('toRecordEvents(pattern)', pattern, 'an event kind, a partial event { kind, source, data } or a predicate');
  }
  const predicate = toEventPredicate(pattern as Parameters<typeof toEventPredicate>[0]);
  const b = countBounds(bounds);
  const from = b.since;
  if (from > history.length) throw new InvalidOptionError('toRecordEvents bounds.since', from, `a history position up to its length (${history.length})`);
  const runtime = runtimeOf(received);
  let quiet: Quiescence | undefined;
  if (runtime) {
    const where = { runtime, system: systemOf(runtime) };
    quiet = await quiescenceOf(where, b.timeout ?? defaultTimeoutOf(where));
  }
  const events: HistoryEvent[] = history.events.slice(from).filter(predicate);
  const n = events.length;
  const pass = (b.exactly === undefined || n === b.exactly) && (b.atLeast === undefined || n >= b.atLeast) && (b.atMost === undefined || n <= b.atMost);
  const what = describeCountPattern(pattern);
  const expected = describeBounds(b);
  return result(pass, () => [
    hint(this, 'toRecordEvents', 'pattern, bounds'),
    '',
    `Expected: ${this.isNot ? 'not ' : ''}${expected} ${what}${from > 0 ? ` since history #${from}` : ''}`,
    `Received: ${n} (${quiet ? describeQuiescence(quiet) : 'counted at once: a bare History cannot be waited on'})`,
    '',
    `Events counted (${n}):`,
    n === 0 ? '  (none)' : formatTimeline(events),
    ...(n === 0 ? tailBlock(history) : []),
  ]);
}

interface Bounds {
  exactly?: number;
  atLeast?: number;
  atMost?: number;
  since: number;
  timeout?: number;
}

/** Validate the bounds: a count alone (`3`, meaning exactly), or { exactly } / { atLeast, atMost }. */
export function countBounds(bounds: unknown): Bounds {
  if (typeof bounds === 'number') return { exactly: integerOption(bounds, 'toRecordEvents(bounds)', 0), since: 0 };
  const o = optionsObject<CountBounds>(bounds, 'toRecordEvents');
  knownKeys(o, KEYS, 'toRecordEvents bounds');
  const out: Bounds = { since: o.since === undefined ? 0 : integerOption(o.since, 'toRecordEvents bounds.since', 0) };
  if (o.exactly !== undefined) out.exactly = integerOption(o.exactly, 'toRecordEvents bounds.exactly', 0);
  if (o.atLeast !== undefined) out.atLeast = integerOption(o.atLeast, 'toRecordEvents bounds.atLeast', 0);
  if (o.atMost !== undefined) out.atMost = integerOption(o.atMost, 'toRecordEvents bounds.atMost', 0);
  const timeout = timeoutOption(o.timeout, 'toRecordEvents bounds');
  if (timeout !== undefined) out.timeout = timeout;
  const accepted = 'a count (exactly), or { exactly } or { atLeast and/or atMost } with atLeast <= atMost';
  if (out.exactly === undefined && out.atLeast === undefined && out.atMost === undefined)
    throw new InvalidOptionError('toRecordEvents(bounds)', bounds, accepted);
  if (out.exactly !== undefined && (out.atLeast !== undefined || out.atMost !== undefined))
    throw new InvalidOptionError('toRecordEvents(bounds)', bounds, accepted);
  if (out.atLeast !== undefined && out.atMost !== undefined && out.atLeast > out.atMost)
    throw new InvalidOptionError('toRecordEvents(bounds)', bounds, accepted);
  return out;
}

function describeBounds(b: Bounds): string {
  if (b.exactly !== undefined) return `exactly ${b.exactly}`;
  if (b.atLeast !== undefined && b.atMost !== undefined) return `between ${b.atLeast} and ${b.atMost}`;
  return b.atLeast !== undefined ? `at least ${b.atLeast}` : `at most ${b.atMost}`;
}

function describeCountPattern(pattern: unknown): string {
  if (typeof pattern === 'string') return `event(s) of kind ${JSON.stringify(pattern)}`;
  if (typeof pattern === 'function') return `event(s) accepted by ${pattern.name || 'the predicate'}`;
  return `event(s) matching ${describePattern(pattern)}`;
}

function runtimeOf(received: unknown): Runtime | undefined {
  if (received instanceof TestSystem) return received.runtime;
  if (received instanceof Runtime) return received;
  const r = (received as { runtime?: unknown } | null)?.runtime;
  return r instanceof Runtime ? r : undefined;
}
