import type { MatcherState } from 'vitest';
import type { ConvergeOptions } from '../matcher-types.js';
import { formatDuration, parseDuration } from '../options/duration.js';
import { knownKeys, optionsObject } from '../options/validate.js';
import { hint, inline, type MatcherResult, result, tailBlock } from '../report.js';
import { supervisorSubject } from '../subjects.js';
import { describeTree, healthy, treeOf } from '../tree.js';
import { defaultTimeoutOf, describeWaitFailed, quiescenceOf, waitForEventOutcome, type WaitOutcome } from '@quiesce/harness';

/**
 * Converged: at a durable idle point the supervisor is alive and every child in its tree is
 * running. Checked at idle, so an EXIT still in flight is never mistaken for health. Between
 * checks the wait drives virtual time to the next event, up to `within`.
 */
export async function toConverge(this: MatcherState, received: unknown, options?: unknown): Promise<MatcherResult> {
  const view = supervisorSubject(received, 'toConverge');
  const opts = optionsObject<ConvergeOptions>(options, 'toConverge');
  knownKeys(opts, ['within'], 'toConverge');
  const within = opts.within === undefined ? defaultTimeoutOf(view) : parseDuration(opts.within, 'toConverge.within');
  const start = view.runtime.now();
  const deadline = start + within;
  let failed: Exclude<WaitOutcome, { ok: true }> | undefined;
  let converged = false;
  for (;;) {
    await quiescenceOf(view, within);
    if (healthy(view)) {
      converged = true;
      break;
    }
    // A dead root never heals: no need to wait for the deadline.
    if (!view.runtime.isAlive(view.pid)) break;
    const remaining = deadline - view.runtime.now();
    if (remaining < 0) break;
    const outcome = await waitForEventOutcome(view, `${view.label} to converge`, () => true, remaining);
    if (!outcome.ok) {
      failed = outcome;
      break;
    }
  }
  const took = view.runtime.now() - start;
  const pass = converged;
  return result(pass, () => [
    hint(this, 'toConverge', 'options'),
    '',
    pass
      ? `Expected ${view.label} not to converge within ${formatDuration(within)}, but after ${formatDuration(took)} of virtual time it was alive with every child running.`
      : `Expected ${view.label} to converge within ${formatDuration(within)} (supervisor alive, every child running, at durable idle), but ${
          !view.runtime.isAlive(view.pid)
            ? `the supervisor is not alive (exit reason ${inline(view.runtime.exitReason(view.pid))})`
            : failed
              ? `it did not: the wait ${describeWaitFailed(failed)}`
              : `it had not after ${formatDuration(took)} of virtual time`
        }.`,
    '',
    'tree:',
    describeTree(treeOf(view)),
    ...tailBlock(view.runtime.history),
  ]);
}
