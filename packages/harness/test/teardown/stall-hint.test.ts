import { expect, test } from 'vitest';
import { cleanEnv, runVitest } from '../preset/vitest-subprocess.js';

// The hint has to reach the output of a real timed-out test: Vitest runs the fixture's cleanup
// (teardown) before onTestFailed, and a torn-down system has nothing left to say.
test('a test that times out awaiting kernel time undriven prints the stall hint', async ({ signal }) => {
  const run = await runVitest(
    'packages/harness/test/teardown/fixtures/stalled.fixture.ts --config packages/harness/test/prop/fixtures/vitest.config.ts',
    cleanEnv(),
    signal,
  );
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.stdout + run.stderr).toMatch(/Test timed out in 300ms/);
  expect(run.stdout + run.stderr).toMatch(
    /hint: the system sat idle at 0 ms virtual with 1 timer\(s\) pending \(the next at 5000 ms\).*system\.drive\(promise\)/,
  );
});
