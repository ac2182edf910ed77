#!/usr/bin/env node
// Each example's test written the usual way (sleeps, vi.waitFor, random ports) side by side with
// the same test on Quiesce: N runs of each under CPU load (scripts/cpu-load.mjs, one busy thread),
// printing failures, the median test time and the wall time of each run. Every example whose pair
// of files (bench/examples/<id>.today.test.ts, <id>.quiesce.test.ts) exists is measured; pick some
// with --only. About a minute per two examples with the defaults.
//
//   node bench/examples/compare.mjs [--only id[,id]] [--runs-<id> N]     (npm run bench:examples)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const known = [
  { id: 'pool', runs: 6, what: 'worker killed mid-request, restarted' },
  { id: 'inference', runs: 20, what: 'health, then a streamed completion' },
  { id: 'orchestrator', runs: 50, what: 'a failed pod reported, its tracker exits' },
  {
    id: 'service',
    runs: 8,
    what: 'Redis paused: 503, then served; acked write kept',
    needs: hasRedis ? undefined : 'redis-server (apt-get install redis-server)',
  },
];
const only = flag('--only', undefined)?.split(',');
const examples = [];
for (const example of known) {
  if (only && !only.includes(example.id)) continue;
  if (!existsSync(join(root, 'bench/examples', `${example.id}.quiesce.test.ts`))) continue;
  if (example.needs) {
    console.warn(`[bench:examples] ${example.id} skipped: needs ${example.needs}`);
    continue;
  }
  const runs = Number(flag(`--runs-${example.id}`, example.runs));
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
    console.error(`--runs-${example.id}: got ${flag(`--runs-${example.id}`)}; expected an integer from 1 to 1000`);
    process.exit(3);
  }
  examples.push({ ...example, runs });
}
if (only)
  for (const id of only)
    if (!known.some((e) => e.id === id)) console.warn(`[bench:examples] --only: no example ${JSON.stringify(id)} (${known.map((e) => e.id).join(', ')})`);
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
console.log('example       style     runs  failed  median test ms  wall s  test   (wall: one vitest run, start-up included)');
for (const r of rows)
  console.log(
    `${r.example.padEnd(13)} ${r.style.padEnd(8)} ${String(r.runs).padStart(5)} ${String(r.failed).padStart(7)} ${String(r.medianTestMs).padStart(15)}  ${r.wallS.padStart(6)}  ${r.test}`,
  );
