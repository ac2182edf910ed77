#!/usr/bin/env node
// Reruns through `quiesce flaky` (one Vitest instance, `vitest/node`) against a shell loop of
// `vitest run` (a cold start each time), side by side on the same machine (docs/flaky.md, "Throughput"):
//
//   node bench/flaky/throughput.mjs [row=runs ...]      default: planted=100 subset=10 shared=10
//   node bench/flaky/throughput.mjs runtime=3           the whole packages/runtime suite (slow)
//
// Rows (each side runs the same files the same number of times; ratio = loop time / quiesce time):
//   planted   bench/flaky/planted: 7 tests in 2 files, where start-up is everything.
//   subset    the runtime's virtual-time core (SUBSET below: 26 files, ~500 tests, no OS process,
//             no Erlang), isolated as in `vitest run`: one worker per file, in both.
//   shared    the same subset with `quiesce flaky --no-isolate`: the files of a run share one
//             worker; against a loop of `vitest run --no-isolate` (with the subset row in the same
//             invocation, also against the plain, isolated loop of that row).
//   runtime   the whole packages/runtime suite, where two files of real OS processes and Erlang
//             take most of a run.
// Writes bench/results/flaky-throughput.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(dirname(here));
const bin = join(root, 'packages/harness/dist/cli/bin.js');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');

/** The runtime's virtual-time core: fast deterministic tests, where a rerun's cost is Vitest's, not the tests'. */
export const SUBSET = [
  'packages/runtime/test/kernel',
  'packages/runtime/test/process',
  'packages/runtime/test/server',
  'packages/runtime/test/supervisor',
  'packages/runtime/test/registry.test.ts',
];

const requested = process.argv.slice(2);
const runsOf = Object.fromEntries(
  (requested.length > 0 ? requested : ['planted=100', 'subset=10', 'shared=10']).map((arg) => {
    const [id, n] = arg.split('=');
    if (!['planted', 'subset', 'shared', 'runtime'].includes(id) || !/^\d+$/.test(n ?? '')) {
      console.error(`bad row '${arg}': expected planted=N, subset=N, shared=N or runtime=N`);
      process.exit(3);
    }
    return [id, Number(n)];
  }),
);

function timed(command, args, cwd) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, stdio: 'ignore', env: { ...process.env, QUIESCE_SEED: '' } });
  if (result.error) throw result.error;
  return (performance.now() - started) / 1000;
}

const scratch = mkdtempSync(join(tmpdir(), 'quiesce-throughput-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
let reports = 0;
/** The session's first run (transforms, global setup) and its later runs, from its own JSON report. */
const runTimes = {};
const quiesceSide = (runs, cwd, extra) => () => {
  const json = join(scratch, `${++reports}.json`);
  const seconds = timed(
    process.execPath,
    [bin, 'flaky', '--runs', String(runs), '--seed', '1', '--no-bisect', '--progress', 'none', '--json', json, ...extra],
    cwd,
  );
  const durations = JSON.parse(readFileSync(json, 'utf8')).runs.map((r) => r.durationMs / 1000);
  const later = durations.slice(1);
  runTimes[json] = { first: durations[0], later: later.length > 0 ? later.reduce((a, b) => a + b, 0) / later.length : null };
  lastRunTimes = runTimes[json];
  return seconds;
};
let lastRunTimes;
const loopSide = (runs, cwd, args) => () =>
  timed('bash', ['-c', `for i in $(seq ${runs}); do QUIESCE_SEED=$i "${process.execPath}" "${vitest}" run ${args} >/dev/null 2>&1 || true; done`], cwd);

function row(name, runs, sides) {
  const seconds = {};
  let quiesceRuns;
  for (const [side, run] of Object.entries(sides)) {
    process.stderr.write(`${name}, ${side}: ${runs} runs ... `);
    seconds[side] = run();
    if (side === 'quiesce') quiesceRuns = lastRunTimes;
    process.stderr.write(`${seconds[side].toFixed(1)} s\n`);
  }
  return { name, runs, seconds, quiesceRuns };
}

const planted = join(here, 'planted');
const subset = SUBSET.join(' ');
const rows = [];
if (runsOf.planted)
  rows.push(row('planted (7 tests)', runsOf.planted, { quiesce: quiesceSide(runsOf.planted, planted, []), loop: loopSide(runsOf.planted, planted, '') }));
if (runsOf.subset)
  rows.push(row('subset, isolated', runsOf.subset, { quiesce: quiesceSide(runsOf.subset, root, SUBSET), loop: loopSide(runsOf.subset, root, subset) }));
if (runsOf.shared)
  rows.push(
    row('subset, --no-isolate', runsOf.shared, {
      quiesce: quiesceSide(runsOf.shared, root, ['--no-isolate', ...SUBSET]),
      'loop --no-isolate': loopSide(runsOf.shared, root, `--no-isolate ${subset}`),
    }),
  );
if (runsOf.runtime)
  rows.push(
    row('packages/runtime (all)', runsOf.runtime, {
      quiesce: quiesceSide(runsOf.runtime, root, ['packages/runtime']),
      loop: loopSide(runsOf.runtime, root, 'packages/runtime'),
    }),
  );

console.log('\nrow                        runs   side                 seconds   per run   loop / quiesce');
for (const r of rows) {
  for (const [side, s] of Object.entries(r.seconds)) {
    const ratio = side === 'quiesce' ? '' : `x${(s / r.seconds.quiesce).toFixed(2)}`;
    console.log(
      `${r.name.padEnd(26)} ${String(r.runs).padStart(4)}   ${side.padEnd(18)} ${s.toFixed(1).padStart(8)} s ${(s / r.runs).toFixed(2).padStart(7)} s   ${ratio}`,
    );
  }
}
// Where the session's time went: its first run pays the transforms and the global setup, the later
// runs are what a rerun costs; the loop pays a cold start every run.
console.log('\nquiesce flaky runs (its JSON report): first run / mean of the later runs; a loop run');
const loopOf = (r) => r.seconds.loop ?? r.seconds['loop --no-isolate'];
for (const r of rows) {
  if (!r.quiesceRuns) continue;
  const later = r.quiesceRuns.later === null ? 'n/a' : `${r.quiesceRuns.later.toFixed(2)} s`;
  console.log(`${r.name.padEnd(26)} ${r.quiesceRuns.first.toFixed(2)} s / ${later}; ${(loopOf(r) / r.runs).toFixed(2)} s`);
}
const isolatedLoop = rows.find((r) => r.name === 'subset, isolated');
const shared = rows.find((r) => r.name === 'subset, --no-isolate');
if (isolatedLoop && shared) {
  // Rows of one invocation, one after the other: the same machine, not the same minute.
  const ratio = isolatedLoop.seconds.loop / isolatedLoop.runs / (shared.seconds.quiesce / shared.runs);
  console.log(`\nsubset: quiesce flaky --no-isolate per run against a loop of plain (isolated) \`vitest run\` per run: x${ratio.toFixed(2)}`);
}
const out = join(root, 'bench/results/flaky-throughput.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ rows, subset: SUBSET, node: process.version, load: (await import('node:os')).loadavg() }, null, 2)}\n`);
