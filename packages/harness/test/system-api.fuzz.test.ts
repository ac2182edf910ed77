// Every public method of TestSystem and Inbox, called with anything (null, wrong types, pids of
// other runtimes), either works or throws (rejects with) a QuiesceError — `system.monitor(null)`
// used to throw a raw TypeError. Each run gets a fresh system, torn down after the call; whatever
// settled by then is judged (teardown interrupts a wait that is still pending).
import fc from 'fast-check';
import { Pid, supervisor, worker } from '@quiesce/runtime';
import { createTestSystem, Inbox, TestSystem } from '@quiesce/harness';
import { describe, expect, test } from 'vitest';
// The same call-and-judge helpers as the runtime's api-fuzz.test.ts.
import { expectQuiesceOrOk, invoke, methodsOf, MISTAKES } from '../../runtime/test/support/call-outcome.js';

/** Values a caller might plausibly pass by mistake, beside fully random ones. */
function argumentPool(): fc.Arbitrary<unknown> {
  const junk = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withDate: true, maxDepth: 2 });
  return fc.oneof(
    { weight: 3, arbitrary: junk },
    {
      weight: 4,
      arbitrary: fc.constantFrom<unknown>(
        'LIVE',
        'SUP',
        new Pid(1_000_000, 1),
        'taken',
        'system.start',
        { kind: 'system.start' },
        { timeout: 10 },
        { timeoutt: 10 },
        { since: 'start' },
        { pid: null },
        /x/,
        { kind: 'thing', label: 'x', dispose: () => undefined, alive: () => false },
        ...MISTAKES,
      ),
    },
  );
}

async function fuzzMethod(method: string, target: (system: TestSystem) => object): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(argumentPool(), { maxLength: 4 }), async (raw) => {
      const system = createTestSystem({ testId: `fuzz ${method}` });
      const live = system.runtime.spawn(() => undefined, { name: 'taken' });
      const sup = await system.start(supervisor({ id: 'sup', children: [worker('w', (ctx) => ctx.spawn(() => undefined))] }));
      const args = raw.map((a) => (a === 'LIVE' ? live : a === 'SUP' ? sup : a));
      const where = `${method}(${args.map((a) => typeof a).join(', ')})`;
      const call = invoke(target(system), method, args);
      const torn = await system.teardown().then(
        () => undefined,
        (error: unknown) => error,
      );
      if (torn !== undefined) expectQuiesceOrOk(`${where}, then teardown`, { ok: false, error: torn });
      expectQuiesceOrOk(where, call.outcome);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 100) },
  );
}

// Left out: spawn (it would run programs: its parsing is fuzzed in os/options.fuzz.test.ts),
// port/awaitListening/awaitHealthy (real sockets; fuzzed there too), teardown (run after every call).
const SYSTEM_SKIP = ['spawn', 'port', 'awaitListening', 'awaitHealthy', 'teardown'];

describe('every public method of TestSystem rejects bad arguments with a QuiesceError', () => {
  test.each(methodsOf(TestSystem.prototype, SYSTEM_SKIP))('%s', async (method) => {
    await fuzzMethod(method, (system) => system);
  });
});

describe('every public method of Inbox rejects bad arguments with a QuiesceError', () => {
  test.each(methodsOf(Inbox.prototype, []))('%s', async (method) => {
    await fuzzMethod(method, (system) => {
      system.inbox.pid; // created before the call
      return system.inbox;
    });
  });
});

test('system.monitor(null) names the argument', async () => {
  const system = createTestSystem({ testId: 'monitor null' });
  expect(() => system.monitor(null as never)).toThrow(/^monitor\(target\): got null; expected a Pid, a SupervisorRef or a DynamicSupervisorRef$/);
  await system.teardown();
});
