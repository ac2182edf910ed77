// `npm run bench:examples`: one test of each example, written the Quiesce way and the way teams
// write it today (sleeps, vi.waitFor, random ports), each repeated N times in one `vitest run`
// under CPU load (scripts/cpu-load.mjs: one busy thread per core). Prints wall time and failures
// side by side: the tests' own time and failures per example, and the wall time of each side's
// whole vitest run. About a minute on this project's 2-core machine.
//
// Usage: node bench/examples/compare.mjs [--runs-orchestrator N] [--runs-service N] [--no-load]
// Needs the built packages (npm run build) and redis-server for the service rows.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    console.error(`${name}: got ${args[i + 1]}; expected an integer from 1 to 1000`);
    process.exit(3);
  }
  return value;
};
const runs = { orchestrator: flag('--runs-orchestrator', 50), service: flag('--runs-service', 8) };
const load = !args.includes('--no-load');
const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** One `vitest run` of one side's pair files: its wall time, and per example the tests' own time and failures. */
function runSide(side, env) {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-bench-examples-'));
  const out = join(dir, 'report.json');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vitestBin, 'run', '--config', 'bench/examples/vitest.config.mjs', '--reporter=json', `--outputFile=${out}`, '--sequence.shuffle=false'],
      { cwd: root, env: { ...process.env, ...env, QUIESCE_BENCH_FILE: `bench/examples/*.${side}.pair.ts` }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', () => {
      const wall = performance.now() - started;
      try {
        const report = JSON.parse(readFileSync(out, 'utf8'));
        const examples = {};
        for (const file of report.testResults) {
          const example = file.name.match(/([a-z-]+)\.(quiesce|today)\.pair\.ts$/)[1];
          const tests = file.assertionResults;
          examples[example] = {
            tests: tests.reduce((sum, t) => sum + (t.duration ?? 0), 0),
            total: tests.length,
            failed: tests.filter((t) => t.status !== 'passed').length,
          };
        }
        resolve({ wall, examples });
      } catch {
        reject(new Error(`${side}: no report (${stderr.slice(-1500)})`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const titles = {
  orchestrator: 'a failed compute is reported, its tracker exits',
  service: 'Redis paused and resumed: 503, then served; acked write kept',
};
if (!hasRedis) console.warn('[bench:examples] the service rows are skipped: needs redis-server (apt-get install redis-server)');
const env = { QUIESCE_BENCH_RUNS_ORCHESTRATOR: String(runs.orchestrator), QUIESCE_BENCH_RUNS_SERVICE: String(hasRedis ? runs.service : 0) };

const loader = load ? spawn(process.execPath, [join(root, 'scripts', 'cpu-load.mjs'), String(availableParallelism()), '120'], { stdio: 'ignore' }) : undefined;
try {
  console.log(
    `bench:examples — each test repeated N times; one vitest run per side${load ? `, under CPU load (${availableParallelism()} busy threads)` : ''}\n`,
  );
  const sides = { quiesce: await runSide('quiesce', env), today: await runSide('today', env) };
  console.log(`${'example'.padEnd(13)} ${'side'.padEnd(8)} ${'runs'.padStart(4)} ${'tests s'.padStart(8)} ${'failed'.padStart(6)}  test`);
  for (const example of Object.keys(titles)) {
    if (!sides.quiesce.examples[example]) continue;
    for (const side of ['quiesce', 'today']) {
      const r = sides[side].examples[example];
      console.log(
        `${example.padEnd(13)} ${side.padEnd(8)} ${String(r.total).padStart(4)} ${(r.tests / 1000).toFixed(2).padStart(8)} ${String(r.failed).padStart(6)}  ${titles[example]}`,
      );
    }
    const ratio = sides.today.examples[example].tests / sides.quiesce.examples[example].tests;
    console.log(`${''.padEnd(13)} today/quiesce test time: ${ratio.toFixed(2)}\n`);
  }
  const wall = (side) => (sides[side].wall / 1000).toFixed(1);
  console.log(
    `whole vitest runs (start-up included): quiesce ${wall('quiesce')} s, today ${wall('today')} s, ratio ${(sides.today.wall / sides.quiesce.wall).toFixed(2)}`,
  );
} finally {
  loader?.kill('SIGKILL');
}
