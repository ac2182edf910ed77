import type { Bisection, Classification, RunRaw, RunVerdict, TestRaw, TestVerdict } from './model.js';
import { replayCommand } from './seeds.js';
import { flipRate, runsForBound, wilson, zeroEventUpperBound } from './stats.js';

export interface Judging {
  /** The flake rate a test must be shown to stay under; null: any flake fails, and reruns are not adaptive. */
  targetRate: number | null;
  confidence: number;
}

/** A run where at least this share of the tests that ran failed, most of them tests that pass elsewhere, is an infrastructure failure. */
export const INFRA_SHARE = 0.5;
/** A test "passes elsewhere" when it passed at least this share of its other runs. */
const USUALLY_PASSES = 0.75;
const INFRA_MIN_TESTS = 3;

/** Which runs were infrastructure failures: the run itself failed, or most tests failed at once. */
export function judgeRuns(runs: readonly RunRaw[], tests: readonly TestRaw[]): RunVerdict[] {
  return runs.map((run, r) => {
    const ran = tests.filter((t) => t.outcomes[r] === 'P' || t.outcomes[r] === 'F');
    const failed = ran.filter((t) => t.outcomes[r] === 'F');
    if (run.error !== null) return { ran: ran.length, failed: failed.length, infra: true, infraReason: run.error };
    if (ran.length < INFRA_MIN_TESTS || failed.length < INFRA_SHARE * ran.length)
      return { ran: ran.length, failed: failed.length, infra: false, infraReason: null };
    const usuallyPassing = failed.filter((t) => {
      const others = [...t.outcomes].filter((o, i) => i !== r && (o === 'P' || o === 'F'));
      return others.length >= 2 && others.filter((o) => o === 'P').length >= USUALLY_PASSES * others.length;
    });
    const infra = usuallyPassing.length >= INFRA_SHARE * ran.length;
    const reason = infra ? `${failed.length} of ${ran.length} tests failed at once, ${usuallyPassing.length} of them tests that pass in other runs` : null;
    return { ran: ran.length, failed: failed.length, infra, infraReason: reason };
  });
}

/** A test's outcomes over the runs that count (not infrastructure failures), as pass = true. */
export function usableOutcomes(test: TestRaw, verdicts: readonly RunVerdict[]): Array<{ run: number; passed: boolean }> {
  const out: Array<{ run: number; passed: boolean }> = [];
  for (let r = 0; r < test.outcomes.length; r++) {
    const o = test.outcomes[r];
    if ((o === 'P' || o === 'F') && !verdicts[r]?.infra) out.push({ run: r, passed: o === 'P' });
  }
  return out;
}

export function classify(passes: number, fails: number): Classification {
  if (passes + fails === 0) return 'skipped';
  if (fails === 0) return 'stable-pass';
  if (passes === 0) return 'stable-fail';
  return 'flaky';
}

/**
 * Settled: flaky once both outcomes were seen (that is certain); stable once the exact bound on
 * the outcome never seen is under the target rate. Without a target every outcome is final, and
 * a test that never ran (skipped) has nothing more to tell.
 */
export function isSettled(passes: number, fails: number, judging: Judging): boolean {
  const kind = classify(passes, fails);
  if (kind === 'skipped' || kind === 'flaky' || judging.targetRate === null) return true;
  return passes + fails >= runsForBound(judging.targetRate, judging.confidence);
}

/**
 * Tests that ran before `test` in every run where it failed and in none where it passed: the
 * candidates for a polluter. Empty unless the order varied in a way that separates them.
 */
export function candidatePolluters(test: TestRaw, runs: readonly RunRaw[], usable: ReadonlyArray<{ run: number; passed: boolean }>): string[] {
  const failing = usable.filter((u) => !u.passed);
  const passing = usable.filter((u) => u.passed);
  if (failing.length === 0 || passing.length === 0) return [];
  const before = (run: number): Set<string> => {
    const order = runs[run]?.order[test.file] ?? [];
    const at = order.indexOf(test.id);
    return new Set(at < 0 ? [] : order.slice(0, at));
  };
  let candidates: Set<string> | undefined;
  for (const f of failing) {
    const b = before(f.run);
    candidates = candidates ? new Set([...candidates].filter((id) => b.has(id))) : b;
  }
  for (const p of passing) for (const id of before(p.run)) candidates?.delete(id);
  return [...(candidates ?? [])];
}

/** Whether the test's position among its file's tests ever changed between its usable runs. */
function orderVaried(test: TestRaw, runs: readonly RunRaw[], usable: ReadonlyArray<{ run: number }>): boolean {
  const seen = new Set(
    usable.map((u) =>
      (runs[u.run]?.order[test.file] ?? [])
        .slice(0, (runs[u.run]?.order[test.file] ?? []).indexOf(test.id))
        .sort()
        .join('\n'),
    ),
  );
  return seen.size > 1;
}

export function judgeTest(
  test: TestRaw,
  runs: readonly RunRaw[],
  verdicts: readonly RunVerdict[],
  bisections: readonly Bisection[],
  names: ReadonlyMap<string, string>,
  judging: Judging,
): TestVerdict {
  const usable = usableOutcomes(test, verdicts);
  const passes = usable.filter((u) => u.passed).length;
  const fails = usable.length - passes;
  const n = usable.length;
  const counted = new Set(usable.map((u) => u.run));
  const failures = test.failures.filter((f) => counted.has(f.run));
  const classification = classify(passes, fails);
  const { confidence, targetRate } = judging;
  const interval = wilson(fails, n, confidence);
  const oneSided = classification === 'stable-pass' || classification === 'stable-fail';
  const upperBound = oneSided ? zeroEventUpperBound(n, confidence) : null;
  const runsNeeded = upperBound !== null && targetRate !== null ? Math.max(0, runsForBound(targetRate, confidence) - n) : null;
  const bisection = bisections.find((b) => b.test === test.id);
  const orderDependent =
    classification !== 'flaky'
      ? null
      : bisection
        ? bisection.orderDependent
        : orderVaried(test, runs, usable)
          ? candidatePolluters(test, runs, usable).length > 0
            ? null
            : false
          : null;
  const polluters = bisection?.orderDependent ? bisection.polluters : [];
  const failing = classification === 'stable-fail' || (classification === 'flaky' && (targetRate === null || interval[1] >= targetRate));
  const first = usable.find((u) => !u.passed);
  const run = first ? runs[first.run] : undefined;
  const replay = run
    ? replayCommand({
        file: test.file,
        names: [...polluters.map((id) => names.get(id) ?? id), test.name],
        harnessSeed: run.harnessSeed,
        shuffleSeed: run.shuffleSeed,
        shuffled: run.shuffled,
      })
    : null;
  return {
    runs: n,
    passes,
    fails,
    skips: [...test.outcomes].filter((o) => o === 'S').length,
    timeouts: failures.filter((f) => f.timedOut).length,
    crashes: failures.filter((f) => f.crashed).length,
    flakeRate: n === 0 ? 0 : fails / n,
    interval,
    upperBound,
    runsNeeded,
    flipRate: flipRate(usable.map((u) => u.passed)),
    classification,
    orderDependent,
    polluters,
    settled: isSettled(passes, fails, judging),
    failing,
    replay,
  };
}
