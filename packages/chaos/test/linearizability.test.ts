import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { QuiesceError, startServer, type Pid, type ProcessContext, type Runtime } from '@quiesce/runtime';
import { test } from '@quiesce/harness';
import { checkLinearizable, resolveModel, type Operation } from '@quiesce/chaos';
import {
  assertLinearizable,
  checkConcurrent,
  LinearizabilityError,
  replayConcurrent,
  type ConcurrentSpec,
  type SequentialModel,
} from '@quiesce/chaos/linearizability';

type Op = 'inc' | 'read';

/** A counter: `inc` adds one and returns 'ok', `read` returns the count. */
const counter: SequentialModel<number, Op, number | 'ok'> = {
  init: 0,
  step: (n, op) => (op === 'inc' ? { state: n + 1, output: 'ok' } : { state: n, output: n }),
};

/** A server holding a number: `get` answers it, `{ set }` replaces it, `inc` adds one in one step. */
function startCounter(runtime: Runtime): Promise<Pid> {
  return startServer(
    runtime,
    {
      init: () => ({ state: 0 }),
      handleCall: (request: 'get' | 'inc' | { set: number }, _from, n: number) => {
        if (request === 'get') return { reply: n, state: n };
        if (request === 'inc') return { reply: 'ok', state: n + 1 };
        return { reply: 'ok', state: request.set };
      },
    },
    undefined,
    { label: 'counter' },
  );
}

const read = (ctx: ProcessContext, server: Pid): Promise<number> => ctx.call<number>(server, 'get');

/** The bug: inc reads, then writes what it read plus one, in two calls another client can come between. */
const racy: ConcurrentSpec<Pid, number, Op, number | 'ok'> = {
  setup: startCounter,
  run: async (ctx, server, op) => {
    if (op === 'read') return read(ctx, server);
    const n = await read(ctx, server);
    return ctx.call<'ok'>(server, { set: n + 1 });
  },
  model: counter,
  operation: fc.constantFrom<Op>('inc', 'read'),
};

/** The fix: the server increments in one step. */
const fixed: ConcurrentSpec<Pid, number, Op, number | 'ok'> = {
  ...racy,
  run: (ctx, server, op) => (op === 'read' ? read(ctx, server) : ctx.call<'ok'>(server, 'inc')),
};

const SWEEP = { scenarios: 60, clients: 3, operations: 3, schedules: 8 };

describe('concurrent scenarios checked for linearizability', () => {
  test('a read-modify-write race across two calls is found, shrunk to 2 clients x 3 operations', async ({ system }) => {
    const report = await checkConcurrent(racy, { seed: system.seed, ...SWEEP });
    expect(report.ok).toBe(false);
    const failure = report.failure!;
    expect(failure.scenario).toHaveLength(2);
    expect(failure.scenario.flat()).toHaveLength(3);
    expect(failure.scenario.flat().sort()).toEqual(['inc', 'inc', 'read']);
    expect(failure.verdict.linearizable).toBe(false);
    expect(failure.timeline).toContain('not linearizable: no order of these operations that respects their real-time order is accepted by the model.');
    expect(failure.timeline).toMatch(/"read" returned 1, but the model says 2/);
  });

  test('the failure prints the timeline of overlapping calls and replays from its token 100 times out of 100', async ({ system }) => {
    const error = await assertLinearizable(racy, { seed: system.seed, ...SWEEP }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LinearizabilityError);
    const e = error as LinearizabilityError;
    expect(e.code).toBe('NOT_LINEARIZABLE');
    expect(e.message).toMatch(/^a concurrent history is not linearizable \(shrunk to 2 client\(s\) x 3 operation\(s\); \d+ histories checked\):/);
    // Bars: each call from its invocation to its response, over the history's events in order.
    expect(e.message).toMatch(/c\d #0\s+\[-+\]/);
    expect(e.message).toContain(`replay: replayConcurrent(spec, '${e.run.token}')`);
    const histories = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const run = await replayConcurrent(racy, e.run.token);
      expect(run.verdict.linearizable).toBe(false);
      histories.add(JSON.stringify(run.history));
    }
    expect([...histories]).toEqual([JSON.stringify(e.run.history)]);
  });

  test('the fixed server passes the same sweep', async ({ system }) => {
    const report = await checkConcurrent(fixed, { seed: system.seed, ...SWEEP });
    expect(report).toMatchObject({ ok: true, failure: undefined, scenarios: SWEEP.scenarios });
    expect(report.histories).toBe(SWEEP.scenarios * SWEEP.schedules);
  });

  test('a setup that takes virtual time is driven; a heartbeat does not keep a run going once the clients are done', async ({ system }) => {
    const beating: ConcurrentSpec<Pid, number, Op, number | 'ok'> = {
      ...fixed,
      setup: (runtime) =>
        startServer(
          runtime,
          {
            init: async (_args: undefined, ctx) => {
              await ctx.sleep(250);
              ctx.sendAfter(10, 'beat');
              return { state: 0 };
            },
            handleCall: (request: 'get' | 'inc', _from, n: number) => (request === 'get' ? { reply: n, state: n } : { reply: 'ok', state: n + 1 }),
            handleInfo: (_beat, n: number, ctx) => {
              ctx.sendAfter(10, 'beat');
              return { state: n };
            },
          },
          undefined,
        ),
    };
    // Were a run to go on to its timeout, a beat every 10 ms for 1,000,000 ms would be 100,000 timers per run.
    const report = await checkConcurrent(beating, { seed: system.seed, scenarios: 5, schedules: 2, timeout: 1_000_000 });
    expect(report).toMatchObject({ ok: true, histories: 10, failure: undefined });
  });

  test("the explorer's PCT strategy as the schedule source finds the race too, and passes the fixed server", async ({ system }) => {
    const pct = { ...SWEEP, schedules: { strategy: 'pct' as const, count: 8, depth: 2 } };
    const failing = await checkConcurrent(racy, { seed: system.seed, ...pct });
    expect(failing.ok).toBe(false);
    expect(failing.failure!.scenario.flat()).toHaveLength(3);
    expect((await replayConcurrent(racy, failing.failure!.token)).history).toEqual(failing.failure!.history);
    expect((await checkConcurrent(fixed, { seed: system.seed, ...pct })).ok).toBe(true);
    await expect(checkConcurrent(fixed, { seed: 1, schedules: { strategy: 'dfs', count: 2 } as never })).rejects.toThrow(
      /checkConcurrent options\.schedules\.strategy: got "dfs"; expected 'random' or 'pct'/,
    );
  });

  test('a schedule source can be plugged in: each scenario runs under the schedules it gives', async ({ system }) => {
    const asked: number[] = [];
    const report = await checkConcurrent(fixed, {
      seed: system.seed,
      scenarios: 5,
      schedules: {
        count: 2,
        schedule: (index) => {
          asked.push(index);
          return index === 0 ? 'fifo' : { random: 7 };
        },
      },
    });
    expect(report.ok).toBe(true);
    expect(asked).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });
});

describe('the checker', () => {
  const model = resolveModel<number, Op, number | 'ok'>('model', counter);
  const op = (id: number, client: number, input: Op, output: number | 'ok', call: number, ret: number | undefined): Operation<Op, number | 'ok'> => ({
    id,
    client,
    input,
    output,
    call,
    ret,
  });

  test('overlapping calls may take effect in either order; sequential ones may not', () => {
    // inc [0..3] overlaps read [1..2]: the read may see 0 or 1.
    expect(checkLinearizable([op(0, 0, 'inc', 'ok', 0, 3), op(1, 1, 'read', 1, 1, 2)], model).linearizable).toBe(true);
    expect(checkLinearizable([op(0, 0, 'inc', 'ok', 0, 3), op(1, 1, 'read', 0, 1, 2)], model).linearizable).toBe(true);
    // inc [0..1] then read [2..3]: the read must see 1.
    const verdict = checkLinearizable([op(0, 0, 'inc', 'ok', 0, 1), op(1, 1, 'read', 0, 2, 3)], model);
    expect(verdict.linearizable).toBe(false);
    expect(verdict).toMatchObject({ longest: [{ id: 0 }], state: 1, stuck: [{ op: { id: 1 }, expected: 1 }] });
  });

  test('a pending operation may have taken effect, or not', () => {
    const pendingInc = op(0, 0, 'inc', 'ok', 0, undefined);
    expect(checkLinearizable([pendingInc, op(1, 1, 'read', 1, 1, 2)], model).linearizable).toBe(true);
    expect(checkLinearizable([pendingInc, op(1, 1, 'read', 0, 1, 2)], model).linearizable).toBe(true);
    expect(checkLinearizable([pendingInc, op(1, 1, 'read', 2, 1, 2)], model).linearizable).toBe(false);
  });

  test('agrees with a brute-force search over every order, on random small histories', () => {
    const history = fc
      .array(fc.record({ input: fc.constantFrom<Op>('inc', 'read'), output: fc.integer({ min: 0, max: 3 }), span: fc.tuple(fc.nat(9), fc.nat(9)) }), {
        minLength: 1,
        maxLength: 5,
      })
      .map((ops) =>
        ops.map((o, id) => {
          const [a, b] = o.span;
          // Distinct positions: the tens say when, the units which operation.
          return op(id, id, o.input, o.input === 'inc' ? 'ok' : o.output, 20 * Math.min(a, b) + id, 20 * Math.max(a, b) + 10 + id);
        }),
      );
    fc.assert(
      fc.property(history, (ops) => {
        expect(checkLinearizable(ops, model).linearizable).toBe(bruteForce(ops));
      }),
      { numRuns: 300 },
    );
  });

  test('bad specs, models and options are refused, naming them', async ({ system }) => {
    await expect(checkConcurrent({ ...racy, model: { step: () => ({}) } as never }, { seed: 1 })).rejects.toThrow(/concurrent spec\.model/);
    await expect(checkConcurrent({ ...racy, operation: ['inc'] as never }, { seed: 1 })).rejects.toThrow(/concurrent spec\.operation/);
    await expect(checkConcurrent(racy, { seed: 1, clinets: 2 } as never)).rejects.toThrow(/did you mean 'clients'/);
    await expect(replayConcurrent(racy, 'nope')).rejects.toThrow(/replayConcurrent\(token\): got "nope"/);
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            seed: fc.anything(),
            scenarios: fc.anything(),
            clients: fc.anything(),
            operations: fc.anything(),
            schedules: fc.anything(),
            timeout: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        async (options) => {
          const int = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
          const ok =
            int(options.seed, 0, 0xffffffff) &&
            (options.scenarios === undefined || int(options.scenarios, 1)) &&
            (options.clients === undefined || int(options.clients, 1, 32)) &&
            (options.operations === undefined || int(options.operations, 1, 64)) &&
            (options.schedules === undefined || int(options.schedules, 1)) &&
            (options.timeout === undefined || int(options.timeout, 1));
          fc.pre(!ok);
          await expect(checkConcurrent(fixed, options as never)).rejects.toThrow(QuiesceError);
        },
      ),
      { numRuns: 100 },
    );
    expect(system.seed).toBeTypeOf('number');
  });
});

/** Linearizable by definition: some permutation respecting real-time order that the model accepts. */
function bruteForce(ops: readonly Operation<Op, number | 'ok'>[]): boolean {
  const permute = (rest: readonly Operation<Op, number | 'ok'>[], state: number, lastRetBefore: readonly Operation<Op, number | 'ok'>[]): boolean => {
    if (rest.length === 0) return true;
    return rest.some((o) => {
      // o may go next only if no remaining operation returned before o was called.
      if (rest.some((p) => p !== o && p.ret! < o.call)) return false;
      const next = counter.step(state, o.input);
      if (next.output !== o.output) return false;
      return permute(
        rest.filter((p) => p !== o),
        next.state,
        [...lastRetBefore, o],
      );
    });
  };
  return permute(ops, 0, []);
}
