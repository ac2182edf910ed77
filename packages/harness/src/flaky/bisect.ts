import { deriveSeed } from '@quiesce/runtime';
import type { Bisection, BisectionStep, RunRaw, TestRaw } from './model.js';
import type { RunResult, Selection } from './vitest-session.js';

/** Runs a file's chosen tests with chosen seeds: a VitestSession in the CLI. */
export type RunTests = (selection: Selection[], seeds: { shuffleSeed: number; harnessSeed: number }) => Promise<RunResult>;

/**
 * Find what makes an order-dependent test fail: starting from a failing run, rerun it with the
 * same seeds and only the tests that ran before it (a subset of a file's tests keeps the order
 * the file had), halving that list while it still fails. Then confirm with another harness seed:
 * with the polluter first it fails, alone it passes.
 */
export async function bisect(test: TestRaw, failingRun: RunRaw, spec: Selection['spec'], runTests: RunTests): Promise<Bisection> {
  const steps: BisectionStep[] = [];
  const attempt = async (before: readonly string[], harnessSeed: number): Promise<boolean> => {
    const result = await runTests([{ spec, testIds: [...before, test.id] }], { shuffleSeed: failingRun.shuffleSeed, harnessSeed });
    const failed = result.records.some((r) => r.id === test.id && r.status === 'failed');
    steps.push({ tests: result.order[test.file] ?? [], harnessSeed, failed });
    return failed;
  };
  const done = (orderDependent: boolean, polluters: string[], note: string): Bisection => ({
    test: test.id,
    fromRun: failingRun.index,
    steps,
    orderDependent,
    polluters,
    note,
  });

  const order = failingRun.order[test.file] ?? [];
  const before = order.slice(0, Math.max(0, order.indexOf(test.id)));
  const seed = failingRun.harnessSeed;
  if (await attempt([], seed)) return done(false, [], `fails alone with run ${failingRun.index}'s seeds: not order-dependent`);
  if (before.length === 0 || !(await attempt(before, seed))) {
    return done(false, [], `did not fail again with run ${failingRun.index}'s order and seeds: flaky on its own`);
  }
  let suspects = before;
  while (suspects.length > 1) {
    const half = Math.ceil(suspects.length / 2);
    const [first, second] = [suspects.slice(0, half), suspects.slice(half)];
    if (await attempt(first, seed)) suspects = first;
    else if (await attempt(second, seed)) suspects = second;
    else break; // it takes tests from both halves together
  }
  const other = deriveSeed(seed, 'bisect:confirm');
  const confirmed = (await attempt(suspects, other)) && !(await attempt([], other));
  const who = suspects.length === 1 ? 'one test' : `${suspects.length} tests together`;
  return confirmed
    ? done(true, suspects, `fails when ${who} ran before it, passes alone (confirmed with a second harness seed)`)
    : done(false, suspects, `the order ${who} gave did not reproduce the failure with a second harness seed`);
}
