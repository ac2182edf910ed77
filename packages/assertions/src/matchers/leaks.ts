import { LeakError, type Leftover } from '@quiesce/harness';
import type { MatcherState } from 'vitest';
import { hint, type MatcherResult, result, tailBlock } from '../report.js';
import { systemSubject } from '../subjects.js';

function listed(things: readonly Leftover[]): string[] {
  return things.length === 0 ? ['  (none)'] : things.map((l) => `  - ${l.kind} ${l.label}, created at ${l.createdAt}`);
}

/**
 * After teardown: teardown's own leak check (awaiting the teardown if it is still running).
 * Before teardown, a dry run: what would outlive the test if it ended now.
 */
export async function toHaveNoLeaks(this: MatcherState, received: unknown): Promise<MatcherResult> {
  const system = systemSubject(received, 'toHaveNoLeaks');
  let leaks: readonly Leftover[];
  let when: string;
  if (system.tornDown) {
    when = 'after teardown';
    try {
      await system.teardown();
      leaks = [];
    } catch (error) {
      if (!(error instanceof LeakError)) throw error;
      leaks = error.leaks;
    }
  } else {
    when = 'now (a dry run: the system has not been torn down)';
    leaks = system.leftovers();
  }
  const pass = leaks.length === 0;
  return result(pass, () => [
    hint(this, 'toHaveNoLeaks', ''),
    '',
    pass
      ? `Expected something to outlive the test ${when}, but nothing does.`
      : `Expected nothing to outlive the test ${when}, but ${leaks.length} thing(s) do:`,
    ...(pass ? [] : listed(leaks)),
    ...tailBlock(system.history),
  ]);
}
