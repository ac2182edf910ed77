#!/usr/bin/env node
// Reruns through `quiesce flaky` (one Vitest instance, `vitest/node`) against a shell loop of
// `vitest run` (a cold start each time), side by side on the same machine (docs/flaky.md, "Proof"):
//
//   node bench/flaky/throughput.mjs [planted-runs=100] [own-runs=3]
//
// Row 1: the planted project of bench/flaky (a small suite, where start-up dominates).
// Row 2: the project's own packages/runtime suite (where the tests' own time dominates).
// Both sides run the same files with the same number of runs; the ratio is loop time / quiesce time.
// Writes bench/results/flaky-throughput.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(dirname(here));
const bin = join(root, 'packages/harness/dist/cli/bin.js');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const plantedRuns = Number(process.argv[2] ?? 100);
const ownRuns = Number(process.argv[3] ?? 3);

function timed(command, args, cwd) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, stdio: 'ignore', env: { ...process.env, QUIESCE_SEED: '' } });
  if (result.error) throw result.error;
  return (performance.now() - started) / 1000;
}

function row(name, cwd, runs, vitestArgs, quiesceArgs) {
  process.stderr.write(`${name}: quiesce flaky, ${runs} runs ... `);
  const quiesce = timed(process.execPath, [bin, 'flaky', '--runs', String(runs), '--seed', '1', '--no-bisect', '--progress', 'none', ...quiesceArgs], cwd);
  process.stderr.write(`${quiesce.toFixed(1)} s; shell loop of ${runs} \`vitest run\` ... `);
  const loop = `for i in $(seq ${runs}); do QUIESCE_SEED=$i "${process.execPath}" "${vitest}" run ${vitestArgs} >/dev/null 2>&1 || true; done`;
  const shell = timed('bash', ['-c', loop], cwd);
  process.stderr.write(`${shell.toFixed(1)} s\n`);
  return { name, runs, quiesceSeconds: quiesce, loopSeconds: shell, ratio: shell / quiesce, quiescePerRun: quiesce / runs, loopPerRun: shell / runs };
}

const rows = [
  row('planted (bench/flaky/planted)', join(here, 'planted'), plantedRuns, '', []),
  row('own suite (packages/runtime)', root, ownRuns, 'packages/runtime', ['packages/runtime']),
];
console.log('\nrow                              runs   quiesce flaky   shell loop   per run (q / loop)   ratio');
for (const r of rows) {
  console.log(
    `${r.name.padEnd(32)} ${String(r.runs).padStart(4)}   ${r.quiesceSeconds.toFixed(1).padStart(11)} s   ${r.loopSeconds.toFixed(1).padStart(8)} s   ` +
      `${r.quiescePerRun.toFixed(2)} s / ${r.loopPerRun.toFixed(2)} s       x${r.ratio.toFixed(2)}`,
  );
}
const out = join(root, 'bench/results/flaky-throughput.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ rows, node: process.version }, null, 2)}\n`);
