import type * as FastCheck from 'fast-check';
import type { Inbox } from '../inbox/inbox.js';
import { testSeed } from '../system/seed.js';
import { TestSystem } from '../system/test-system.js';
import type { PropEnv, ResolvedPropOptions } from './options.js';
import { PropertyFailure } from './property-failure.js';
import { propReplayCommand } from './replay.js';

/** What each run of a property receives first: its own fresh system. */
export interface PropContext {
  /** A TestSystem for this run only, seeded from the run, torn down (and leak-checked) after it. */
  readonly system: TestSystem;
  /** `system.inbox` (created on first use). */
  readonly inbox: Inbox;
}

/** The property's body: the run's context, then one value per arbitrary. */
export type PropBody<Ts extends unknown[]> = (context: PropContext, ...values: Ts) => void | Promise<void>;

/** One fast-check arbitrary per value the body takes. */
export type Arbitraries<Ts extends unknown[]> = { [K in keyof Ts]: FastCheck.Arbitrary<Ts[K]> };

/** Everything `runProperty` needs; `propTest` fills it from the Vitest context. */
export interface PropertySpec<Ts extends unknown[]> {
  /** The test's name (used in the replay command's `-t`). */
  name: string;
  /** The test file relative to the root (used in the replay command). */
  file?: string | undefined;
  /** A stable id for the test, from which the seed is derived: file and full name. */
  testId: string;
  arbitraries: Arbitraries<Ts>;
  body: PropBody<Ts>;
  options: ResolvedPropOptions;
  /** QUIESCE_PROP_SEED / QUIESCE_PROP_PATH, already read. */
  env: PropEnv;
  /** The run seed (QUIESCE_SEED). */
  runSeed: number;
  /** The test's AbortSignal: runs stop starting once it aborts. */
  signal?: AbortSignal | undefined;
}

/** The seed and path a property runs with, and where they came from. */
export interface PropSeed {
  seed: number;
  path: string | undefined;
  source: 'env' | 'option' | 'derived';
}

/** The environment wins (it is how a replay is asked for), then options, then the run seed and test id. */
export function resolvePropSeed(options: Pick<ResolvedPropOptions, 'seed' | 'path'>, env: PropEnv, runSeed: number, testId: string): PropSeed {
  if (env.seed !== undefined) return { seed: env.seed, path: env.path, source: 'env' };
  if (options.seed !== undefined) return { seed: options.seed, path: options.path, source: 'option' };
  return { seed: testSeed(runSeed, `prop:${testId}`), path: undefined, source: 'derived' };
}

/** What a passing property did. */
export interface PropertyOutcome extends PropSeed {
  numRuns: number;
  replay: string;
}

/** fast-check is an optional peer: load it only when a property runs. */
export async function loadFastCheck(): Promise<typeof FastCheck> {
  try {
    return await import('fast-check');
  } catch (error) {
    throw new Error('propTest needs fast-check 4, an optional peer dependency of @quiesce/harness: npm install -D fast-check', { cause: error });
  }
}

/**
 * Run a property: one fresh TestSystem per run, seeded from the run (a hidden, non-shrinking
 * first value), torn down after the body whatever happens. Resolves when the property holds;
 * rejects with a PropertyFailure naming the counterexample, seed, path and replay command.
 */
export async function runProperty<Ts extends unknown[]>(spec: PropertySpec<Ts>): Promise<PropertyOutcome> {
  const fc: typeof FastCheck = await loadFastCheck();
  const { seed, path, source } = resolvePropSeed(spec.options, spec.env, spec.runSeed, spec.testId);
  let lastFailingRun: { systemSeed: number; timeline: string } | undefined;

  const run = async (systemSeed: number, ...values: Ts): Promise<void> => {
    // Once the test is aborted (timeout, bail) no new run starts: fast-check counts a skip.
    fc.pre(!spec.signal?.aborted);
    const system = new TestSystem({
      ...spec.options.system,
      seed: systemSeed,
      testId: spec.testId,
      testName: spec.name,
      ...(spec.file ? { file: spec.file } : {}),
      ...(spec.signal ? { signal: spec.signal } : {}),
    });
    const context: PropContext = {
      system,
      get inbox() {
        return system.inbox;
      },
    };
    let failed = false;
    let failure: unknown;
    try {
      await spec.body(context, ...values);
    } catch (error) {
      failed = true;
      failure = error;
    }
    try {
      await system.teardown();
    } catch (error) {
      // A leak or a linked crash fails the run, unless the body already failed it.
      if (!failed) {
        failed = true;
        failure = error;
      }
    }
    if (failed) {
      lastFailingRun = { systemSeed, timeline: system.history.timeline(15) };
      throw failure;
    }
  };

  const systemSeedArbitrary = fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff }));
  // asyncProperty's tuple typing cannot follow a generic spread; the shapes are checked above.
  const property = (fc.asyncProperty as (...args: unknown[]) => FastCheck.IAsyncPropertyWithHooks<[number, ...Ts]>)(
    systemSeedArbitrary,
    ...spec.arbitraries,
    run,
  );
  const details = await fc.check(property, {
    seed,
    ...(path !== undefined ? { path } : {}),
    numRuns: spec.options.numRuns,
    // Replaying a path reproduces the counterexample once, without shrinking further.
    endOnFailure: spec.options.endOnFailure || path !== undefined,
  });

  if (!details.failed) {
    return { seed, path, source, numRuns: details.numRuns, replay: propReplayCommand(details.seed, undefined, spec.file, spec.name) };
  }
  const failingPath = details.counterexamplePath ?? undefined;
  const replay = propReplayCommand(details.seed, failingPath, spec.file, spec.name);
  const counterexample = details.counterexample ? (details.counterexample as unknown[]).slice(1) : undefined;
  const systemSeed = details.counterexample ? (details.counterexample[0] as number) : undefined;
  const cause = details.errorInstance;
  const lines = [
    details.counterexample
      ? `Property "${spec.name}" failed after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s).`
      : details.interrupted
        ? `Property "${spec.name}" was interrupted after ${details.numRuns} run(s).`
        : `Property "${spec.name}" gave up: too many runs were skipped (${details.numSkips}).`,
    ...(counterexample ? [`Counterexample: ${fc.stringify(counterexample)}`] : []),
    `seed: ${details.seed}${failingPath ? `, path: "${failingPath}"` : ''}${systemSeed !== undefined ? ` (the failing run's system seed: ${systemSeed})` : ''}`,
    `replay: ${replay}`,
    ...(cause !== undefined && cause !== null ? [`Cause: ${describeCause(cause)}`] : []),
    ...(lastFailingRun && counterexample
      ? ['', `The failing run's history (system seed ${lastFailingRun.systemSeed}), last events:`, lastFailingRun.timeline]
      : []),
  ];
  throw new PropertyFailure(
    lines.join('\n'),
    {
      testName: spec.name,
      seed: details.seed,
      path: failingPath,
      counterexample,
      systemSeed,
      numRuns: details.numRuns,
      numShrinks: details.numShrinks,
      replay,
    },
    cause,
  );
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  try {
    return String(cause);
  } catch {
    return Object.prototype.toString.call(cause);
  }
}
