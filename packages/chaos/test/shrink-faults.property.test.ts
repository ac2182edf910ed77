// The delta debugger behind shrinkFaults, as a property: whatever the schedule, when the failure
// needs a given subsequence of actions (and nothing else), shrinking ends on exactly that
// subsequence, every draw simplified to its lowest, within its re-run budget.
import fc from 'fast-check';
import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import { Runtime } from '@quiesce/runtime';
import { monkey, shrinkFaults, type FaultSchedule, type MonkeyAction } from '@quiesce/chaos';

const NAMES = ['a0', 'a1', 'a2', 'a3', 'a4'];

/** A monkey on a bare runtime whose invariant fails once the actions it ran contain `bug` in order. */
async function run(bug: readonly string[], schedule: FaultSchedule) {
  const rt = new Runtime({ clock: 'virtual', seed: schedule.seed });
  const ran: string[] = [];
  const actions: MonkeyAction[] = NAMES.map((name) => ({ name, run: () => void ran.push(name) }));
  const contains = (): boolean => {
    let i = 0;
    for (const name of ran) if (name === bug[i]) i++;
    return i === bug.length;
  };
  const report = await monkey(rt, { actions, invariants: { 'no bug': () => !contains() || `ran ${bug.join(', ')}` }, schedule }).run();
  await rt.shutdown();
  return report;
}

test('shrinking ends on exactly the actions the failure needs, draws at their lowest, within its budget', async () => {
  const step = fc.record({ action: fc.constantFrom(...NAMES), draws: fc.nat({ max: 0xffffffff }), gap: fc.integer({ min: 0, max: 50 }) });
  const cases = fc
    .tuple(fc.array(step, { minLength: 1, maxLength: 40 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.nat({ max: 1000 }))
    .map(([steps, keep, seed]) => {
      const bug = steps.filter((_, i) => keep[i]).map((s) => s.action);
      return { steps, bug: bug.length > 0 ? bug.slice(0, 3) : [steps[0]!.action], seed };
    });
  await fc.assert(
    fc.asyncProperty(cases, async ({ steps, bug, seed }) => {
      const failing = await run(bug, { seed, steps });
      expect(failing.ok).toBe(false);
      const shrunk = await shrinkFaults((schedule) => run(bug, schedule), failing, { runs: 500 });
      expect(shrunk.complete).toBe(true);
      expect(shrunk.runs).toBeLessThanOrEqual(500);
      expect(shrunk.minimal.steps.map((s) => s.action)).toEqual(bug);
      expect(shrunk.minimal.steps.every((s) => s.draws === 'lowest')).toBe(true);
      expect(shrunk.failure).toBe("the invariant 'no bug'");
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 40) },
  );
});
