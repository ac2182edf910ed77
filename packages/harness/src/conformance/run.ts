import { InvalidOptionError } from '@quiesce/runtime';
import { checkKnownKeys } from '@quiesce/runtime/internal';
import { afterAll, beforeAll, describe } from 'vitest';
import { test } from '../fixtures/quiesce-test.js';
import { TestSystem } from '../system/test-system.js';
import { checkTags, isConformanceSuite, type ConformanceSuite, type ContractTest } from './define.js';

/** One implementation to hold to a contract. */
export interface ConformanceTarget<I> {
  /** Names the implementation in the describe block: `${suite} — ${name}`. */
  name: string;
  /**
   * Build the implementation. Without `reset`, it is called for every test with that test's own
   * system (own what you start with `system.own`, and teardown disposes it). With `reset`, it is
   * called once for the file, with a system that lives as long as the describe block.
   */
  factory: (system: TestSystem) => I | Promise<I>;
  /** Share one implementation across the file and call this before every test (ExAtlas's `reset`). */
  reset?: (impl: I) => void | Promise<void>;
  /** Contract tests this implementation does not support: registered as skipped, so they show. */
  skip?: readonly string[];
  /**
   * Vitest test tags for every test of this implementation, added to each contract test's own:
   * `['docker']` for one that needs a container engine (skipped, saying why, without one), `['live']`
   * for one against a real service.
   */
  tags?: readonly string[];
}

const KNOWN = ['name', 'factory', 'reset', 'skip', 'tags'];

/** Validate a target against its suite; throws InvalidOptionError naming the option. */
export function validateConformanceTarget<I>(suite: ConformanceSuite<I>, target: unknown): ConformanceTarget<I> {
  if (!isConformanceSuite(suite)) throw new InvalidOptionError('runConformance(suite)', suite, 'a suite from defineConformance(...)');
  if (typeof target !== 'object' || target === null || Array.isArray(target)) {
    throw new InvalidOptionError('runConformance options', target, 'an object { name, factory, reset?, skip? }');
  }
  const t = target as Record<string, unknown>;
  checkKnownKeys('runConformance options', t, KNOWN);
  if (typeof t.name !== 'string' || t.name.trim() === '')
    throw new InvalidOptionError('runConformance options.name', t.name, 'a non-empty string naming the implementation');
  if (typeof t.factory !== 'function') throw new InvalidOptionError('runConformance options.factory', t.factory, 'a function (system) => impl | Promise<impl>');
  if (t.reset !== undefined && typeof t.reset !== 'function')
    throw new InvalidOptionError('runConformance options.reset', t.reset, 'a function (impl) => void | Promise<void>');
  if (t.skip !== undefined) {
    if (!Array.isArray(t.skip)) throw new InvalidOptionError('runConformance options.skip', t.skip, `an array of contract test names of "${suite.name}"`);
    for (const name of t.skip as unknown[]) {
      if (typeof name !== 'string' || !suite.tests.some((test) => test.name === name)) {
        throw new InvalidOptionError(
          'runConformance options.skip[]',
          name,
          `the name of a test of "${suite.name}": ${suite.tests.map((x) => JSON.stringify(x.name)).join(', ')}`,
        );
      }
    }
  }
  if (t.tags !== undefined) checkTags('runConformance options.tags', t.tags);
  return target as ConformanceTarget<I>;
}

/**
 * Run a contract against one implementation: registers `describe(`${suite.name} — ${name}`)` with
 * one test per contract test. Every test gets a fresh TestSystem; the implementation is built per
 * test, or once per file and `reset` before each test when `reset` is given.
 */
export function runConformance<I>(suite: ConformanceSuite<I>, target: ConformanceTarget<I>): void {
  const { name, factory, reset, skip = [], tags: targetTags = [] } = validateConformanceTarget(suite, target);
  describe(`${suite.name} — ${name}`, () => {
    let shared: { system: TestSystem; impl: Promise<I> } | undefined;
    if (reset) {
      beforeAll(() => {
        const system = new TestSystem({ testId: `conformance::${suite.name} — ${name}::shared`, testName: `${suite.name} — ${name} (shared implementation)` });
        // Built here, awaited by each test: a factory failure fails the tests, naming the target.
        const impl = Promise.resolve().then(() => factory(system));
        impl.catch(() => undefined);
        shared = { system, impl };
      });
      afterAll(async () => {
        await shared?.system.teardown();
      });
    }
    for (const contract of suite.tests) register(contract, skip.includes(contract.name));

    function register(contract: ContractTest<I>, skipped: boolean): void {
      const tags = [...new Set([...targetTags, ...(contract.options.tags ?? [])])];
      const options = { ...(contract.options.timeout !== undefined ? { timeout: contract.options.timeout } : {}), ...(tags.length ? { tags } : {}) };
      (skipped ? test.skip : test)(contract.name, options, async ({ system, task, signal, expect, onTestFinished }) => {
        let impl: I;
        if (shared) {
          impl = await shared.impl;
          await reset!(impl);
        } else {
          impl = await factory(system);
        }
        await contract.fn({
          impl,
          system,
          get inbox() {
            return system.inbox;
          },
          task,
          signal,
          expect,
          onTestFinished,
        });
      });
    }
  });
}
