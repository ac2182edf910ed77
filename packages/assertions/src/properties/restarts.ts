import { isKind, type History, type HistoryEvent } from '@quiesce/runtime';
import type { Duration } from '../matcher-types.js';
import { formatDuration, parseDuration } from '../options/duration.js';
import { childIdOption, integerOption, labelOption } from '../options/validate.js';
import { historyProperty, OK, violated, type HistoryProperty } from './property.js';

/** `atMostRestarts(n)`, narrowed step by step; every step returns a new property. */
export interface RestartBound extends HistoryProperty {
  /** Only restarts that fall inside one window of this length count together (inclusive: `last - first <= window`). */
  within(window: Duration): RestartBound;
  /** Only restarts of this child id. */
  of(childId: string): RestartBound;
  /** Only restarts recorded by this supervisor (its label: its id or name). */
  by(supervisor: string): RestartBound;
}

interface Bound {
  readonly max: number;
  readonly window: number;
  readonly child: string | undefined;
  readonly supervisor: string | undefined;
}

function describe(b: Bound): string {
  return `at most ${b.max} restart${b.max === 1 ? '' : 's'}${b.child === undefined ? '' : ` of ${JSON.stringify(b.child)}`}${b.supervisor === undefined ? '' : ` by ${b.supervisor}`}${
    Number.isFinite(b.window) ? ` within ${formatDuration(b.window)}` : ''
  }`;
}

/**
 * A sliding window over `child.restart` times. Fails with the earliest run of `max + 1` restarts
 * that fit in one window: the minimal witness (no smaller set of events shows the violation).
 */
function check(b: Bound, history: History): ReturnType<HistoryProperty['check']> {
  const restarts: HistoryEvent[] = history.events.filter(
    (e) => isKind(e, 'child.restart') && (b.child === undefined || e.data.id === b.child) && (b.supervisor === undefined || e.source === b.supervisor),
  );
  for (let i = 0; i + b.max < restarts.length; i++) {
    const first = restarts[i]!;
    const last = restarts[i + b.max]!;
    if (last.time - first.time <= b.window) {
      const witness = restarts.slice(i, i + b.max + 1);
      return violated(
        witness,
        `${witness.length} restarts${b.child === undefined ? '' : ` of ${JSON.stringify(b.child)}`}${Number.isFinite(b.window) ? ` within ${formatDuration(last.time - first.time)} (window ${formatDuration(b.window)})` : ''}, from ${formatDuration(first.time)} to ${formatDuration(last.time)}: more than ${b.max}`,
      );
    }
  }
  return OK;
}

function bound(b: Bound): RestartBound {
  return historyProperty(describe(b), (history) => check(b, history), {
    within: (window: Duration) => bound({ ...b, window: parseDuration(window, 'atMostRestarts(n).within(window)') }),
    of: (childId: string) => bound({ ...b, child: childIdOption(childId, 'atMostRestarts(n).of(childId)') }),
    by: (supervisor: string) => bound({ ...b, supervisor: labelOption(supervisor, 'atMostRestarts(n).by(supervisor)') }),
  });
}

/**
 * At most `n` restarts (`child.restart` events) over the whole history, or within any window
 * given with `.within('5s')`; narrow with `.of(childId)` and `.by(supervisor)`. Failed restart
 * attempts (`child.start_failed`) are not restarts here.
 */
export function atMostRestarts(n: number): RestartBound {
  return bound({ max: integerOption(n, 'atMostRestarts(n)', 0), window: Number.POSITIVE_INFINITY, child: undefined, supervisor: undefined });
}
