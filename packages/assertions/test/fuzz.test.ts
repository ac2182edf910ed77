import { stripVTControlCharacters } from 'node:util';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { QuiesceError, supervisor, worker } from '@quiesce/runtime';
import { test } from '@quiesce/harness';
import { atMostRestarts, childrenStoppedRightToLeft, parseDuration, sometimes, transientNotRestartedAfterNormalExit } from '@quiesce/assertions';
import { flaky } from './support.js';

/**
 * Any input to a matcher or a property builder either works (the assertion passes or fails as an
 * assertion) or throws a QuiesceError naming the bad input: never a TypeError or the like.
 */
type Outcome = 'pass' | 'assertion' | 'invalid';

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    await run();
    return 'pass';
  } catch (error) {
    if (error instanceof QuiesceError) return 'invalid';
    if (error instanceof Error && stripVTControlCharacters(error.message).startsWith('expect(received).')) return 'assertion';
    throw error;
  }
}

const options = fc.oneof(
  fc.anything(),
  fc.record(
    { times: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.anything()), timeout: fc.oneof(fc.integer({ min: -1, max: 10_000 }), fc.double(), fc.anything()) },
    { requiredKeys: [] },
  ),
  fc.record({ within: fc.oneof(fc.constantFrom('10ms', '1s', '1.5m', '2h', '5 s', 's', '-1s', ''), fc.double(), fc.string()) }, { requiredKeys: [] }),
  fc.dictionary(fc.string(), fc.anything()),
);

describe('fuzzed matcher options', () => {
  test('every matcher: works or throws QuiesceError, whatever the arguments', async ({ system, inbox }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 5, children: [worker('w1', flaky()), worker('w2', flaky())] }));
    const w1 = pool.child('w1')!;
    const seen = new Set<Outcome>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(undefined), fc.constantFrom('w1', 'w2', ''), fc.anything()),
        options,
        fc.anything(),
        fc.boolean(),
        async (first, opts, arg, negate) => {
          const e = (subject: unknown) => (negate ? expect(subject).not : expect(subject));
          const results = [
            await outcome(() => e(pool).toRestart(first as never, opts as never)),
            await outcome(() => e(pool).toRestart(opts as never)),
            await outcome(() => e(w1).toBeResponsive(opts as never)),
            await outcome(() => e(inbox).toReceive(arg, opts as never)),
            await outcome(() => e(pool).toConverge(opts as never)),
            await outcome(() => e(pool).toHaveRestarted(arg as never, first as never)),
            await outcome(() => e(pool).toHaveChildren(arg as never)),
            await outcome(() => e(pool).toHaveChildCount(arg as never)),
            await outcome(() => e(pool).toHaveTerminatedInOrder(arg as never)),
            await outcome(() => e(w1).toHaveExited(arg)),
            await outcome(() => e(arg).toBeAlive()),
          ];
          for (const r of results) seen.add(r);
        },
      ),
      { numRuns: 120 },
    );
    // The generators reach all three outcomes, so the property is not vacuous.
    expect([...seen].sort()).toEqual(['assertion', 'invalid', 'pass']);
    // Nothing a failed assertion did moved the clock or disturbed the tree.
    expect(system.now()).toBe(0);
    expect(pool).toHaveChildren(['w1', 'w2']);
  });

  test('durations and property builders: a value or a QuiesceError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.double(), fc.stringMatching(/^\d{1,4}(\.\d{1,2})?\s?(ms|s|m|h|d)?$/)), (value) => {
        try {
          const ms = parseDuration(value, 'within');
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(ms)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), (n, window, child, label) => {
        for (const build of [
          () =>
            atMostRestarts(n as never)
              .within(window as never)
              .of(child as never)
              .by(label as never),
          () => childrenStoppedRightToLeft(label as never, child as never),
          () => transientNotRestartedAfterNormalExit(child as never),
          () => sometimes(label as never, window as never),
        ]) {
          try {
            build();
          } catch (error) {
            expect(error).toBeInstanceOf(QuiesceError);
          }
        }
      }),
    );
  });
});
