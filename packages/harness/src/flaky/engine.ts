import { relative } from 'node:path';
import { QuiesceError } from '@quiesce/runtime';
import { realNow } from '@quiesce/runtime/internal';
import type { TestSpecification } from 'vitest/node';
import { candidatePolluters, judgeRuns, judgeTest, usableOutcomes, type Judging } from './analyse.js';
import { bisect } from './bisect.js';
import type { OutcomeCode, RunRaw, TestRaw } from './model.js';
import type { Progress } from './progress.js';
import { buildFlakyReport, testsNeedingRuns, type FlakyReport, type SessionRaw } from './report.js';
import { runSeeds } from './seeds.js';
import { signatureOf } from './signature.js';
import type { RunResult, Selection, VitestSession } from './vitest-session.js';

export interface EngineOptions {
  root: string;
  filters: string[];
  /** At most this many runs (with a target rate, fewer when every test settles first). */
  runs: number;
  seed: number;
  shard: { index: number; count: number } | null;
  judging: Judging;
  /** Bisect order-dependent failures to name the polluter. */
  bisect: boolean;
}

/**
 * The reruns: run 0 runs every selected test; each later run, with its own shuffle and harness
 * seeds, runs every test again (fixed runs) or only the tests whose classification is not yet
 * settled (with a target rate). Then order-dependent failures are bisected.
 */
export async function runFlaky(session: VitestSession, options: EngineOptions, progress: Progress): Promise<FlakyReport> {
  const started = realNow();
  const specs = await session.specifications(options.filters);
  if (specs.length === 0) {
    const shard = options.shard ? ` in shard ${options.shard.index}/${options.shard.count}` : '';
    throw new QuiesceError('INVALID_OPTION', `no test files matched${options.filters.length > 0 ? ` the filters ${options.filters.join(' ')}` : ''}${shard}`);
  }
  const byFile = new Map(specs.map((s) => [relative(s.project.config.root, s.moduleId), s]));
  const raw: SessionRaw = {
    seed: options.seed,
    shard: options.shard,
    judging: options.judging,
    runs: [],
    tests: [],
    signatures: [],
    bisections: [],
    durationMs: 0,
  };
  const tests = new Map<string, TestRaw>();
  const signatures = new Set<string>();
  let failures = 0;

  for (let index = 0; index < options.runs; index++) {
    // Fixed runs rerun everything; adaptive runs only what is not settled yet.
    const selection = index === 0 || options.judging.targetRate === null ? specs.map((spec) => ({ spec })) : selectUnsettled(raw, byFile);
    if (selection.length === 0) break;
    const seeds = runSeeds(options.seed, index);
    const result = await session.run(selection, seeds);
    const run: RunRaw = {
      index,
      ...seeds,
      shuffled: result.shuffled,
      durationMs: result.durationMs,
      error: result.error,
      unhandled: result.unhandledErrors,
      order: result.order,
    };
    raw.runs.push(run);
    const failed = record(raw, tests, signatures, result, index, options.root);
    failures += failed;
    if (index === 0 && !result.records.some((r) => r.ran) && result.error === null) {
      throw new QuiesceError(
        'INVALID_OPTION',
        `no tests matched${options.filters.length > 0 ? ` the filters ${options.filters.join(' ')}` : ''} (every test was skipped or filtered out)`,
      );
    }
    const meanRunMs = raw.runs.reduce((n, r) => n + r.durationMs, 0) / raw.runs.length;
    progress.run({ done: index + 1, total: options.runs, failures, ran: result.records.filter((r) => r.ran).length, failed, ...seeds, meanRunMs });
  }
  for (const test of raw.tests) test.outcomes = test.outcomes.padEnd(raw.runs.length, '-');
  progress.end();

  if (options.bisect) await bisectPolluters(session, raw, byFile, progress);
  raw.durationMs = realNow() - started;
  return buildFlakyReport(raw);
}

/** Add one run's results; returns how many tests failed in it. */
function record(raw: SessionRaw, tests: Map<string, TestRaw>, signatures: Set<string>, result: RunResult, index: number, root: string): number {
  let failed = 0;
  for (const r of result.records) {
    let test = tests.get(r.id);
    if (!test) {
      test = { id: r.id, name: r.name, file: r.file, outcomes: '', failures: [] };
      tests.set(r.id, test);
      raw.tests.push(test);
    }
    const code: OutcomeCode = r.status === 'passed' ? 'P' : r.status === 'skipped' ? 'S' : 'F';
    test.outcomes = test.outcomes.padEnd(index, '-') + code;
    if (r.meta.load) test.load = r.meta.load;
    if (code !== 'F') continue;
    failed++;
    const signature = signatureOf(r.errors[0] ?? { name: 'Error', message: 'failed without an error', frames: [] }, root);
    if (!signatures.has(signature.id)) {
      signatures.add(signature.id);
      raw.signatures.push(signature);
    }
    const first = test.failures.length === 0 && r.meta.timeline ? { timeline: r.meta.timeline } : {};
    test.failures.push({ run: index, signature: signature.id, timedOut: r.timedOut, crashed: !r.ran, ...first });
  }
  return failed;
}

/** The tests that still need runs, by file: a file that failed to load runs whole again. */
function selectUnsettled(raw: SessionRaw, byFile: ReadonlyMap<string, TestSpecification>): Selection[] {
  const ids = new Map<string, string[] | undefined>();
  for (const test of testsNeedingRuns(raw)) {
    if (!byFile.has(test.file)) continue;
    if (test.id.endsWith('#file')) ids.set(test.file, undefined);
    else if (!ids.has(test.file) || ids.get(test.file)) ids.set(test.file, [...(ids.get(test.file) ?? []), test.id]);
  }
  return [...ids].map(([file, testIds]) => ({ spec: byFile.get(file)!, ...(testIds ? { testIds } : {}) }));
}

/** Bisect each flaky test whose failures line up with a test that ran before it. */
async function bisectPolluters(session: VitestSession, raw: SessionRaw, byFile: ReadonlyMap<string, TestSpecification>, progress: Progress): Promise<void> {
  const verdicts = judgeRuns(raw.runs, raw.tests);
  for (const test of raw.tests) {
    const spec = byFile.get(test.file);
    const usable = usableOutcomes(test, verdicts);
    if (!spec || judgeTest(test, raw.runs, verdicts, [], new Map(), raw.judging).classification !== 'flaky') continue;
    if (candidatePolluters(test, raw.runs, usable).length === 0) continue;
    const failing = raw.runs[usable.find((u) => !u.passed)!.run]!;
    progress.note(`bisecting the tests that ran before ${test.file} > ${test.name} in run ${failing.index}`);
    const result = await bisect(test, failing, spec, (selection, seeds) => session.run(selection, seeds));
    raw.bisections.push(result);
    progress.note(`${test.name}: ${result.note}${result.polluters.length > 0 ? ` (${result.polluters.map((id) => nameOf(raw, id)).join(', ')})` : ''}`);
  }
}

function nameOf(raw: SessionRaw, id: string): string {
  return raw.tests.find((t) => t.id === id)?.name ?? id;
}
