import { pct, type ExitCode, type FlakyReport, type ReportedTest } from './report.js';

export const EXIT_MEANING: Record<ExitCode, string> = {
  0: 'every test is stable',
  1: 'test failures, or flakes above the target rate',
  2: 'infrastructure error: runs failed as a whole, or nothing could run',
  3: 'configuration error',
};

/** Up to this many tests, the table lists every one. */
const LIST_ALL = 30;

const ORDER: Record<ReportedTest['classification'], number> = { 'stable-fail': 0, flaky: 1, 'stable-pass': 2, skipped: 3 };

/** The report as a terminal shows it: the table, the failure clusters, the infrastructure runs, the replay commands. */
export function renderText(report: FlakyReport): string {
  const s = report.summary;
  const lines: string[] = [];
  const target = s.targetRate === null ? '' : `, target rate ${pct(s.targetRate)} at ${pct(s.confidence)} confidence`;
  const shard = s.shard ? `, shard ${s.shard.index}/${s.shard.count}` : '';
  const shuffled = report.runs.some((r) => r.shuffled) ? ', shuffled' : '';
  lines.push(`quiesce flaky: ${s.runs} runs, seed ${s.seed}${shuffled}${shard}${target}`, '');
  const tests = [...report.tests].sort(
    (a, b) => ORDER[a.classification] - ORDER[b.classification] || b.flakeRate - a.flakeRate || a.name.localeCompare(b.name),
  );
  // A large suite's stable tests would bury the few that matter: past a screenful they are counted, not listed.
  const quiet = (t: ReportedTest): boolean => (t.classification === 'stable-pass' && t.settled) || t.classification === 'skipped';
  const listed = tests.length > LIST_ALL ? tests.filter((t) => !quiet(t)) : tests;
  const rows = listed.map((t) => [label(t), `${t.fails}/${t.runs}`, pct(t.flakeRate), interval(t), t.flipRate.toFixed(2), `${t.file} > ${t.name}`, note(t)]);
  if (rows.length > 0) lines.push(...table([['verdict', 'fails/runs', 'rate', `${pct(s.confidence)} interval`, 'flips', 'test', ''], ...rows]));
  if (listed.length < tests.length) {
    const stable = tests.filter((t) => t.classification === 'stable-pass').length;
    const bound = Math.max(...tests.filter((t) => t.classification === 'stable-pass').map((t) => t.upperBound ?? 0));
    lines.push(`  ${stable} stable tests not listed (each failure rate <= ${pct(bound)}); the JSON and HTML reports list every test`);
  }
  if (report.signatures.length > 0) {
    lines.push('', 'failure signatures (same error and place):');
    for (const sig of report.signatures) {
      lines.push(`  ${sig.id}  ×${sig.count}  ${sig.name}: ${sig.message}  (${sig.tests.length} ${sig.tests.length === 1 ? 'test' : 'tests'})`);
      for (const frame of sig.frames.slice(0, 2)) lines.push(`            at ${frame}`);
    }
  }
  const infra = report.runs.filter((r) => r.infra);
  if (infra.length > 0) {
    lines.push('', 'infrastructure runs (left out of every figure):');
    for (const r of infra) lines.push(`  run ${r.index}: ${r.infraReason}`);
  }
  const unhandled = report.runs.filter((r) => r.unhandled.length > 0);
  if (unhandled.length > 0) {
    lines.push('', 'errors outside any test (Vitest failed these runs, no test did):');
    for (const r of unhandled) for (const e of r.unhandled) lines.push(`  run ${r.index}: ${e}`);
  }
  const failing = tests.filter((t) => t.replay !== null);
  if (failing.length > 0) {
    lines.push('', 'replay a failure:');
    for (const t of failing) lines.push(`  ${t.file} > ${t.name}`, `    ${t.replay}`);
  }
  lines.push('', `${s.verdict}.`, `exit ${s.exitCode}: ${EXIT_MEANING[s.exitCode]}`);
  return `${lines.join('\n')}\n`;
}

function label(t: ReportedTest): string {
  if (t.classification === 'stable-fail') return 'broken';
  if (t.classification === 'stable-pass') return t.settled ? 'stable' : 'stable?';
  if (t.classification === 'skipped') return 'skipped';
  return t.orderDependent ? 'flaky (order)' : 'flaky';
}

function interval(t: ReportedTest): string {
  if (t.runs === 0) return '';
  if (t.classification === 'stable-pass' && t.upperBound !== null) return `<= ${pct(t.upperBound)}`;
  if (t.classification === 'stable-fail' && t.upperBound !== null) return `>= ${pct(1 - t.upperBound)}`;
  return `[${pct(t.interval[0])}, ${pct(t.interval[1])}]`;
}

function note(t: ReportedTest): string {
  const notes: string[] = [];
  if (t.polluters.length > 0) notes.push(`fails after ${t.polluters.length === 1 ? 'a polluter' : 'polluters'} (see the report)`);
  if (t.timeouts > 0) notes.push(`${t.timeouts} timed out`);
  if (t.crashes > 0) notes.push(`${t.crashes} worker crashes`);
  if (t.runsNeeded) notes.push(`${t.runsNeeded} more clean runs for the target`);
  return notes.join('; ');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}
