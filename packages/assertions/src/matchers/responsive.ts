import { QuiesceError } from '@quiesce/runtime';
import { WaitError, defaultTimeoutOf, describeWaitFailed, waitForOutcome } from '@quiesce/harness';
import type { MatcherState } from 'vitest';
import type { ResponsiveOptions } from '../matcher-types.js';
import { knownKeys, optionsObject, timeoutOption } from '../options/validate.js';
import { hint, inline, type MatcherResult, result, tailBlock } from '../report.js';
import { processSubject } from '../subjects.js';

export async function toBeResponsive(this: MatcherState, received: unknown, options?: unknown): Promise<MatcherResult> {
  const view = processSubject(received, 'toBeResponsive');
  const opts = optionsObject<ResponsiveOptions>(options, 'toBeResponsive');
  knownKeys(opts, ['timeout'], 'toBeResponsive');
  const timeout = timeoutOption(opts.timeout, 'toBeResponsive') ?? defaultTimeoutOf(view);
  const who = `${view.label} (${view.pid})`;
  let why: string | undefined;
  try {
    if (view.system) {
      await view.system.sync(view.pid, { timeout });
    } else {
      const outcome = await waitForOutcome(view, `${who} to sync`, view.runtime.sync(view.pid, 'infinity'), timeout);
      if (!outcome.ok) why = `the sync ${describeWaitFailed(outcome)}`;
    }
  } catch (error) {
    if (error instanceof WaitError && (error.failure === 'timeout' || error.failure === 'deadlock')) {
      why = `the sync ${describeWaitFailed({ ok: false, failure: error.failure, virtual: error.virtualElapsed, real: error.realElapsed, message: error.message })}`;
    } else if (error instanceof QuiesceError && (error.code === 'NOPROC' || error.code === 'CALL_EXIT')) {
      const reason = view.runtime.exitReason(view.pid);
      why = `it is not alive${reason === undefined ? '' : ` (exit reason ${inline(reason)})`}`;
    } else {
      throw error;
    }
  }
  const pass = why === undefined;
  return result(pass, () => [
    hint(this, 'toBeResponsive', ''),
    '',
    pass
      ? `Expected ${who} not to answer a sync within ${timeout} ms, but it answered after handling its mailbox.`
      : `Expected ${who} to answer a sync within ${timeout} ms, but ${why}.`,
    ...tailBlock(view.runtime.history),
  ]);
}
