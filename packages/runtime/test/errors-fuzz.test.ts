import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  CallExitError,
  CallTimeoutError,
  InvalidOptionError,
  NoProcError,
  Pid,
  QuiesceError,
  Random,
  Runtime,
  describeValue,
  formatValue,
  startDynamicSupervisor,
  startServer,
  startSupervisor,
  supervisor,
  type SupervisorSpec,
} from '@quiesce/runtime';
import { crashable, vrt } from './support/helpers.js';

// Every public entry point either works or throws (rejects with) a QuiesceError; never a TypeError
// or another error type, and a rejected call leaves nothing started (docs/architecture.md, "Errors").

const junk = fc.anything({
  withBigInt: true,
  withNullPrototype: true,
  withBoxedValues: true,
  withObjectString: true,
  withMap: true,
  withSet: true,
  withDate: true,
});

/** Values around the edges of what an option accepts. */
const edgeNumber = fc.oneof(
  fc.integer({ min: -3, max: 6 }),
  fc.constantFrom(0.5, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 32, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER + 2),
  fc.double(),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof(arb, junk), { nil: undefined, freq: 3 });

function expectQuiesce(error: unknown): void {
  if (!(error instanceof QuiesceError)) throw new Error(`expected a QuiesceError, got ${String(error)}`, { cause: error });
  expect(typeof error.code).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
}

async function outcome(run: () => unknown): Promise<'ok' | QuiesceError> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    expectQuiesce(error);
    return error as QuiesceError;
  }
}

describe('fuzzing public option parsing', () => {
  test('Runtime options', async () => {
    const options = fc.oneof(
      junk,
      fc.record(
        {
          clock: maybe(fc.constantFrom('real', 'virtual', 'fake', '')),
          seed: maybe(edgeNumber),
          scheduler: maybe(
            fc.oneof(
              fc.constant('fifo'),
              fc.constant('random'),
              fc.record({ random: fc.oneof(edgeNumber, junk) }),
              fc.record({ replay: fc.oneof(fc.stringMatching(/^[0-9a-z.]{0,8}$/), junk) }),
              fc.record({ choose: junk }),
            ),
          ),
          recordMessages: maybe(fc.boolean()),
          history: maybe(fc.constant(null)),
          retain: maybe(fc.oneof(junk, fc.record({ events: maybe(edgeNumber), exited: maybe(edgeNumber) }, { requiredKeys: [] }))),
          // A typo is never ignored.
          sead: fc.option(edgeNumber, { nil: undefined, freq: 8 }),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(options, async (opts) => {
        const result = await outcome(async () => {
          const rt = new Runtime(opts as never);
          // A runtime that was accepted works.
          const pid = rt.spawn(() => undefined);
          expect(rt.isAlive(pid)).toBe(true);
        });
        if (result !== 'ok') expect(result.code).toBe('INVALID_OPTION');
        if (typeof opts === 'object' && opts !== null && 'sead' in opts) expect(result).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  test('spawn options and handler', async () => {
    const options = fc.oneof(
      junk,
      fc.record(
        {
          link: maybe(fc.constant('pid')),
          trapExit: maybe(fc.boolean()),
          name: maybe(fc.string({ maxLength: 4 })),
          label: maybe(fc.string({ maxLength: 4 })),
          init: maybe(fc.constant('fn')),
          trapexit: fc.option(fc.boolean(), { nil: undefined, freq: 8 }),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(options, fc.boolean(), async (raw, handlerIsFunction) => {
        const rt = vrt();
        const parent = rt.spawn(() => undefined, { name: 'taken' });
        const opts =
          typeof raw === 'object' && raw !== null && !Array.isArray(raw)
            ? {
                ...raw,
                ...((raw as { link?: unknown }).link === 'pid' ? { link: parent } : {}),
                ...((raw as { init?: unknown }).init === 'fn' ? { init: () => undefined } : {}),
              }
            : raw;
        const before = rt.history.length;
        const result = await outcome(() => rt.spawn((handlerIsFunction ? () => undefined : 'handler') as never, opts as never));
        if (typeof opts === 'object' && opts !== null && 'trapexit' in opts) expect(result).not.toBe('ok');
        if (result === 'ok') return;
        expect(['INVALID_OPTION', 'NAME_TAKEN']).toContain(result.code);
        expect(rt.processes()).toEqual([parent]);
        expect(rt.history.length).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  test('supervisor specs', async () => {
    const childArb = fc.oneof(
      { weight: 1, arbitrary: junk },
      {
        weight: 6,
        arbitrary: fc.record(
          {
            id: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('a', 'b', 'c', 'd') }, { weight: 1, arbitrary: fc.constantFrom('', 'x/y', 7, null) }),
            start: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('ok', 'ignore', 'error') }, { weight: 1, arbitrary: junk }),
            restart: maybe(fc.constantFrom('permanent', 'transient', 'temporary')),
            shutdown: maybe(fc.oneof(fc.constantFrom('brutal_kill', 'infinity'), edgeNumber)),
            type: maybe(fc.constantFrom('worker', 'supervisor')),
            significant: maybe(fc.boolean()),
            restrt: fc.option(fc.constantFrom('temporary'), { nil: undefined, freq: 10 }),
          },
          { requiredKeys: ['id', 'start'] },
        ),
      },
    );
    const specArb = fc.oneof(
      { weight: 1, arbitrary: junk },
      {
        weight: 8,
        arbitrary: fc.record(
          {
            kind: fc.oneof({ weight: 8, arbitrary: fc.constant('supervisor') }, { weight: 1, arbitrary: junk }),
            strategy: maybe(fc.constantFrom('one_for_one', 'one_for_all', 'rest_for_one')),
            intensity: maybe(edgeNumber),
            period: maybe(edgeNumber),
            autoShutdown: maybe(fc.constantFrom('never', 'any_significant', 'all_significant')),
            children: fc.oneof({ weight: 8, arbitrary: fc.array(childArb, { maxLength: 4 }) }, { weight: 1, arbitrary: junk }),
            intensty: fc.option(edgeNumber, { nil: undefined, freq: 10 }),
          },
          { requiredKeys: ['kind', 'children'] },
        ),
      },
    );
    const starts = { ok: crashable(), ignore: () => 'ignore' as const, error: () => ({ error: 'refused' }) };
    await fc.assert(
      fc.asyncProperty(specArb, async (raw) => {
        const rt = vrt();
        // Turn the start names into functions; anything else stays as generated.
        const spec =
          typeof raw === 'object' && raw !== null && Array.isArray((raw as { children?: unknown }).children)
            ? {
                ...raw,
                children: ((raw as { children: unknown[] }).children as unknown[]).map((c) =>
                  typeof c === 'object' && c !== null && typeof (c as { start?: unknown }).start === 'string' && (c as { start: string }).start in starts
                    ? { ...c, start: starts[(c as { start: keyof typeof starts }).start] }
                    : c,
                ),
              }
            : raw;
        const result = await outcome(async () => {
          const sup = await startSupervisor(rt, spec as SupervisorSpec);
          await sup.stop();
        });
        await rt.idle();
        // Whatever happened, nothing is left running.
        expect(rt.processes()).toEqual([]);
        const typo = (o: unknown, key: string) => typeof o === 'object' && o !== null && key in o;
        const children = (raw as { children?: unknown } | null)?.children;
        if (typo(raw, 'intensty') || (Array.isArray(children) && children.some((c) => typo(c, 'restrt')))) {
          expect(result).not.toBe('ok');
        }
        if (result === 'ok') return;
        expect(['INVALID_CHILD_SPEC', 'DUPLICATE_CHILD_ID', 'START_FAILED']).toContain(result.code);
        if (result.code !== 'START_FAILED') expect(rt.history.length).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  test('supervisor() builder and startSupervisor options', async () => {
    await fc.assert(
      fc.asyncProperty(
        junk,
        fc.oneof(
          junk,
          fc.record(
            { name: maybe(fc.string({ maxLength: 3 })), label: maybe(fc.string({ maxLength: 3 })), link: maybe(fc.constant(null)) },
            { requiredKeys: [] },
          ),
        ),
        async (raw, options) => {
          const rt = vrt();
          const result = await outcome(async () => {
            const sup = await startSupervisor(rt, supervisor(raw as never), options as never);
            await sup.stop();
          });
          await rt.idle();
          expect(rt.processes()).toEqual([]);
          if (result !== 'ok') expect(['INVALID_CHILD_SPEC', 'INVALID_OPTION', 'DUPLICATE_CHILD_ID']).toContain(result.code);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('startServer behaviour and options', async () => {
    const behaviourArb = fc.oneof(
      junk,
      fc.record(
        {
          init: fc.oneof(fc.constant('fn'), junk),
          handleCall: maybe(fc.constant('fn')),
          handleCast: maybe(fc.constant('fn')),
          handleInfo: maybe(fc.constant('fn')),
          terminate: maybe(fc.constant('fn')),
        },
        { requiredKeys: ['init'] },
      ),
    );
    const optionsArb = fc.oneof(
      junk,
      fc.record(
        {
          timeout: maybe(fc.oneof(fc.constant('infinity'), edgeNumber)),
          name: maybe(fc.string({ maxLength: 3 })),
          label: maybe(fc.string({ maxLength: 3 })),
          link: maybe(fc.constant('pid')),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(behaviourArb, optionsArb, async (rawB, rawO) => {
        const rt = vrt();
        const parent = rt.spawn(() => undefined);
        const fn = () => ({ state: 0 });
        const b = typeof rawB === 'object' && rawB !== null ? Object.fromEntries(Object.entries(rawB).map(([k, v]) => [k, v === 'fn' ? fn : v])) : rawB;
        const o = typeof rawO === 'object' && rawO !== null && (rawO as { link?: unknown }).link === 'pid' ? { ...rawO, link: parent } : rawO;
        const result = await outcome(() => startServer(rt, b as never, undefined, o as never));
        await rt.idle();
        if (result !== 'ok') {
          expect(['INVALID_OPTION', 'START_FAILED']).toContain(result.code);
          expect(rt.processes()).toEqual([parent]);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('advance, runTimers, call, sync and getState timeouts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(edgeNumber, junk), async (value) => {
        const rt = vrt();
        const pid = rt.spawn(() => undefined);
        const advanced = await outcome(() => rt.advance(value as number));
        if (advanced === 'ok') expect(rt.now() === value).toBe(true);
        else expect(rt.now()).toBe(0);
        if (value === 'infinity') return;
        // runTimers fires every pending timer, however far away: a valid timeout ends the wait.
        const settle = async (p: Promise<unknown>) => {
          const done = p.then(
            () => undefined,
            (e: unknown) => e,
          );
          await rt.runTimers();
          const error = await done;
          if (error !== undefined) throw error;
        };
        for (const run of [() => rt.sync(pid, value as number), () => rt.getState(pid, value as number)]) {
          const result = await outcome(() => settle(run()));
          if (result !== 'ok') expect(result.code).toBe('INVALID_OPTION');
        }
        const called = await outcome(() => settle(rt.call(pid, 'x', value as number)));
        expect(called).not.toBe('ok'); // a plain process never replies
        expect(['INVALID_OPTION', 'CALL_TIMEOUT']).toContain((called as QuiesceError).code);
        expect(await outcome(() => new Runtime().advance(value as number))).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  test('link, unlink, monitor, demonitor, exit and call targets', async () => {
    await fc.assert(
      fc.asyncProperty(junk, fc.boolean(), async (target, trapExit) => {
        const rt = vrt();
        const p = rt.spawn(() => undefined, { trapExit });
        const runs = [
          () => rt.link(p, target as never),
          () => rt.unlink(p, target as never),
          () => rt.monitor(p, target as never),
          () => rt.demonitor(target as never),
          () => rt.exit(target as never, 'boom', p),
          () => rt.call(target as never, 'x', 10),
          () => rt.sync(target as never, 10),
        ];
        for (const run of runs) {
          const result = await outcome(run);
          if (result !== 'ok') expect(['INVALID_OPTION', 'NOPROC']).toContain(result.code);
        }
        await rt.runTimers();
        // A rejected link leaves the caller as it was: alive, and unaffected later.
        expect(rt.isAlive(p)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('DynamicSupervisor options', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          junk,
          fc.record(
            {
              maxChildren: maybe(edgeNumber),
              intensity: maybe(edgeNumber),
              period: maybe(edgeNumber),
              name: maybe(fc.string({ maxLength: 3 })),
              maxChilds: fc.option(edgeNumber, { nil: undefined, freq: 8 }),
            },
            { requiredKeys: [] },
          ),
        ),
        async (options) => {
          const rt = vrt();
          const result = await outcome(async () => {
            const dyn = await startDynamicSupervisor(rt, options as never);
            await dyn.stop();
          });
          await rt.idle();
          expect(rt.processes()).toEqual([]);
          if (result !== 'ok') expect(['INVALID_OPTION', 'INVALID_CHILD_SPEC']).toContain(result.code);
          if (typeof options === 'object' && options !== null && 'maxChilds' in options) expect(result).not.toBe('ok');
        },
      ),
      { numRuns: 200 },
    );
  });

  test('Random.int and Random.pick', () => {
    fc.assert(
      fc.property(fc.oneof(edgeNumber, junk), (n) => {
        const r = new Random(1);
        try {
          const k = r.int(n as number);
          expect(Number.isInteger(k) && k >= 0 && k < (n as number)).toBe(true);
        } catch (error) {
          expectQuiesce(error);
        }
      }),
    );
  });
});

describe('error classes and value rendering', () => {
  test('every error class is a QuiesceError with a stable code and its name', () => {
    const pid = new Pid(1, 2);
    const cases: Array<[QuiesceError, string, string]> = [
      [new InvalidOptionError('opt', 5, 'a string'), 'INVALID_OPTION', 'InvalidOptionError'],
      [new InvalidOptionError('opt', 5, 'a string', 'INVALID_CHILD_SPEC'), 'INVALID_CHILD_SPEC', 'InvalidOptionError'],
      [new NoProcError(String(pid), 'send'), 'NOPROC', 'NoProcError'],
      [new CallTimeoutError('srv', 10), 'CALL_TIMEOUT', 'CallTimeoutError'],
      [new CallExitError('srv', { shutdown: 1 }), 'CALL_EXIT', 'CallExitError'],
      [new QuiesceError('LEAK', 'leaked'), 'LEAK', 'QuiesceError'],
    ];
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(QuiesceError);
      expect(error).toBeInstanceOf(Error);
      expect([error.code, error.name]).toEqual([code, name]);
    }
    expect(cases[0]![0].message).toBe('opt: got 5; expected a string');
    expect(cases[0]![0].details).toEqual({ option: 'opt', value: 5, accepted: 'a string' });
    expect(cases[2]![0].message).toBe('send: no process <0.2>');
    expect(cases[4]![0].message).toBe('call to srv failed: the server exited with {"shutdown":1}');
    expect(new QuiesceError('LEAK', 'x').details).toEqual({});
  });

  test('describeValue names every kind of value compactly', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    function named() {}
    expect(describeValue('s')).toBe('"s"');
    expect(describeValue(named)).toBe('a function (named)');
    expect(
      describeValue(
        (
          () => () =>
            undefined
        )(),
      ),
    ).toBe('a function');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(3)).toBe('3');
    expect(describeValue(false)).toBe('false');
    expect(describeValue(5n)).toBe('5n');
    expect(describeValue(Symbol('k'))).toBe('Symbol(k)');
    expect(describeValue([1, 2, 3])).toBe('an array of 3');
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue({ long: 'x'.repeat(100) })).toHaveLength(80);
    expect(describeValue(circular)).toBe('[object Object]');
    expect(describeValue({ big: 1n })).toBe('[object Object]');
  });

  test('formatValue renders errors and strings plainly', () => {
    expect(formatValue(new RangeError('r'))).toBe('RangeError: r');
    expect(formatValue('boom')).toBe('boom');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
  });

  test('describeValue never throws (property)', () => {
    fc.assert(
      fc.property(junk, (v) => {
        expect(typeof describeValue(v)).toBe('string');
      }),
    );
  });
});
