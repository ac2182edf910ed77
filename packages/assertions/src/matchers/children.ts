import { isKind, type EventOf } from '@quiesce/runtime';
import type { MatcherState } from 'vitest';
import { childIdsOption, integerOption, uniqueChildIdsOption } from '../options/validate.js';
import { expectedReceived, hint, type MatcherResult, result, tailBlock, timelineBlock } from '../report.js';
import { incarnationEvents, supervisorSubject, type SupervisorView } from '../subjects.js';
import { childrenOf, describeTree, runningIds, treeOf } from '../tree.js';

function supervisorState(view: SupervisorView): string {
  return view.runtime.isAlive(view.pid)
    ? `${view.label} (${view.pid})`
    : `${view.label} (${view.pid}, not alive: exited with ${JSON.stringify(view.runtime.exitReason(view.pid))})`;
}

export function toHaveChildren(this: MatcherState, received: unknown, ids: unknown): MatcherResult {
  const view = supervisorSubject(received, 'toHaveChildren');
  const expected = childIdsOption(ids, 'toHaveChildren(ids)');
  const actual = runningIds(view);
  const pass = this.equals(actual, expected);
  return result(
    pass,
    () => [
      hint(this, 'toHaveChildren', 'ids'),
      '',
      `Running children of ${supervisorState(view)}, in order:`,
      ...expectedReceived(this, expected, actual, { diff: !pass, compact: true, expectedLabel: pass ? 'Expected not' : 'Expected' }),
      '',
      'children:',
      describeTree(childrenOf(view)),
      ...tailBlock(view.runtime.history),
    ],
    { actual, expected },
  );
}

export function toHaveChildCount(this: MatcherState, received: unknown, count: unknown): MatcherResult {
  const view = supervisorSubject(received, 'toHaveChildCount');
  const expected = integerOption(count, 'toHaveChildCount(count)', 0);
  const actual = runningIds(view).length;
  const pass = actual === expected;
  return result(
    pass,
    () => [
      hint(this, 'toHaveChildCount', 'count'),
      '',
      `Running children of ${supervisorState(view)}:`,
      ...expectedReceived(this, expected, actual, { expectedLabel: pass ? 'Expected not' : 'Expected' }),
      '',
      'children:',
      describeTree(childrenOf(view)),
      ...tailBlock(view.runtime.history),
    ],
    { actual, expected },
  );
}

export function toHaveAllChildrenAlive(this: MatcherState, received: unknown): MatcherResult {
  const view = supervisorSubject(received, 'toHaveAllChildrenAlive');
  const alive = view.runtime.isAlive(view.pid);
  const tree = treeOf(view);
  const down = tree.filter((c) => c.state !== 'running');
  const pass = alive && down.length === 0;
  return result(pass, () => [
    hint(this, 'toHaveAllChildrenAlive', ''),
    '',
    pass
      ? `Expected some child of ${supervisorState(view)} not to be running, but all ${tree.length} are.`
      : !alive
        ? `Expected ${supervisorState(view)} and all its children to be alive, but the supervisor is not.`
        : `Expected every child of ${supervisorState(view)} to be running, but ${down.map((c) => `${c.path} is ${c.state}`).join(', ')}.`,
    '',
    'tree:',
    describeTree(tree),
    ...tailBlock(view.runtime.history),
  ]);
}

export function toHaveTerminatedInOrder(this: MatcherState, received: unknown, ids: unknown): MatcherResult {
  const view = supervisorSubject(received, 'toHaveTerminatedInOrder');
  const expected = uniqueChildIdsOption(ids, 'toHaveTerminatedInOrder(ids)');
  // Each child's most recent termination by this supervisor (this incarnation), in history order.
  const last = new Map<string, EventOf<'child.terminate'>>();
  for (const e of incarnationEvents(view)) {
    if (isKind(e, 'child.terminate') && expected.includes(e.data.id)) last.set(e.data.id, e);
  }
  const terminations = [...last.values()].sort((a, b) => a.seq - b.seq);
  const actual = terminations.map((e) => e.data.id);
  const missing = expected.filter((id) => !last.has(id));
  const pass = missing.length === 0 && this.equals(actual, expected);
  return result(
    pass,
    () => [
      hint(this, 'toHaveTerminatedInOrder', 'ids'),
      '',
      `Order of the last terminations by ${view.label}:`,
      ...expectedReceived(this, expected, actual, { diff: !pass, compact: true, expectedLabel: pass ? 'Expected not' : 'Expected' }),
      ...(missing.length > 0 ? ['', `Never terminated: ${missing.map((id) => JSON.stringify(id)).join(', ')}`] : []),
      ...timelineBlock('terminations', terminations),
      ...tailBlock(view.runtime.history),
    ],
    { actual, expected },
  );
}
