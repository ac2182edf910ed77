import { isSettled, judgeRuns, judgeTest, usableOutcomes, type Judging } from './analyse.js';
import type { Bisection, FailedRunRaw, RunRaw, RunVerdict, Signature, TestRaw, TestVerdict } from './model.js';
import { replayCommand } from './seeds.js';
import { runsForBound } from './stats.js';

/** Everything a session recorded: what the report is derived from, and what `merge` unions. */
export interface SessionRaw {
  seed: number;
  shard: { index: number; count: number } | null;
  judging: Judging;
  runs: RunRaw[];
  tests: TestRaw[];
  signatures: Signature[];
  bisections: Bisection[];
  durationMs: number;
}

export type ExitCode = 0 | 1 | 2 | 3;

export interface FlakySummary {
  seed: number;
  shard: { index: number; count: number } | null;
  runs: number;
  targetRate: number | null;
  confidence: number;
  /** Clean runs that bring a stable test's bound under the target rate (null without a target). */
  runsForTarget: number | null;
  tests: number;
  stablePass: number;
  stableFail: number;
  flaky: number;
  orderDependent: number;
  skipped: number;
  unsettled: number;
  failing: number;
  infraRuns: number;
  /** Test executions in the reruns (a test in a run), and runs made to bisect polluters. */
  testExecutions: number;
  bisectionRuns: number;
  durationSeconds: number;
  exitCode: ExitCode;
  verdict: string;
}

export type ReportedFailure = FailedRunRaw & { replay: string };
export type ReportedTest = Omit<TestRaw, 'failures'> & TestVerdict & { failures: ReportedFailure[] };
export type ReportedRun = RunRaw & RunVerdict;
export type ReportedSignature = Signature & { count: number; tests: string[] };

/** The JSON report of `quiesce flaky` (schemas/flaky.schema.json). */
export interface FlakyReport {
  version: 1;
  summary: FlakySummary;
  runs: ReportedRun[];
  tests: ReportedTest[];
  signatures: ReportedSignature[];
  bisections: Bisection[];
}

export function buildFlakyReport(raw: SessionRaw): FlakyReport {
  const runVerdicts = judgeRuns(raw.runs, raw.tests);
  const names = new Map(raw.tests.map((t) => [t.id, t.name]));
  const tests: ReportedTest[] = raw.tests.map((test) => {
    const verdict = judgeTest(test, raw.runs, runVerdicts, raw.bisections, names, raw.judging);
    const failures = test.failures.map((f) => {
      const run = raw.runs[f.run]!;
      const replay = replayCommand({
        file: test.file,
        names: [...verdict.polluters.map((id) => names.get(id) ?? id), test.name],
        harnessSeed: run.harnessSeed,
        shuffleSeed: run.shuffleSeed,
        shuffled: run.shuffled,
      });
      return { ...f, replay };
    });
    return { ...test, ...verdict, failures };
  });
  const runs = raw.runs.map((run, i) => ({ ...run, ...runVerdicts[i]! }));
  const signatures = raw.signatures
    .map((s) => {
      const hits = tests.flatMap((t) => t.failures.filter((f) => f.signature === s.id && !runVerdicts[f.run]?.infra).map(() => t.id));
      return { ...s, count: hits.length, tests: [...new Set(hits)] };
    })
    .filter((s) => s.count > 0)
    .sort((a, b) => b.count - a.count);
  return { version: 1, summary: summarise(raw, tests, runs), runs, tests, signatures, bisections: raw.bisections };
}

function summarise(raw: SessionRaw, tests: readonly ReportedTest[], runs: readonly ReportedRun[]): FlakySummary {
  const count = (kind: ReportedTest['classification']): number => tests.filter((t) => t.classification === kind).length;
  const infraRuns = runs.filter((r) => r.infra).length;
  const failing = tests.filter((t) => t.failing).length;
  const ran = tests.some((t) => t.runs > 0);
  const exitCode: ExitCode = failing > 0 ? 1 : infraRuns > 0 || !ran ? 2 : 0;
  const summary: FlakySummary = {
    seed: raw.seed,
    shard: raw.shard,
    runs: raw.runs.length,
    targetRate: raw.judging.targetRate,
    confidence: raw.judging.confidence,
    runsForTarget: raw.judging.targetRate === null ? null : runsForBound(raw.judging.targetRate, raw.judging.confidence),
    tests: tests.length,
    stablePass: count('stable-pass'),
    stableFail: count('stable-fail'),
    flaky: count('flaky'),
    orderDependent: tests.filter((t) => t.orderDependent === true).length,
    skipped: count('skipped'),
    unsettled: tests.filter((t) => !t.settled).length,
    failing,
    infraRuns,
    testExecutions: raw.tests.reduce((n, t) => n + [...t.outcomes].filter((o) => o === 'P' || o === 'F').length, 0),
    bisectionRuns: raw.bisections.reduce((n, b) => n + b.steps.length, 0),
    durationSeconds: raw.durationMs / 1000,
    exitCode,
    verdict: '',
  };
  summary.verdict = verdictLine(summary);
  return summary;
}

function verdictLine(s: FlakySummary): string {
  const parts = [`${s.stablePass} stable`, `${s.flaky} flaky${s.orderDependent > 0 ? ` (${s.orderDependent} order-dependent)` : ''}`, `${s.stableFail} broken`];
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  let line = `${parts.join(', ')} of ${s.tests} tests over ${s.runs} runs`;
  if (s.infraRuns > 0) line += `; ${s.infraRuns} infrastructure ${s.infraRuns === 1 ? 'run' : 'runs'} left out`;
  if (s.unsettled > 0 && s.targetRate !== null) line += `; ${s.unsettled} not yet shown under ${pct(s.targetRate)} (more runs needed)`;
  return line;
}

export function pct(rate: number): string {
  const p = rate * 100;
  return `${p >= 10 || p === 0 ? p.toFixed(1) : p >= 1 ? p.toFixed(2) : p.toPrecision(2)}%`;
}

/** For the adaptive loop: the tests that still need runs (a test only infrastructure runs judged needs one too, unless Vitest skips it). */
export function testsNeedingRuns(raw: SessionRaw): TestRaw[] {
  const verdicts = judgeRuns(raw.runs, raw.tests);
  return raw.tests.filter((test) => {
    const usable = usableOutcomes(test, verdicts);
    if (usable.length === 0) return !test.outcomes.includes('S');
    const passes = usable.filter((u) => u.passed).length;
    return !isSettled(passes, usable.length - passes, raw.judging);
  });
}
