import { InvalidOptionError } from '@quiesce/runtime';
import { test, type TestContext } from 'vitest';
import { fullTestName } from '../fixtures/quiesce-test.js';
import { runSeed } from '../system/seed.js';
import { readPropEnv, resolvePropOptions, type PropTestOptions } from './options.js';
import { PropertyFailure } from './property-failure.js';
import { resolvePropSeed, runProperty, type Arbitraries, type PropBody } from './run-property.js';

/** What `propTest` records in the test's `task.meta.quiesceProp` (reporters read it). */
export interface PropMeta {
  seed: number;
  path: string | undefined;
  source: 'env' | 'option' | 'derived';
  numRuns?: number;
  /** Set when the property failed: the counterexample's path and the replay command. */
  failure?: { seed: number; path: string | undefined; replay: string };
}

/** `propTest(name, arbitraries, body, options?)`, with `.skip` and `.only`. */
export interface PropTest {
  <Ts extends [unknown, ...unknown[]]>(name: string, arbitraries: Arbitraries<Ts>, body: PropBody<Ts>, options?: PropTestOptions): void;
  /** Register the property skipped. */
  skip: <Ts extends [unknown, ...unknown[]]>(name: string, arbitraries: Arbitraries<Ts>, body: PropBody<Ts>, options?: PropTestOptions) => void;
  /** Register the property as the only one to run (with other `.only` tests). */
  only: <Ts extends [unknown, ...unknown[]]>(name: string, arbitraries: Arbitraries<Ts>, body: PropBody<Ts>, options?: PropTestOptions) => void;
}

type Mode = 'run' | 'skip' | 'only';

function register(mode: Mode, name: unknown, arbitraries: unknown, body: unknown, options: unknown): void {
  if (typeof name !== 'string' || name.trim() === '') throw new InvalidOptionError('propTest(name)', name, 'a non-empty string');
  if (!Array.isArray(arbitraries) || arbitraries.length === 0) {
    throw new InvalidOptionError('propTest(arbitraries)', arbitraries, 'a non-empty array of fast-check arbitraries, e.g. [fc.integer(), fc.string()]');
  }
  arbitraries.forEach((arbitrary: unknown, index) => {
    if (typeof arbitrary !== 'object' || arbitrary === null || typeof (arbitrary as { generate?: unknown }).generate !== 'function') {
      throw new InvalidOptionError(`propTest(arbitraries)[${index}]`, arbitrary, 'a fast-check arbitrary (fc.integer(), fc.record(...), ...)');
    }
  });
  if (typeof body !== 'function') throw new InvalidOptionError('propTest(body)', body, 'a function ({ system, inbox }, ...values) => void | Promise<void>');
  const resolved = resolvePropOptions(options);
  const registerTest = mode === 'skip' ? test.skip : mode === 'only' ? test.only : test;
  const testOptions = resolved.timeout !== undefined ? { timeout: resolved.timeout } : {};

  registerTest(name, testOptions, async (context: TestContext) => {
    const task = context.task;
    const file = task.file?.name;
    const testId = `${file ?? ''}::${fullTestName(task)}`;
    const env = readPropEnv();
    const run = runSeed();
    const chosen = resolvePropSeed(resolved, env, run, testId);
    const meta: PropMeta = { seed: chosen.seed, path: chosen.path, source: chosen.source };
    (task.meta as Record<string, unknown>).quiesceProp = meta;
    try {
      const outcome = await runProperty({
        name,
        file,
        testId,
        arbitraries: arbitraries as Arbitraries<unknown[]>,
        body: body as PropBody<unknown[]>,
        options: resolved,
        env,
        runSeed: run,
        signal: context.signal,
      });
      meta.numRuns = outcome.numRuns;
    } catch (error) {
      if (error instanceof PropertyFailure) {
        meta.failure = { seed: error.seed, path: error.path, replay: error.replay };
        await context.annotate?.(`replay: ${error.replay}`, 'quiesce:replay');
      }
      throw error;
    }
  });
}

/**
 * A property-based test on fast-check 4: registers ONE Vitest test named `name`, which checks the
 * property with a fresh TestSystem per run (seeded from the run, torn down and leak-checked after
 * it). The seed is QUIESCE_PROP_SEED, else `options.seed`, else derived from the run seed and the
 * test's id; a failure names the counterexample, the seed and path, and the replay command
 * `QUIESCE_PROP_SEED=<seed> QUIESCE_PROP_PATH=<path> npx vitest run <file> -t "<name>"`, which
 * reproduces the counterexample directly.
 *
 * ```ts
 * propTest('a pool of any size restarts a crashed worker', [fc.integer({ min: 1, max: 8 })], async ({ system }, size) => {
 *   const pool = await system.start(poolOf(size));
 *   system.kill(pool.child('w0')!, 'boom');
 *   await system.until({ kind: 'child.restart', data: { id: 'w0' } });
 * }, { numRuns: 50 });
 * ```
 */
export const propTest: PropTest = Object.assign(
  <Ts extends [unknown, ...unknown[]]>(name: string, arbitraries: Arbitraries<Ts>, body: PropBody<Ts>, options?: PropTestOptions): void =>
    register('run', name, arbitraries, body, options),
  {
    skip: <Ts extends [unknown, ...unknown[]]>(name: string, arbitraries: Arbitraries<Ts>, body: PropBody<Ts>, options?: PropTestOptions): void =>
      register('skip', name, arbitraries, body, options),
    only: <Ts extends [unknown, ...unknown[]]>(name: string, arbitraries: Arbitraries<Ts>, body: PropBody<Ts>, options?: PropTestOptions): void =>
      register('only', name, arbitraries, body, options),
  },
);
