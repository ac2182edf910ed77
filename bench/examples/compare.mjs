#!/usr/bin/env node
// Each example's test written the usual way (sleeps, vi.waitFor, random ports) side by side with
// the same test on Quiesce: N runs of each under CPU load (scripts/cpu-load.mjs, one busy thread),
// printing wall time and failures. Bounded to about a minute with the defaults.
//
//   node bench/examples/compare.mjs [--runs-pool 6] [--runs-inference 20] [--only pool|inference]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const only = flag('--only', undefined);
const examples = [
  { id: 'pool', runs: Number(flag('--runs-pool', 6)), what: 'worker killed mid-request, restarted' },
  { id: 'inference', runs: Number(flag('--runs-inference', 20)), what: 'health, then a streamed completion' },
].filter((e) => only === undefined || e.id === only);
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'quiesce-examples-bench-'));

/** One Vitest run of one file with BENCH_RUNS=n: wall ms, and per test its status and duration. */
function runFile(file, runs) {
  const out = join(tmp, `${file.replace(/\W/g, '_')}.json`);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [vitest, 'run', '--config', 'bench/examples/vitest.config.mjs', `bench/examples/${file}`, '--reporter=json', `--outputFile=${out}`],
      { cwd: root, env: { ...process.env, BENCH_RUNS: String(runs) }, stdio: ['ignore', 'ignore', 'ignore'] },
    );
    child.on('exit', () => {
      const wall = performance.now() - started;
      let tests = [];
      try {
        tests = JSON.parse(readFileSync(out, 'utf8')).testResults.flatMap((f) => f.assertionResults);
      } catch {}
      resolve({ wall, tests });
    });
  });
}

const load = spawn(process.execPath, [join(root, 'scripts/cpu-load.mjs'), '1', '300'], { stdio: 'ignore' });
const rows = [];
try {
  for (const example of examples) {
    for (const style of ['today', 'quiesce']) {
      const { wall, tests } = await runFile(`${example.id}.${style}.test.ts`, example.runs);
      const failed = tests.filter((t) => t.status !== 'passed').length + Math.max(0, example.runs - tests.length);
      const durations = tests.map((t) => t.duration ?? 0).sort((a, b) => a - b);
      const median = durations.length ? durations[durations.length >> 1] : Number.NaN;
      rows.push({
        example: example.id,
        test: example.what,
        style,
        runs: example.runs,
        failed,
        medianTestMs: Math.round(median),
        wallS: (wall / 1000).toFixed(1),
      });
    }
  }
} finally {
  load.kill();
  rmSync(tmp, { recursive: true, force: true });
}

console.log(
  `examples bench: N runs per side under CPU load (1 busy thread); load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('example    style     runs  failed  median test ms  wall s (one vitest run, start-up included)');
for (const r of rows)
  console.log(
    `${r.example.padEnd(10)} ${r.style.padEnd(8)} ${String(r.runs).padStart(5)} ${String(r.failed).padStart(7)} ${String(r.medianTestMs).padStart(15)}  ${r.wallS.padStart(6)}`,
  );
