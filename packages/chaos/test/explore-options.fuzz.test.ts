// explore's options, fuzzed: a call with one option replaced by anything either runs or throws a
// QuiesceError naming that option, before any run (the scenario is never called).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { explore, type ExploreOptions } from '@quiesce/chaos';
import { MISTAKES } from '../../runtime/test/support/call-outcome.js';

const VALID: ExploreOptions = {
  strategy: 'pct',
  runs: 3,
  depth: 2,
  preemptionBound: 1,
  seed: 9,
  reduction: 'none',
  check: () => true,
  maxSteps: 100,
  shrink: true,
  shrinkRuns: 5,
  keepGoing: false,
  recordMessages: false,
};

const anything = fc.oneof(
  fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, maxDepth: 2 }),
  fc.constantFrom(...MISTAKES, -1, 0.5, 2 ** 32, 1e9, Number.NaN, Number.POSITIVE_INFINITY, 'random', 'exhaustive', 'sleep-sets'),
);

/** Fails at once: whatever options are accepted, the exploration ends after one run. */
const failing = (): false => false;

async function judge(where: string, names: string, run: () => Promise<unknown>): Promise<void> {
  let pending: Promise<unknown>;
  try {
    pending = run();
  } catch (error) {
    if (!(error instanceof QuiesceError)) throw new Error(`${where} threw ${String(error)}, not a QuiesceError`, { cause: error });
    expect(error.message, where).toContain(names);
    return;
  }
  await pending;
}

describe('explore options, fuzzed', () => {
  test.each(Object.keys(VALID))('options.%s', async (key) => {
    await fc.assert(
      fc.asyncProperty(anything, async (value) => {
        await judge(`explore options.${key} = ${fc.stringify(value)}`, `explore options.${key}`, () => explore(failing, { ...VALID, [key]: value }));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
    );
  });

  test('the whole options object, the scenario, and an unknown key named with the closest', async () => {
    await fc.assert(
      fc.asyncProperty(anything, anything, async (options, scenario) => {
        let ran = false;
        try {
          await explore(scenario as never, options as never);
          ran = true;
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
        expect(ran).toBe(false);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
    );
    expect(() => explore(failing, { strategy: 'pct', preemtionBound: 2 } as never)).toThrow(/explore options\.preemtionBound.*preemptionBound/);
  });

  test('replay: the token and the options', async () => {
    await fc.assert(
      fc.asyncProperty(anything, fc.constantFrom('check', 'maxSteps', 'recordMessages'), anything, async (token, key, value) => {
        await judge('replay token', 'explore.replay(token)', () => explore.replay(failing, token as string));
        await judge(`replay options.${key}`, `explore.replay options.${key}`, () => explore.replay(failing, 'q1:0:', { [key]: value }));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
    );
  });
});
