import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect } from 'vitest';
import { QuiesceError, supervisor, worker, type StartFn } from '@quiesce/runtime';
import { LeakError, test, type TestSystem } from '@quiesce/harness';
import { fullTestName, runSeed, testSeed } from '@quiesce/harness/internal';
import { PropertyFailure, propTest, readPropEnv, resolvePropOptions, resolvePropSeed, runProperty, type PropertySpec } from '@quiesce/harness/prop';
import { cleanEnv, REPO_ROOT, runCommand, runVitest } from '../preset/vitest-subprocess.js';

const crashy: StartFn = (ctx) =>
  ctx.spawn((msg) => {
    if (msg === 'crash') throw new Error('boom');
  });

// ---------------------------------------------------------------- propTest as users write it

let previous: TestSystem | undefined;
propTest(
  'each run gets a fresh system, torn down after it',
  [fc.integer({ min: 1, max: 5 })],
  async ({ system, inbox }, size) => {
    expect(system.tornDown).toBe(false);
    if (previous) {
      expect(previous).not.toBe(system);
      expect(previous.tornDown).toBe(true);
    }
    previous = system;
    expect(inbox).toBe(system.inbox);
    const ids = Array.from({ length: size }, (_, i) => `w${i}`);
    const pool = await system.start(supervisor({ id: 'pool', intensity: 10, children: ids.map((id) => worker(id, crashy)) }));
    expect(pool.countChildren().active).toBe(size);
    const victim = ids[size - 1]!;
    system.send(pool.child(victim)!, 'crash');
    const restart = await system.until({ kind: 'child.restart', data: { id: victim } });
    expect(restart.source).toBe('pool');
  },
  { numRuns: 25 },
);

// The meta propTest records, checked after the test it belongs to.
afterEach(({ task }) => {
  if (task.name !== 'each run gets a fresh system, torn down after it') return;
  const meta = (task.meta as { quiesceProp?: { seed: number; source: string; numRuns?: number } }).quiesceProp;
  const testId = `${task.file.name}::${fullTestName(task)}`;
  const expected = resolvePropSeed(resolvePropOptions({ numRuns: 25 }), readPropEnv(), runSeed(), testId);
  expect(meta).toEqual({ ...expected, numRuns: 25 });
  if (expected.source === 'derived') expect(meta?.seed).toBe(testSeed(runSeed(), `prop:${testId}`));
});

propTest.skip('a skipped property never runs', [fc.integer()], () => {
  throw new Error('propTest.skip ran its body');
});

// ---------------------------------------------------------------- the engine, directly

/** A spec for runProperty with defaults: 1000 is the largest sum that passes. */
function sumSpec(calls: Array<[number, number, number]>, overrides: Partial<PropertySpec<[number, number]>> = {}): PropertySpec<[number, number]> {
  return {
    name: 'sums stay small',
    file: 'test/sums.test.ts',
    testId: 'test/sums.test.ts::sums stay small',
    arbitraries: [fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })],
    body: ({ system }, a, b) => {
      calls.push([a, b, system.seed]);
      if (a + b > 1000) throw new Error(`sum ${a + b} is too big`);
    },
    options: resolvePropOptions({ numRuns: 200 }),
    env: readPropEnv({}),
    runSeed: 0,
    ...overrides,
  };
}

describe('runProperty', () => {
  test('a failing property names the counterexample, seed, path and the replay command', async () => {
    const calls: Array<[number, number, number]> = [];
    const error = await runProperty(sumSpec(calls)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PropertyFailure);
    const failure = error as PropertyFailure;
    const [a, b] = failure.counterexample as [number, number];
    expect(a + b).toBeGreaterThan(1000);
    expect(failure.path).toMatch(/^\d+(:\d+)*$/);
    expect(failure.seed).toBe(testSeed(0, 'prop:test/sums.test.ts::sums stay small'));
    expect(failure.replay).toBe(`QUIESCE_PROP_SEED=${failure.seed} QUIESCE_PROP_PATH=${failure.path} npx vitest run test/sums.test.ts -t "sums stay small"`);
    expect(failure.message).toContain(`Counterexample: [${a},${b}]`);
    expect(failure.message).toContain(`replay: ${failure.replay}`);
    expect(failure.message).toContain('Cause: Error: sum');
    expect((failure.cause as Error).message).toBe(`sum ${a + b} is too big`);
    // The last failing call is the counterexample (later calls are shrink attempts that passed).
    expect(calls.filter(([x, y]) => x + y > 1000).at(-1)).toEqual([a, b, failure.systemSeed]);
  });

  test('replaying with the env reproduces the counterexample directly, in one run', async () => {
    const first = (await runProperty(sumSpec([])).catch((e: unknown) => e)) as PropertyFailure;
    const calls: Array<[number, number, number]> = [];
    const env = readPropEnv({ QUIESCE_PROP_SEED: String(first.seed), QUIESCE_PROP_PATH: first.path });
    const replayed = (await runProperty(sumSpec(calls, { env })).catch((e: unknown) => e)) as PropertyFailure;
    expect(replayed).toBeInstanceOf(PropertyFailure);
    expect(calls).toEqual([[...(first.counterexample as [number, number]), first.systemSeed]]);
    expect(replayed.counterexample).toEqual(first.counterexample);
    expect(replayed.replay).toBe(first.replay);
  });

  test('the same run seed and test id generate the same values; another id, others', async () => {
    const values = async (testId: string, runSeed: number) => {
      const calls: Array<[number, number, number]> = [];
      await runProperty(
        sumSpec(calls, { testId, runSeed, body: ({ system }, a, b) => void calls.push([a, b, system.seed]), options: resolvePropOptions({ numRuns: 20 }) }),
      );
      return calls;
    };
    const once = await values('file::a', 7);
    expect(once).toHaveLength(20);
    expect(await values('file::a', 7)).toEqual(once);
    expect(await values('file::b', 7)).not.toEqual(once);
    expect(await values('file::a', 8)).not.toEqual(once);
  });

  test('a run that leaks fails the property with the leak as its cause', async () => {
    let leaked = false;
    const spec = sumSpec([], {
      options: resolvePropOptions({ numRuns: 5 }),
      body: ({ system }) => {
        system.own({ kind: 'server', label: 'a server that never closes', dispose: () => undefined, alive: () => true });
        leaked = true;
      },
    });
    const failure = (await runProperty(spec).catch((e: unknown) => e)) as PropertyFailure;
    expect(leaked).toBe(true);
    expect(failure).toBeInstanceOf(PropertyFailure);
    expect(failure.cause).toBeInstanceOf(LeakError);
    expect(failure.message).toMatch(/a server that never closes/);
  });

  test('the env seed wins over the option seed, which wins over the derived one', () => {
    const options = resolvePropOptions({ seed: 5, path: '1:2' });
    expect(resolvePropSeed(options, { seed: 9, path: undefined }, 0, 'x')).toEqual({ seed: 9, path: undefined, source: 'env' });
    expect(resolvePropSeed(options, { seed: undefined, path: undefined }, 0, 'x')).toEqual({ seed: 5, path: '1:2', source: 'option' });
    expect(resolvePropSeed(resolvePropOptions({}), { seed: undefined, path: undefined }, 3, 'x')).toEqual({
      seed: testSeed(3, 'prop:x'),
      path: undefined,
      source: 'derived',
    });
  });
});

// ---------------------------------------------------------------- input validation

describe('propTest options and environment', () => {
  test('bad options throw QuiesceError naming the option', () => {
    expect(() => resolvePropOptions({ numRuns: 0 })).toThrow(/propTest options\.numRuns: got 0; expected an integer from 1 to 1000000/);
    expect(() => resolvePropOptions({ path: '1:2' })).toThrow(/options\.path: got "1:2"; expected a path together with the seed/);
    expect(() => resolvePropOptions({ seed: 1.5 })).toThrow(QuiesceError);
    expect(() => resolvePropOptions({ numruns: 5 })).toThrow(/options\.numruns: got 5; no such option, did you mean 'numRuns'\?/);
    expect(() => resolvePropOptions({ system: { seed: 3 } })).toThrow(/options\.system\.seed: got 3; expected nothing/);
    expect(() => readPropEnv({ QUIESCE_PROP_SEED: 'abc' })).toThrow(/QUIESCE_PROP_SEED: got "abc"/);
    expect(() => readPropEnv({ QUIESCE_PROP_PATH: '1:2' })).toThrow(/QUIESCE_PROP_PATH: got "1:2"; expected a path together with QUIESCE_PROP_SEED/);
    expect(readPropEnv({ QUIESCE_PROP_SEED: '-12', QUIESCE_PROP_PATH: '0:1' })).toEqual({ seed: -12, path: '0:1' });
  });

  test('bad arguments are rejected before anything is registered', () => {
    // Inside a running test, registering would throw Vitest's own error: these must throw ours first.
    expect(() => propTest('', [fc.integer()], () => undefined)).toThrow(/propTest\(name\): got ""/);
    expect(() => propTest('x', [] as never, () => undefined)).toThrow(/propTest\(arbitraries\): got an array of 0/);
    expect(() => propTest('x', [42] as never, () => undefined)).toThrow(/propTest\(arbitraries\)\[0\]: got 42/);
    expect(() => propTest('x', [fc.integer()], 'body' as never)).toThrow(/propTest\(body\)/);
    expect(() => propTest('x', [fc.integer()], () => undefined, { numRuns: -1 })).toThrow(QuiesceError);
  });

  test('fuzz: any options either resolve or throw QuiesceError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record(
            { numRuns: fc.anything(), seed: fc.anything(), path: fc.anything(), timeout: fc.anything(), endOnFailure: fc.anything(), system: fc.anything() },
            { requiredKeys: [] },
          ),
        ),
        (options) => {
          try {
            const resolved = resolvePropOptions(options);
            expect(resolved.numRuns).toBeGreaterThanOrEqual(1);
          } catch (error) {
            expect(error).toBeInstanceOf(QuiesceError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test('fuzz: any environment either reads or throws QuiesceError', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.array(fc.nat({ max: 99 }), { minLength: 1, maxLength: 4 }).map((p) => p.join(':')),
    );
    fc.assert(
      fc.property(fc.record({ QUIESCE_PROP_SEED: value, QUIESCE_PROP_PATH: value }, { requiredKeys: [] }), (env) => {
        try {
          const read = readPropEnv(env);
          if (read.path !== undefined) expect(read.seed).toBeDefined();
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------- end to end, in a nested Vitest

describe('propTest in a nested vitest run', () => {
  test('a failure prints the replay command, and running it reproduces the counterexample in one run', async ({ signal }) => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-prop-'));
    try {
      const config = 'packages/harness/test/prop/fixtures/vitest.config.ts';
      const log1 = join(dir, 'first.jsonl');
      const json = join(dir, 'report.json');
      const first = await runVitest(
        `packages/harness/test/prop/fixtures/failing.fixture.ts --config ${config} --reporter=default --reporter=json --outputFile.json=${json}`,
        cleanEnv({ PROP_FIXTURE_LOG: log1 }),
        signal,
      );
      expect(first.code, first.stdout + first.stderr).toBe(1);
      const replay = /replay: (QUIESCE_PROP_SEED=\d+ QUIESCE_PROP_PATH=[\d:]+ npx vitest run \S+ -t .+)$/m.exec(first.stdout + first.stderr)?.[1];
      expect(replay, first.stdout + first.stderr).toBeDefined();
      expect(replay).toContain('packages/harness/test/prop/fixtures/failing.fixture.ts');
      const counterexample = /^Counterexample: (.*)$/m.exec(first.stdout + first.stderr)?.[1];
      const calls1 = readFileSync(log1, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { a: number; b: number; systemSeed: number });
      const last = calls1.filter((c) => c.a + c.b > 1000).at(-1)!;
      expect(counterexample).toBe(`[${last.a},${last.b}]`);

      // task.meta carries the seed and path for reporters.
      const report = JSON.parse(readFileSync(json, 'utf8')) as {
        testResults: Array<{ assertionResults: Array<{ meta: { quiesceProp?: { failure?: { replay: string } } } }> }>;
      };
      expect(report.testResults[0]?.assertionResults[0]?.meta.quiesceProp?.failure?.replay).toBe(replay);

      const log2 = join(dir, 'replay.jsonl');
      const second = await runCommand(`${replay} --config ${config}`, cleanEnv({ PROP_FIXTURE_LOG: log2 }), signal);
      expect(second.code, second.stdout + second.stderr).toBe(1);
      expect(/^Counterexample: (.*)$/m.exec(second.stdout + second.stderr)?.[1]).toBe(counterexample);
      const calls2 = readFileSync(log2, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown);
      expect(calls2).toEqual([last]);
      expect(REPO_ROOT).toMatch(/\/$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
