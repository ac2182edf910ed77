#!/usr/bin/env node
// The planted-flaky benchmark of `quiesce flaky` (docs/flaky.md, "Proof"):
//
//   node bench/flaky/classify.mjs [sessions=3] [target-rate=0.01] [confidence=0.95]
//
// Runs `quiesce flaky --shuffle --target-rate P --confidence C` (the built CLI) on bench/flaky/planted
// once per session seed, and checks every test's classification against the planted truth
// (1%, 5% and 20% flaky tests, an order-dependent victim and its polluter, a broken test, a stable
// one), that the polluter is named, and how many test executions the session used against the
// theoretical minimum: a stable test cannot be bounded under P at confidence C in fewer than
// n = ceil(ln(1 - C) / ln(1 - P)) clean runs, and a flaky test cannot be shown flaky before it has
// both passed and failed. Writes bench/results/flaky-classify.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(dirname(here));
const bin = join(root, 'packages/harness/dist/cli/bin.js');
const project = join(here, 'planted');
const { TRUTH } = await import(pathToFileURL(join(project, 'truth.mjs')).href);

const sessions = Number(process.argv[2] ?? 3);
const target = Number(process.argv[3] ?? 0.01);
const confidence = Number(process.argv[4] ?? 0.95);
const needed = Math.ceil(Math.log(1 - confidence) / Math.log(1 - target));

const results = [];
for (let s = 1; s <= sessions; s++) {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-bench-flaky-'));
  const json = join(dir, 'report.json');
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [bin, 'flaky', '--shuffle', '--seed', String(s), '--target-rate', String(target), '--confidence', String(confidence), '--json', json, '--progress', 'none'],
    {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, QUIESCE_SEED: '' },
    },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  if (run.status !== 1) throw new Error(`session ${s}: expected exit 1 (a broken test is planted), got ${run.status}\n${run.stderr}`);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  const byName = new Map(report.tests.map((t) => [t.name, t]));
  let correct = 0;
  const misses = [];
  for (const [name, truth] of Object.entries(TRUTH)) {
    const t = byName.get(name);
    const ok = t && t.classification === truth.classification && (truth.orderDependent === undefined || t.orderDependent === truth.orderDependent);
    if (ok) correct++;
    else misses.push(`${name}: ${t?.classification}${t?.orderDependent ? ' (order)' : ''}`);
  }
  const victim = byName.get('victim');
  const polluterFound = victim?.polluters.length === 1 && victim.polluters[0] === byName.get('polluter')?.id;
  // The minimum: n clean runs for each stable test; for a flaky one, the run where it had both passed and failed.
  const minimum = report.tests.reduce((n, t) => {
    if (t.classification !== 'flaky') return n + needed;
    const seen = [...t.outcomes].filter((o) => o === 'P' || o === 'F');
    return n + seen.findIndex((o) => o !== seen[0]) + 1;
  }, 0);
  const bisectionExecutions = report.bisections.reduce((n, b) => n + b.steps.reduce((m, step) => m + step.tests.length, 0), 0);
  const executions = report.summary.testExecutions + bisectionExecutions;
  results.push({
    seed: s,
    correct,
    total: Object.keys(TRUTH).length,
    misses,
    polluterFound,
    runs: report.summary.runs,
    bisectionRuns: report.summary.bisectionRuns,
    executions,
    minimum,
    ratio: executions / minimum,
    wallSeconds,
  });
  const r = results.at(-1);
  console.log(
    `session ${s}: ${r.correct}/${r.total} classified right${misses.length ? ` (missed ${misses.join(', ')})` : ''}, ` +
      `polluter ${polluterFound ? 'found' : 'NOT found'}, ${r.runs} runs + ${r.bisectionRuns} bisection runs, ` +
      `${executions} test executions vs minimum ${minimum} (x${r.ratio.toFixed(3)}), ${wallSeconds.toFixed(1)} s`,
  );
}
const correct = results.reduce((n, r) => n + r.correct, 0);
const total = results.reduce((n, r) => n + r.total, 0);
const worst = Math.max(...results.map((r) => r.ratio));
const summary = {
  target,
  confidence,
  runsForBound: needed,
  sessions,
  accuracy: correct / total,
  pollutersFound: results.filter((r) => r.polluterFound).length,
  worstRatio: worst,
  results,
};
console.log(
  `\n${(summary.accuracy * 100).toFixed(1)}% classified right (${correct}/${total}), polluter found in ${summary.pollutersFound}/${sessions} sessions, ` +
    `executions at most x${worst.toFixed(3)} the theoretical minimum (target ${target} at ${confidence}: ${needed} clean runs per stable test)`,
);
const out = join(root, 'bench/results/flaky-classify.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
const pass = summary.accuracy >= 0.95 && summary.pollutersFound === sessions && worst <= 1.2;
console.log(
  pass ? 'PASS: >= 95% right, every polluter found, <= 1.2x the minimum' : 'FAIL: below the bar (>= 95% right, every polluter found, <= 1.2x the minimum)',
);
process.exitCode = pass ? 0 : 1;
