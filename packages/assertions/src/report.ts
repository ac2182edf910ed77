import { formatTimeline, serialiseReason, type History, type HistoryEvent } from '@quiesce/runtime';
import type { MatcherState } from 'vitest';

/** What a matcher returns to Vitest (its SyncExpectationResult, which Vitest 4 does not export). */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}

/** How many of the history's last events a failure prints. */
export const TIMELINE_TAIL = 15;

/** The first line of every message: `expect(received).not.toRestart(expected)`, as Vitest prints its own. */
export function hint(ctx: MatcherState, matcher: string, expected = ''): string {
  return ctx.utils.matcherHint(matcher, 'received', expected, { isNot: ctx.isNot, promise: ctx.promise });
}

/** A timeline block: a title, then one event per line. */
export function timelineBlock(title: string, events: readonly HistoryEvent[]): string[] {
  return ['', `${title}:`, events.length > 0 ? formatTimeline(events) : '  (none)'];
}

/** The history's tail, the block every message ends with. */
export function tailBlock(history: History | undefined, tail = TIMELINE_TAIL): string[] {
  if (!history) return [];
  return timelineBlock(`last ${Math.min(tail, history.length)} events`, history.tail(tail));
}

/** Expected / Received lines in Vitest's colours, plus a diff when both sides are data. */
export function expectedReceived(
  ctx: MatcherState,
  expected: unknown,
  received: unknown,
  options: { diff?: boolean; expectedLabel?: string; receivedLabel?: string; compact?: boolean } = {},
): string[] {
  // Compact: lists of ids read better on one line than in pretty-format's `Array [...]`.
  const show = (value: unknown, color: (s: string) => string, print: (v: unknown) => string): string => (options.compact ? color(inline(value)) : print(value));
  const lines = [
    `${options.expectedLabel ?? 'Expected'}: ${show(expected, ctx.utils.EXPECTED_COLOR, ctx.utils.printExpected)}`,
    `${options.receivedLabel ?? 'Received'}: ${show(received, ctx.utils.RECEIVED_COLOR, ctx.utils.printReceived)}`,
  ];
  if (options.diff) {
    const diff = ctx.utils.diff(expected, received);
    if (diff && !diff.includes('Compared values have no visual difference')) lines.push('', diff);
  }
  return lines;
}

/**
 * A matcher result whose message is built lazily from the lines for the positive case (shown
 * when the assertion fails) and the negated case (shown when `.not` fails).
 */
export function result(pass: boolean, message: () => string[], extra: { actual?: unknown; expected?: unknown } = {}): MatcherResult {
  return { pass, message: () => message().join('\n'), ...extra };
}

/** A value on one line (exit reasons, messages): compact JSON of its serialised form. */
export function inline(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(serialiseReason(value)) ?? String(value);
  } catch {
    return String(value);
  }
}
