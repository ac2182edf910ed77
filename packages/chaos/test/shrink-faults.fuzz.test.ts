// The fault-schedule options, fuzzed: monkey's `schedule` (objects and tokens), shrinkFaults' options
// and report, sweep's `shrink` and `schedule`. Each works or throws a QuiesceError naming the
// option, and a refusal runs nothing.
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { test } from '@quiesce/harness';
import { QuiesceError, supervisor, worker } from '@quiesce/runtime';
import { type FaultSchedule, monkey, shrinkFaults, sweep, type MonkeyAction } from '@quiesce/chaos';
import { MISTAKES } from '../../runtime/test/support/call-outcome.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

const anything = fc.oneof(
  fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, maxDepth: 2 }),
  fc.constantFrom(...MISTAKES, -1, 1.5, 2 ** 32, 'lowest', 'none', 'f1:', 'f1:0:', 'f1:0:kill/1/1', 'f1:zzzzzzzz:', []),
);

/** Tokens near a valid one: the right shape with fuzzed parts, or a valid one with a character changed. */
const tokens = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('0', '1', 'zz', '-1', ''),
      fc.array(
        fc.tuple(
          fc.constantFrom('kill', 'mine', 'none', 'nope', '', '%E0%A4%A'),
          fc.constantFrom('_', '0', 'k8', '-', 'zzzzzzzz'),
          fc.constantFrom('0', 'a', '', '1.5'),
        ),
        { maxLength: 3 },
      ),
    )
    .map(([seed, steps]) => `f1:${seed}:${steps.map((s) => s.join('/')).join(',')}`),
  fc.tuple(fc.nat(20), fc.string({ minLength: 1, maxLength: 1 })).map(([i, c]) => {
    const valid = 'f1:0:kill/1/a,mine/_/0';
    return valid.slice(0, i) + c + valid.slice(i + 1);
  }),
);

describe('fault schedule options, fuzzed', () => {
  test('monkey options.schedule: a schedule, a token or anything: it works or names monkey options.schedule, and nothing is recorded', async ({ system }) => {
    system.trapExits();
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('w', (ctx) => ctx.spawn(() => undefined))] }));
    const mine: MonkeyAction = { name: 'mine', run: () => undefined };
    const step = fc.record({
      action: fc.oneof(fc.constantFrom('kill', 'mine', 'none', 'nope'), anything),
      draws: fc.oneof(fc.constantFrom('lowest', 0, 7), anything),
      gap: fc.oneof(fc.constantFrom(0, 10), anything),
    });
    const schedules = fc.oneof(
      anything,
      tokens,
      fc.record({ seed: fc.oneof(fc.constant(system.seed), anything), steps: fc.oneof(fc.array(step, { maxLength: 3 }), anything) }),
    );
    fc.assert(
      fc.property(schedules, (schedule) => {
        const before = system.history.events.length;
        try {
          monkey(system, { target: pool, actions: [mine], schedule: schedule as never });
        } catch (error) {
          expect(error, fc.stringify(schedule)).toBeInstanceOf(QuiesceError);
          expect((error as Error).message).toContain('monkey options.schedule');
          expect(system.history.events.length).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('shrinkFaults: options and the report fuzzed; a refusal never re-runs anything', async ({ system }) => {
    const options = { actions: [{ name: 'boom', run: () => undefined }], steps: 1, invariants: { never: () => false } };
    const failing = await monkey(system, options).run();
    let reruns = 0;
    const rerun = async (schedule: FaultSchedule) => {
      reruns++;
      return monkey(system, { ...options, schedule }).run();
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('runs', 'time', 'report', 'options'), anything, async (key, value) => {
        const options = key === 'options' ? value : key === 'report' ? { runs: 0 } : { runs: 0, [key]: value };
        const before = reruns;
        const outcome = await shrinkFaults(rerun, (key === 'report' ? value : failing) as never, options as never).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (outcome === undefined) return;
        expect(outcome).toBeInstanceOf(QuiesceError);
        expect((outcome as Error).message).toContain(key === 'report' ? 'shrinkFaults(report)' : 'shrinkFaults options');
        expect(reruns).toBe(before);
      }),
      { numRuns: RUNS },
    );
    expect(failing.ok).toBe(false);
  });

  test('sweep options.shrink and options.schedule fuzzed: a QuiesceError naming the option, and the scenario never runs', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('shrink', 'schedule'), fc.oneof(anything, tokens, fc.record({ runs: anything, time: anything })), async (key, value) => {
        const before = ran;
        const outcome = await sweep(() => void ran++, { seeds: [1], [key]: value } as never).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (outcome === undefined) return;
        expect(outcome).toBeInstanceOf(QuiesceError);
        expect((outcome as Error).message).toContain(`sweep options.${key}`);
        expect(ran).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });
});
