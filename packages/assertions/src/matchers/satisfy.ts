import type { MatcherState } from 'vitest';
import { isHistoryProperty } from '../properties/property.js';
import { hint, type MatcherResult, result, tailBlock, timelineBlock } from '../report.js';
import { historySubject } from '../subjects.js';

/**
 * Vitest's own `toSatisfy(predicate, message?)`, extended: a Quiesce history property (itself a
 * predicate) is judged with its description, its message and its minimal witness. Any other
 * predicate behaves exactly as Vitest's built-in matcher does.
 */
export function toSatisfy(this: MatcherState, received: unknown, expected: unknown, message?: string): MatcherResult {
  if (isHistoryProperty(expected)) {
    const history = historySubject(received, 'toSatisfy');
    const verdict = expected.check(history);
    return result(verdict.ok, () => [
      hint(this, 'toSatisfy', 'property'),
      '',
      verdict.ok ? `Expected the history not to satisfy: ${expected.description}` : `Expected the history to satisfy: ${expected.description}`,
      verdict.ok ? `but it does (${history.length} events).` : `but: ${verdict.message}`,
      ...(verdict.ok ? [] : timelineBlock(`minimal witness (${verdict.witness.length} event${verdict.witness.length === 1 ? '' : 's'})`, verdict.witness)),
      ...tailBlock(history),
    ]);
  }
  // Vitest's built-in toSatisfy (packages/expect/src/custom-matchers.ts), unchanged.
  const { printReceived, printExpected, matcherHint } = this.utils;
  const pass = (expected as (value: unknown) => boolean)(received);
  return {
    pass,
    message: () =>
      pass
        ? `${matcherHint('.not.toSatisfy', 'received', '')}\n\nExpected value to not satisfy:\n${message || printExpected(expected)}\nReceived:\n${printReceived(received)}`
        : `${matcherHint('.toSatisfy', 'received', '')}\n\nExpected value to satisfy:\n${message || printExpected(expected)}\n\nReceived:\n${printReceived(received)}`,
  };
}
