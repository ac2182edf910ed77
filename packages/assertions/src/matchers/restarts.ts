import { InvalidOptionError, isKind, type HistoryEvent } from '@quiesce/runtime';
import { describeQuiescence, defaultTimeoutOf, describeWaitFailed, quiescenceOf, waitForEventOutcome } from '@quiesce/harness';
import type { MatcherState } from 'vitest';
import type { RestartOptions } from '../matcher-types.js';
import { childIdOption, integerOption, knownKeys, optionsObject, timeoutOption } from '../options/validate.js';
import { hint, inline, type MatcherResult, result, tailBlock, timelineBlock } from '../report.js';
import { incarnationEvents, supervisorSubject, type SupervisorView } from '../subjects.js';
import { childrenOf } from '../tree.js';

function restartArgs(first: unknown, second: unknown): { childId: string | undefined; options: unknown } {
  if (typeof first === 'string') return { childId: childIdOption(first, 'toRestart(childId)'), options: second };
  if (first === undefined) return { childId: undefined, options: second };
  if (typeof first === 'object' && first !== null && !Array.isArray(first) && second === undefined) return { childId: undefined, options: first };
  throw new InvalidOptionError('toRestart(childId)', first, 'a child id (a non-empty string), undefined, or the options object { times, timeout }');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function whose(childId: string | undefined, label: string): string {
  return `${childId === undefined ? 'any child' : JSON.stringify(childId)} by ${label}`;
}

const CHILD_KINDS = ['child.start', 'child.restart', 'child.exit', 'child.terminate', 'child.ignore', 'child.start_failed'] as const;

/** The ids of the supervisor's children: those it has now and those its history names. */
function knownChildIds(view: SupervisorView): string[] {
  const ids = new Set(childrenOf(view).map((c) => c.id));
  for (const e of incarnationEvents(view)) if (isKind(e, ...CHILD_KINDS) && e.data.id !== undefined) ids.add(e.data.id);
  return [...ids];
}

/** A line naming the known children when `childId` is none of them. */
function unknownChild(view: SupervisorView, childId: string | undefined): string[] {
  if (childId === undefined) return [];
  const known = knownChildIds(view);
  if (known.includes(childId)) return [];
  const list = known.length === 0 ? 'it has no children' : `its children are ${known.map((id) => JSON.stringify(id)).join(', ')}`;
  return [`${JSON.stringify(childId)} is not a child of ${view.label}: ${list}.`];
}

export async function toRestart(this: MatcherState, received: unknown, first?: unknown, second?: unknown): Promise<MatcherResult> {
  const view = supervisorSubject(received, 'toRestart');
  const { childId, options } = restartArgs(first, second);
  const opts = optionsObject<RestartOptions>(options, 'toRestart');
  knownKeys(opts, ['times', 'timeout', 'since'], 'toRestart');
  const times = opts.times === undefined ? 1 : integerOption(opts.times, 'toRestart.times', 1);
  const timeout = timeoutOption(opts.timeout, 'toRestart') ?? defaultTimeoutOf(view);
  const history = view.runtime.history;
  const from = opts.since === undefined ? history.length : Math.min(integerOption(opts.since, 'toRestart.since', 0), history.length);
  const origin = opts.since === undefined ? 'the assertion started' : `the mark (history #${from})`;
  const isRestart = (e: HistoryEvent): boolean => isKind(e, 'child.restart') && e.source === view.label && (childId === undefined || e.data.id === childId);
  const seen = (): HistoryEvent[] => history.events.slice(from).filter(isRestart);
  const expectedArg = childId === undefined ? '' : 'childId';

  if (this.isNot) {
    // Decided at durable idle, the clock untouched: "nothing happens" needs no fixed wait.
    const quiet = await quiescenceOf(view, timeout);
    const restarts = seen();
    const pass = restarts.length >= times;
    return result(pass, () => [
      hint(this, 'toRestart', expectedArg),
      '',
      `Expected: ${times === 1 ? 'no restart' : `fewer than ${times} restarts`} of ${whose(childId, view.label)} (${describeQuiescence(quiet)})`,
      `Received: ${plural(restarts.length, 'restart')}`,
      ...timelineBlock(`restarts since ${origin}`, restarts),
      ...tailBlock(history),
    ]);
  }

  // Restarts since the mark that already happened count towards `times`.
  let counted = seen().length;
  const enough = (e: HistoryEvent): boolean => {
    if (isRestart(e)) counted++;
    return counted >= times;
  };
  const outcome =
    counted >= times
      ? ({ ok: true, event: seen()[times - 1]! } as const)
      : await waitForEventOutcome(view, `${plural(times, 'restart')} of ${whose(childId, view.label)}`, enough, timeout);
  const pass = outcome.ok;
  return result(pass, () => {
    const restarts = seen();
    // A mistyped id waits for nothing: say which children exist and which of them did restart.
    const isOtherRestart = (e: HistoryEvent): boolean => isKind(e, 'child.restart') && e.source === view.label && e.data.id !== childId;
    const others = childId === undefined ? [] : history.events.slice(from).filter(isOtherRestart);
    return [
      hint(this, 'toRestart', expectedArg),
      '',
      `Expected: ${plural(times, 'restart')} of ${whose(childId, view.label)} after ${origin}`,
      `Received: ${plural(restarts.length, 'restart')}${outcome.ok ? '' : `; the wait ${describeWaitFailed(outcome)}`}`,
      ...unknownChild(view, childId),
      `The supervisor is ${view.runtime.isAlive(view.pid) ? 'alive' : `not alive (exit reason ${inline(view.runtime.exitReason(view.pid))})`}.`,
      ...timelineBlock(`restarts since ${origin}`, restarts),
      ...(others.length > 0 ? timelineBlock(`restarts of other children since ${origin}`, others) : []),
      ...tailBlock(history),
    ];
  });
}

export function toHaveRestarted(this: MatcherState, received: unknown, times: unknown, childId?: unknown): MatcherResult {
  const view = supervisorSubject(received, 'toHaveRestarted');
  const expected = integerOption(times, 'toHaveRestarted(times)', 0);
  const id = childId === undefined ? undefined : childIdOption(childId, 'toHaveRestarted(times, childId)');
  const restarts = incarnationEvents(view).filter((e) => isKind(e, 'child.restart') && (id === undefined || e.data.id === id));
  const pass = restarts.length === expected;
  return result(
    pass,
    () => [
      hint(this, 'toHaveRestarted', id === undefined ? 'times' : 'times, childId'),
      '',
      `Expected: ${pass ? 'not ' : ''}${this.utils.printExpected(expected)} restart(s) of ${whose(id, view.label)} so far`,
      `Received: ${this.utils.printReceived(restarts.length)}`,
      ...timelineBlock('restarts so far', restarts),
      ...tailBlock(view.runtime.history),
    ],
    { actual: restarts.length, expected },
  );
}
