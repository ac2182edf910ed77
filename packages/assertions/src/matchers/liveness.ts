import { serialiseReason, type HistoryEvent } from '@quiesce/runtime';
import type { MatcherState } from 'vitest';
import { expectedReceived, hint, inline, type MatcherResult, result, tailBlock, timelineBlock } from '../report.js';
import { processSubject, type ProcessView } from '../subjects.js';

/** The history events about one process (its spawn, exit, and lifecycle events naming its pid). */
export function eventsAbout(view: ProcessView): HistoryEvent[] {
  const key = view.pid.toString();
  return view.runtime.history.events.filter((e) => (e.data as { pid?: unknown } | null)?.pid === key);
}

function who(view: ProcessView): string {
  return view.label === view.pid.toString() ? view.label : `${view.label} (${view.pid})`;
}

export function toBeAlive(this: MatcherState, received: unknown): MatcherResult {
  const view = processSubject(received, 'toBeAlive');
  const pass = view.runtime.isAlive(view.pid);
  return result(pass, () => [
    hint(this, 'toBeAlive', ''),
    '',
    pass
      ? `Expected ${who(view)} not to be alive, but it is (${view.runtime.messageQueueLength(view.pid)} message(s) in its mailbox).`
      : `Expected ${who(view)} to be alive, but it exited with ${inline(view.runtime.exitReason(view.pid))}.`,
    ...timelineBlock(`events about ${view.pid}`, eventsAbout(view).slice(-15)),
    ...tailBlock(view.runtime.history),
  ]);
}

/** A RegExp tests a string reason or an Error's message; anything else compares with Vitest's equality. */
function reasonMatches(ctx: MatcherState, actual: unknown, expected: unknown): boolean {
  if (expected instanceof RegExp) {
    if (typeof actual === 'string') return expected.test(actual);
    if (actual instanceof Error) return expected.test(actual.message);
    return false;
  }
  return ctx.equals(actual, expected, ctx.customTesters) || ctx.equals(serialiseReason(actual), expected, ctx.customTesters);
}

export function toHaveExited(this: MatcherState, received: unknown, ...args: unknown[]): MatcherResult {
  const view = processSubject(received, 'toHaveExited');
  const withReason = args.length > 0 && args[0] !== undefined;
  const expected = args[0];
  const alive = view.runtime.isAlive(view.pid);
  const actual = alive ? undefined : view.runtime.exitReason(view.pid);
  const pass = !alive && (!withReason || reasonMatches(this, actual, expected));
  const expectedArg = withReason ? 'reason' : '';
  return result(
    pass,
    () => [
      hint(this, 'toHaveExited', expectedArg),
      '',
      ...(alive
        ? [`Expected ${who(view)} to have exited${withReason ? ` with ${inline(expected)}` : ''}, but it is alive.`]
        : pass && !withReason
          ? [`Expected ${who(view)} not to have exited, but it exited with ${inline(actual)}.`]
          : pass
            ? [
                `Expected ${who(view)} not to have exited with this reason, but it did:`,
                ...expectedReceived(this, expected, serialiseReason(actual), { expectedLabel: 'Expected not', receivedLabel: 'Exit reason' }),
              ]
            : [
                `Expected ${who(view)} to have exited with another reason:`,
                ...expectedReceived(this, expected, serialiseReason(actual), { diff: !(expected instanceof RegExp), receivedLabel: 'Exit reason' }),
              ]),
      ...timelineBlock(`events about ${view.pid}`, eventsAbout(view).slice(-15)),
      ...tailBlock(view.runtime.history),
    ],
    withReason && !alive ? { actual: serialiseReason(actual), expected } : {},
  );
}
