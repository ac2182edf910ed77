// Every fault option, fuzzed: a call with one option replaced by anything either works or throws a
// QuiesceError whose message names that option — and a refused call arms nothing and records
// nothing (no half-armed fault). Whole arguments (the options object, targets) are fuzzed too.
import { createServer } from 'node:net';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { createTestSystem, test, type TestSystem } from '@quiesce/harness';
import { Pid, QuiesceError, Random, supervisor, worker, type SupervisorRef } from '@quiesce/runtime';
import { chaos, enableFaultSites, injectFailures, monkey, sweep, type Chaos } from '@quiesce/chaos';
import { FUZZED_ERROR, MISTAKES } from '../../runtime/test/support/call-outcome.js';

interface World {
  system: TestSystem;
  c: Chaos;
  pid: Pid;
  pool: SupervisorRef;
}

type Call = (w: World, options: Record<string, unknown>) => unknown;

/** A valid call per API, its valid options, and the keys to fuzz. */
const CASES: Array<{ name: string; call: Call; valid: Record<string, unknown> }> = [
  { name: 'crashOn', call: (w, o) => w.c.crashOn(w.pid, o as never), valid: { message: 2, reason: 'boom' } },
  { name: 'slow', call: (w, o) => w.c.slow(w.pid, o as never), valid: { delay: 10, jitter: 5, rate: 0.5 } },
  { name: 'drop', call: (w, o) => w.c.drop(w.pid, '*', o as never), valid: { rate: 0.5, count: 3, kinds: ['message'] } },
  { name: 'delay', call: (w, o) => w.c.delay('*', w.pid, o as never), valid: { delay: 10, jitter: 3, rate: 1, count: 2, kinds: ['call', 'reply'] } },
  { name: 'duplicate', call: (w, o) => w.c.duplicate(w.pid, w.pid, o as never), valid: { rate: 0.1, count: 1 } },
  { name: 'reorder', call: (w, o) => w.c.reorder('*', '*', o as never), valid: { rate: 0.2, withinPair: true } },
  {
    name: 'failStart',
    call: (w, o) =>
      w.c.failStart(
        worker('x', (ctx) => ctx.spawn(() => undefined)),
        o as never,
      ),
    valid: { mode: 'ignore', times: 2, rate: 0.5 },
  },
  { name: 'crashLoop', call: (w, o) => w.c.crashLoop(w.pool, 'w', o as never), valid: { every: 100, times: 2, reason: 'kill' } },
  {
    name: 'injectFailures',
    call: (_w, o) => injectFailures(() => 1, o as never),
    valid: { rate: 0.5, types: ['throw', 'reject'], seed: 3, label: 'f', timeout: 10, methods: ['m'], onExit: () => undefined, onDisconnect: () => undefined },
  },
  { name: 'enableFaultSites', call: (w, o) => enableFaultSites(w.system, o as never).dispose(), valid: { activation: 0.5, fire: 0.5, force: { a: true } } },
  { name: 'chaos', call: (w, o) => chaos(w.system, o as never), valid: { label: 'monkey' } },
  {
    name: 'monkey',
    call: (w, o) => monkey(w.system, o as never),
    valid: {
      target: 'POOL',
      actions: [{ name: 'mine', run: () => undefined }],
      profile: { kill: 1, mine: 2 },
      steps: 5,
      duration: 1000,
      gap: { min: 1, max: 2 },
      invariants: { fine: () => true },
      liveness: { within: 100, tick: 10, ready: () => true },
      chaos: 'CHAOS',
    },
  },
];

const anything = fc.oneof(
  fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, maxDepth: 2 }),
  fc.constantFrom(...MISTAKES, -0.5, 1.5, 2 ** 31, ['nope'], ['message', 'message'], 'kill', 'error', 'ignore'),
);

/** Placeholders in valid options that stand for things of the world. */
function resolve(w: World, options: Record<string, unknown>): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  const out = { ...options };
  if (out.target === 'POOL') out.target = w.pool;
  if (out.chaos === 'CHAOS') out.chaos = w.c;
  return out;
}

async function world(): Promise<World> {
  const system = createTestSystem({ testId: 'fuzz chaos', trapExits: true });
  const pool = await system.start(supervisor({ id: 'pool', children: [worker('w', (ctx) => ctx.spawn(() => undefined))] }));
  return { system, c: chaos(system), pid: system.runtime.spawn(() => undefined), pool };
}

function faultEvents(system: TestSystem): number {
  return system.history.events.filter((e) => e.kind.startsWith('fault.')).length;
}

/** Works, or a QuiesceError whose message contains `names`; a refusal armed nothing. */
function judge(w: World, where: string, names: string, run: () => unknown): void {
  if (names === 'target' || names === 'chaos') names = `options.${names}`;
  const before = { faults: w.c.faults.length, events: faultEvents(w.system) };
  try {
    run();
  } catch (error) {
    // A fuzzed callback (a profile function) that throws: its own error, not the API's.
    if (error instanceof Error && error.message === FUZZED_ERROR) return;
    if (!(error instanceof QuiesceError)) throw new Error(`${where} threw ${String(error)}, not a QuiesceError`, { cause: error });
    // A monkey given another target or other actions has other action names: its profile is then what is wrong.
    if (!error.message.includes(names)) expect(error.message, where).toContain('monkey options.profile.');
    expect({ faults: w.c.faults.length, events: faultEvents(w.system) }, `${where} left something armed`).toEqual(before);
  }
}

describe('every fault option, fuzzed', () => {
  test.each(CASES.flatMap(({ name, call, valid }) => Object.keys(valid).map((key) => ({ name, key, call, valid }))))(
    '$name options.$key',
    async ({ name, key, call, valid }) => {
      const w = await world();
      fc.assert(
        fc.property(anything, (value) => {
          judge(w, `${name} options.${key} = ${fc.stringify(value)}`, key, () => call(w, resolve(w, { ...valid, [key]: value })));
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
      );
      await w.system.teardown();
    },
  );

  test.each(CASES)('$name: the whole options object, and an unknown key named with the closest', async ({ name, call, valid }) => {
    const w = await world();
    fc.assert(
      fc.property(anything, (value) => {
        try {
          call(w, resolve(w, value as Record<string, unknown>));
        } catch (error) {
          expect(error, name).toBeInstanceOf(QuiesceError);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
    );
    const first = Object.keys(valid)[0]!;
    const typo = `${first.slice(0, -1)}${first.at(-1) === 'x' ? 'y' : 'x'}`;
    const { [first]: _dropped, ...rest } = valid;
    expect(() => call(w, resolve(w, { ...rest, [typo]: valid[first] }))).toThrow(QuiesceError);
    await w.system.teardown();
  });

  test('targets: anything that is not an owned, live process is refused with a QuiesceError', async () => {
    const w = await world();
    const other = createTestSystem({ testId: 'other' });
    const dead = new Pid(w.system.runtime.node, 9999);
    const targets = fc.oneof(
      anything,
      fc.constantFrom<unknown>(
        other.runtime.spawn(() => undefined),
        dead,
        w.system.self,
        'nobody',
      ),
    );
    const calls: Array<[string, (t: unknown) => unknown]> = [
      ['kill', (t) => w.c.kill(t as Pid)],
      ['exit', (t) => w.c.exit(t as Pid, 'boom')],
      ['hang', (t) => w.c.hang(t as Pid)],
      ['crashOn', (t) => w.c.crashOn(t as Pid, { message: 1 })],
      ['drop', (t) => w.c.drop(t as Pid, t as Pid)],
      ['os.kill', (t) => w.c.os.kill(t as never)],
      ['os.pause', (t) => w.c.os.pause(t as never)],
      ['crashLoop', (t) => w.c.crashLoop(t as never, 'w', { every: 1, times: 1 })],
      ['throwInTerminate', (t) => w.c.throwInTerminate(t as never)],
    ];
    fc.assert(
      fc.property(targets, (target) => {
        for (const [name, call] of calls) {
          if (target === undefined && name === 'drop') continue;
          judge(w, `${name}(${fc.stringify(target)})`, '', () => call(target));
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
    expect(() => w.c.os.kill(4242 as never)).toThrow(expect.objectContaining({ code: 'NOT_OWNED' }));
    await other.teardown();
    await w.system.teardown();
  });

  test('sweep options, fuzzed: a QuiesceError naming the option, and the scenario never runs', async () => {
    // A valid count can be large: onSeed ends such a sweep after a few seeds (its error is the callback's own).
    let seen = 0;
    const onSeed = (): void => {
      if (++seen % 4 === 0) throw new Error(FUZZED_ERROR);
    };
    const valid = { seeds: 2, from: 3, replay: (s: number) => `seed ${s}`, sometimes: ['x'], onSeed };
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(valid)), anything, async (key, value) => {
        const before = ran;
        const outcome = await sweep(() => void ran++, { ...valid, [key]: value } as never).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (outcome === undefined || (outcome instanceof Error && outcome.message === FUZZED_ERROR)) return;
        expect(outcome).toBeInstanceOf(QuiesceError);
        expect((outcome as Error).message).toContain(key);
        expect(ran).toBe(before);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });

  test('TCP proxy: every toxic option and the proxy options, fuzzed', async () => {
    const w = await world();
    const upstream = await w.system.listen(createServer((socket) => socket.pipe(socket)));
    const proxy = await w.c.tcpProxy({ upstream });
    const toxics: Record<string, Record<string, unknown>> = {
      latency: { latency: 10, jitter: 5 },
      bandwidth: { rate: 100 },
      slow_close: { delay: 10 },
      timeout: { timeout: 10 },
      reset_peer: { timeout: 10 },
      slicer: { averageSize: 10, sizeVariation: 2, delay: 5 },
      limit_data: { bytes: 10 },
    };
    for (const [type, attributes] of Object.entries(toxics)) {
      const valid = { ...attributes, direction: 'upstream', toxicity: 0.5, count: 2 };
      for (const key of Object.keys(valid)) {
        fc.assert(
          fc.property(anything, (value) => {
            judge(w, `toxic(${type}) ${key} = ${fc.stringify(value)}`, key, () => proxy.toxic(type as never, { ...valid, [key]: value } as never));
          }),
          { numRuns: 60 },
        );
      }
    }
    fc.assert(
      fc.property(anything, anything, (type, options) => {
        judge(w, `toxic(${fc.stringify(type)})`, '', () => proxy.toxic(type as never, options as never));
      }),
    );
    const bad = [undefined, 80, { upstream: 0 }, { upstream: 70000 }, { upstream: { host: '10.0.0.1', port: 80 } }, { upstream: { port: 80 } }];
    for (const options of [...bad, { upstream: 80, label: '' }, { upstrem: 80 }]) {
      await expect(w.c.tcpProxy(options as never)).rejects.toBeInstanceOf(QuiesceError);
    }
    await w.system.teardown();
  });

  test('the host: anything but a test system or a Runtime is refused', () => {
    fc.assert(
      fc.property(anything, (host) => {
        expect(() => chaos(host as never)).toThrow(QuiesceError);
        expect(() => enableFaultSites(host as never)).toThrow(QuiesceError);
      }),
    );
    expect(() => chaos({ runtime: 1, random: new Random(1) } as never)).toThrow(/test's system/);
  });
});
