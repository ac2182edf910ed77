import { Writable } from 'node:stream';
import { QuiesceError } from '@quiesce/runtime';
import { realNow } from '@quiesce/runtime/internal';
import type { TestSpecification, Vitest } from 'vitest/node';
import type { EngineStatus } from '../containers/engine.js';
import { DOCKER_TAG } from '../preset/docker-skip.js';
import { REQUIRE_ENV, type RequiredPart } from '../preset/require.js';
import { SEED_ENV } from '../system/seed.js';
import { recordOf, type TestCaseLike, type TestErrorLike, type TestRecord } from '../report/test-record.js';

export interface SessionSetup {
  root: string;
  /** The Vitest config file (absolute). */
  config: string;
  /** File filters, as `vitest run` takes them. */
  filters: string[];
  testNamePattern: string | undefined;
  /** Force shuffled files and tests; otherwise the config's own `sequence.shuffle` stands. */
  shuffle: boolean;
  shard: { index: number; count: number } | null;
  /**
   * false: the files of a run share workers (Vitest's `isolate: false`), their modules evaluated
   * once per worker instead of once per file; undefined: the config's own setting.
   */
  isolate: false | undefined;
  /** Parts the run requires (QUIESCE_REQUIRE, read by the quiesce() preset's global setup). */
  require: readonly RequiredPart[];
  /** Where Vitest's own log lines go (its logger is not the CLI's output). */
  log: Writable;
}

/** One run's raw results. */
export interface RunResult {
  records: TestRecord[];
  /** Per file, the ids of the tests that ran, in the order they ran. */
  order: Record<string, string[]>;
  shuffled: boolean;
  durationMs: number;
  /** The run itself failed: nothing ran, or every file failed to load. */
  error: string | null;
  unhandledErrors: string[];
}

/** What to run: a file, and (after the first run) which of its tests. */
export interface Selection {
  spec: TestSpecification;
  testIds?: string[];
}

/**
 * Collects the order tests ran in, per file: the order their results arrive, which is the order
 * they ran (a file's tests run one after another). Skipped tests did not run and are left out.
 */
class OrderCollector {
  order: Record<string, string[]> = {};
  onTestCaseResult(test: TestCaseLike): void {
    const state = test.result().state;
    if (state === 'passed' || state === 'failed') (this.order[test.module.relativeModuleId] ??= []).push(test.id);
  }
}

/**
 * One Vitest instance, kept for every rerun: the config is loaded, the Vite server started and
 * modules transformed once, so a rerun costs the tests' own time, not a cold start.
 */
export class VitestSession {
  readonly #vitest: Vitest;
  readonly #collector: OrderCollector;
  readonly #shard: SessionSetup['shard'];

  private constructor(vitest: Vitest, collector: OrderCollector, shard: SessionSetup['shard']) {
    this.#vitest = vitest;
    this.#collector = collector;
    this.#shard = shard;
  }

  static async open(setup: SessionSetup): Promise<VitestSession> {
    const { createVitest } = await import('vitest/node');
    const collector = new OrderCollector();
    // The preset's global setup runs in this process and reads it from the environment.
    if (setup.require.length > 0) process.env[REQUIRE_ENV] = setup.require.join(',');
    let vitest: Vitest;
    try {
      vitest = await createVitest(
        'test',
        {
          root: setup.root,
          config: setup.config,
          watch: false,
          reporters: [collector as never],
          ...(setup.testNamePattern !== undefined ? { testNamePattern: setup.testNamePattern } : {}),
          ...(setup.shuffle ? { sequence: { shuffle: { files: true, tests: true } } } : {}),
          ...(setup.isolate === false ? { isolate: false } : {}),
          passWithNoTests: true,
        },
        {},
        { stdout: setup.log as never, stderr: setup.log as never },
      );
    } catch (error) {
      throw new QuiesceError(
        'INVALID_OPTION',
        `the Vitest config ${setup.config} could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return new VitestSession(vitest, collector, setup.shard);
  }

  /** The test files the filters (and the shard) select. */
  async specifications(filters: readonly string[]): Promise<TestSpecification[]> {
    const specs = await this.#vitest.globTestSpecifications([...filters]);
    if (!this.#shard) return specs;
    // Vitest's own sharding (its sequencer's shard(): files by hash of their path), applied once
    // here rather than by Vitest on every run: later runs pass only some of this shard's tests.
    const config = { ...this.#vitest.config, shard: this.#shard };
    const Sequencer = this.#vitest.config.sequence.sequencer;
    return new Sequencer(Object.create(this.#vitest, { config: { value: config } }) as Vitest).shard(specs);
  }

  /** Run once with these seeds. */
  async run(selection: readonly Selection[], seeds: { shuffleSeed: number; harnessSeed: number }): Promise<RunResult> {
    const vitest = this.#vitest;
    vitest.config.sequence.seed = seeds.shuffleSeed;
    const seed = String(seeds.harnessSeed);
    // Workers get their environment from the config of each run: every test's seed derives from this one.
    process.env[SEED_ENV] = seed;
    vitest.config.env = { ...vitest.config.env, [SEED_ENV]: seed };
    for (const project of vitest.projects) {
      project.config.env = { ...project.config.env, [SEED_ENV]: seed };
      // The quiesce() plugin provides its seed to tests too (inject('quiesceRunSeed')).
      if ((project.getProvidedContext() as unknown as Record<string, unknown>).quiesceRunSeed !== undefined)
        project.provide('quiesceRunSeed' as never, seeds.harnessSeed as never);
    }
    const specs = selection.map((s) => (s.testIds ? s.spec.project.createSpecification(s.spec.moduleId, { testIds: s.testIds }, s.spec.pool) : s.spec));
    const selected = new Map(selection.map((s) => [s.spec.moduleId, s.testIds ? new Set(s.testIds) : undefined]));
    this.#collector.order = {};
    const started = realNow();
    const result = await vitest.runTestSpecifications(specs, false);
    const durationMs = realNow() - started;
    const records: TestRecord[] = [];
    let modulesFailed = 0;
    for (const module of result.testModules) {
      const only = selected.get(module.moduleId);
      const tests = [...module.children.allTests()];
      const errors = module.errors();
      if (tests.length === 0 && errors.length > 0) {
        modulesFailed++;
        records.push(recordOf(moduleFailure(module.relativeModuleId, errors)));
      }
      for (const test of tests) if (!only || only.has(test.id)) records.push(recordOf(test as unknown as TestCaseLike));
    }
    this.#assertRequiredParts(result.testModules);
    const ran = records.some((r) => r.ran);
    const error =
      !ran && records.some((r) => r.status === 'failed')
        ? `no test ran: ${firstError(records)}`
        : modulesFailed > 0 && modulesFailed === result.testModules.length
          ? `every test file failed to load: ${firstError(records)}`
          : null;
    const unhandledErrors = result.unhandledErrors.map((e) => describeError(e));
    return { records, order: this.#collector.order, shuffled: Boolean(vitest.config.sequence.shuffle), durationMs, error, unhandledErrors };
  }

  /**
   * A required engine that is absent is an infrastructure error, not a test failure: thrown
   * (exit 2) as soon as a run selected a `docker`-tagged test, which then failed saying so.
   */
  #assertRequiredParts(modules: ReadonlyArray<{ children: { allTests(): Iterable<{ tags: string[]; result(): { state: string } }> } }>): void {
    for (const project of this.#vitest.projects) {
      const provided = project.getProvidedContext() as unknown as { quiesceDocker?: EngineStatus; quiesceDockerRequired?: boolean };
      const status = provided.quiesceDocker;
      if (!provided.quiesceDockerRequired || status === undefined || status.available) continue;
      // Selected and run: failed for want of the engine (the preset's setup fails them); filtered-out ones are skipped.
      const needing = modules.flatMap((m) => [...m.children.allTests()]).filter((t) => t.tags.includes(DOCKER_TAG) && t.result().state === 'failed').length;
      if (needing === 0) continue;
      throw new QuiesceError(
        'NO_CONTAINER_ENGINE',
        `a required part is missing: ${REQUIRE_ENV}=docker requires a container engine for the ${needing} selected test(s) tagged '${DOCKER_TAG}', and none answers (${status.reason.split('\n')[0]}). To run them: ${status.hint}`,
        { reason: status.reason },
      );
    }
  }

  async close(): Promise<void> {
    await this.#vitest.close();
  }
}

/** A file that failed to load, as a test of its own: `(file)`. */
function moduleFailure(file: string, errors: ReadonlyArray<TestErrorLike>): TestCaseLike {
  return {
    id: `${file}#file`,
    name: '(file)',
    fullName: '(file)',
    module: { moduleId: file, relativeModuleId: file },
    result: () => ({ state: 'failed', errors }),
    diagnostic: () => undefined,
    meta: () => ({}),
  };
}

function firstError(records: readonly TestRecord[]): string {
  const error = records.find((r) => r.errors.length > 0)?.errors[0];
  return error ? `${error.name}: ${error.message.split('\n')[0]}` : 'no error given';
}

function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string } | null;
  return `${e?.name ?? 'Error'}: ${(e?.message ?? String(error)).split('\n')[0]}`;
}

/** A sink for Vitest's logger. */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
