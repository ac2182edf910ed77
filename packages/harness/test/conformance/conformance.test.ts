import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { defineConformance, runConformance, test, type TestSystem } from '@quiesce/harness';
import { validateConformanceTarget } from '@quiesce/harness/internal';

/** What the probe contract inspects: how its implementation was built and used. */
interface Probe {
  mode: 'per test' | 'per file' | 'skipping';
  factorySystem: TestSystem;
  resets: number;
  testsSeen: number;
  systems: Set<TestSystem>;
}

const PROBE_TESTS = ['first', 'second', 'third'];

const probeContract = defineConformance<Probe>('probe', (t) => {
  for (const name of PROBE_TESTS) {
    t.test(name, ({ impl, system, inbox, task, expect }) => {
      // A fresh system per test, whatever the factory mode.
      expect(impl.systems.has(system)).toBe(false);
      impl.systems.add(system);
      expect(system.tornDown).toBe(false);
      expect(inbox).toBe(system.inbox);
      expect(task.suite?.name).toBe(`probe — ${impl.mode}`);
      impl.testsSeen++;
      if (impl.mode === 'per file') {
        // One implementation for the file, built with a system of its own that outlives each test,
        // and reset before every test.
        expect(perFileFactoryCalls).toBe(1);
        expect(impl.factorySystem).not.toBe(system);
        expect(impl.factorySystem.tornDown).toBe(false);
        expect(impl.resets).toBe(impl.testsSeen);
      } else {
        // A new implementation per test, built with this test's system.
        expect(impl.testsSeen).toBe(1);
        expect(impl.factorySystem).toBe(system);
        expect(impl.resets).toBe(0);
      }
    });
  }
  t.test('not supported by the skipping target', ({ impl }) => {
    if (impl.mode === 'skipping') throw new Error('a test named in `skip` ran');
    impl.testsSeen++;
  });
});

let perFileFactoryCalls = 0;
const probe = (mode: Probe['mode'], system: TestSystem): Probe => ({ mode, factorySystem: system, resets: 0, testsSeen: 0, systems: new Set() });

runConformance(probeContract, { name: 'per test', factory: (system) => probe('per test', system) });
runConformance(probeContract, {
  name: 'per file',
  factory: async (system) => {
    perFileFactoryCalls++;
    return probe('per file', system);
  },
  reset: (impl) => void impl.resets++,
});
runConformance(probeContract, { name: 'skipping', factory: (system) => probe('skipping', system), skip: ['not supported by the skipping target'] });

describe('defineConformance and runConformance validation', () => {
  test('bad contracts throw QuiesceError naming what is wrong', () => {
    expect(() => defineConformance('', () => undefined)).toThrow(/defineConformance\(name\): got ""/);
    expect(() => defineConformance('c', 'x' as never)).toThrow(/defineConformance\(define\): got "x"/);
    expect(() => defineConformance('c', () => undefined)).toThrow(/expected at least one t\.test/);
    expect(() =>
      defineConformance('c', (t) => {
        t.test('a', () => undefined);
        t.test('a', () => undefined);
      }),
    ).toThrow(/c: t\.test\(name\): got "a"; expected a name not used/);
    expect(() => defineConformance('c', (t) => t.test('a', () => undefined, { timeout: -1 }))).toThrow(/timeout: got -1/);
    let late: ((name: string) => void) | undefined;
    defineConformance('c', (t) => {
      t.test('a', () => undefined);
      late = (name) => t.test(name, () => undefined);
    });
    expect(() => late!('b')).toThrow(/after defineConformance returned/);
  });

  test('a contract is a frozen plain value', () => {
    expect(probeContract.name).toBe('probe');
    expect(probeContract.tests.map((t) => t.name)).toEqual([...PROBE_TESTS, 'not supported by the skipping target']);
    expect(Object.isFrozen(probeContract)).toBe(true);
    expect(Object.isFrozen(probeContract.tests)).toBe(true);
  });

  test('bad targets throw QuiesceError before anything is registered', () => {
    expect(() => runConformance({} as never, { name: 'x', factory: () => 1 })).toThrow(/runConformance\(suite\)/);
    expect(() => runConformance(probeContract, { name: '', factory: () => probe('per test', undefined as never) })).toThrow(/options\.name: got ""/);
    expect(() => runConformance(probeContract, { name: 'x' } as never)).toThrow(/options\.factory: got undefined/);
    expect(() => runConformance(probeContract, { name: 'x', factory: () => undefined as never, reset: 3 as never })).toThrow(/options\.reset: got 3/);
    expect(() => runConformance(probeContract, { name: 'x', factory: () => undefined as never, skip: ['nope'] })).toThrow(
      /options\.skip\[\]: got "nope"; expected the name of a test of "probe"/,
    );
    expect(() => runConformance(probeContract, { name: 'x', factory: () => undefined as never, extra: 1 } as never)).toThrow(
      /options\.extra: got 1; no such option \(accepts 'name', 'factory', 'reset', 'skip', 'tags'\)/,
    );
  });

  test('fuzz: any target either validates or throws QuiesceError', () => {
    const target = fc.oneof(
      fc.anything(),
      fc.record(
        {
          name: fc.oneof(fc.string(), fc.anything()),
          factory: fc.oneof(
            fc.constant(() => 1),
            fc.anything(),
          ),
          reset: fc.oneof(
            fc.constant(() => undefined),
            fc.anything(),
          ),
          skip: fc.oneof(fc.constant(['first']), fc.array(fc.string()), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(target, (t) => {
        try {
          expect(validateConformanceTarget(probeContract, t)).toBe(t);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('fuzz: any contract test options either work or throw QuiesceError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ timeout: fc.anything() }, { requiredKeys: [] })), (options) => {
        try {
          const suite = defineConformance('c', (t) => t.test('a', () => undefined, options as never));
          expect(suite.tests[0]?.options.timeout === undefined || suite.tests[0].options.timeout > 0).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// Tags: the target's (an implementation that needs Docker, say) and each contract test's own.
const taggedContract = defineConformance<{ name: string }>('tagged', (t) => {
  t.test('carries the target tags', ({ task, expect }) => {
    expect((task as { tags?: string[] }).tags).toEqual(['slow']);
  });
  t.test(
    'carries its own tags too',
    ({ task, expect }) => {
      expect([...((task as { tags?: string[] }).tags ?? [])].sort()).toEqual(['chaos', 'slow']);
    },
    { tags: ['chaos'] },
  );
});
runConformance(taggedContract, { name: 'tagged target', factory: () => ({ name: 'x' }), tags: ['slow'] });

describe('conformance tags', () => {
  test('bad tags are refused, naming the option', () => {
    expect(() => validateConformanceTarget(taggedContract, { name: 'x', factory: () => ({ name: 'x' }), tags: 'docker' })).toThrow(
      'runConformance options.tags: got "docker"; expected an array of tag names',
    );
    expect(() => defineConformance('bad', (t) => t.test('x', () => undefined, { tags: [''] }))).toThrow(QuiesceError);
  });
});
