import { isKind, type EventOf } from '@quiesce/runtime';
import { labelOption, uniqueChildIdsOption } from '../options/validate.js';
import { historyProperty, OK, violated, type HistoryProperty } from './property.js';

/**
 * Children stop right to left (OTP): whenever `supervisor` terminates several of `childIds`
 * (given left to right, in start order) in one go — a shutdown, a one_for_all / rest_for_one
 * restart, or back-to-back `terminateChild` calls — it terminates the right-most first. A "go" is
 * a run of consecutive `child.terminate` events among the supervisor's own events. The witness
 * is the first pair stopped left to right.
 */
export function childrenStoppedRightToLeft(supervisor: string, childIds: readonly string[]): HistoryProperty {
  const label = labelOption(supervisor, 'childrenStoppedRightToLeft(supervisor)');
  const order = uniqueChildIdsOption(childIds, 'childrenStoppedRightToLeft(supervisor, childIds)');
  return historyProperty(`${label} stops ${order.map((id) => JSON.stringify(id)).join(', ')} right to left`, (history) => {
    let run: EventOf<'child.terminate'>[] = [];
    const judge = (): ReturnType<HistoryProperty['check']> => {
      for (let k = 0; k + 1 < run.length; k++) {
        const a = run[k]!;
        const b = run[k + 1]!;
        const ia = order.indexOf(a.data.id);
        const ib = order.indexOf(b.data.id);
        if (ia < ib) {
          return violated(
            [a, b],
            `${label} terminated ${JSON.stringify(order[ia])} before ${JSON.stringify(order[ib])}, which starts after it: children stop right to left`,
          );
        }
      }
      return OK;
    };
    for (const e of history.events) {
      if (e.source !== label) continue;
      if (isKind(e, 'child.terminate')) {
        if (order.includes(e.data.id)) run.push(e);
        continue;
      }
      const verdict = judge();
      if (!verdict.ok) return verdict;
      run = [];
    }
    return judge();
  });
}
