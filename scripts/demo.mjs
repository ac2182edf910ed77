// `npm run demo`, in three acts, bounded to under three minutes:
//   1. a supervised pool of workers that crash and come back, in virtual time, its history printed
//      as a timeline (the built packages: npm install builds them);
//   2. every example suite under examples/*, their chaos tests included, with Quiesce's JSON and
//      HTML reports;
//   3. a short flakiness sweep over the same suites (`quiesce flaky`, a few shuffled runs).
// Usage: npm run demo [-- --runs N]   (the sweep's runs, default 3)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime, startSupervisor, supervisor, worker } from '@quiesce/runtime';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = '.quiesce/demo';
const runsArg = process.argv.indexOf('--runs');
const SWEEP_RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
if (!Number.isInteger(SWEEP_RUNS) || SWEEP_RUNS < 1 || SWEEP_RUNS > 20) {
  console.error(`demo: --runs: got ${process.argv[runsArg + 1]}; expected an integer from 1 to 20`);
  process.exit(3);
}

console.log('== act 1: a supervised pool in virtual time ==\n');

const rt = new Runtime({ clock: 'virtual', seed: 42 });

// A worker handles jobs; job 'poison' crashes it. Each worker schedules its own poison pill
// at a seeded random moment, so the run is chaotic yet identical every time.
const startWorker = (ctx) =>
  ctx.spawn(
    (job, _self) => {
      if (job === 'poison') throw new Error(`${ctx.id} swallowed poison`);
    },
    { init: (self) => void self.sendAfter(1000 + rt.random.fork(ctx.path).int(4000), 'poison') },
  );

const pool = await startSupervisor(
  rt,
  supervisor({
    id: 'pool',
    strategy: 'one_for_one',
    intensity: 3,
    period: 5,
    children: [worker('w1', startWorker), worker('w2', startWorker), worker('w3', startWorker)],
  }),
);

console.log(`pool started with ${pool.countChildren().active} workers; running 12 s of virtual time...\n`);
const wallStart = performance.now();
await rt.advance(12_000);
const wallMs = performance.now() - wallStart;

const interesting = rt.history.events.filter((e) => e.kind.startsWith('child.') || e.kind.startsWith('supervisor.'));
console.log(`timeline (${interesting.length} of ${rt.history.length} events):`);
for (const e of interesting) {
  const data = e.data.reason ? ` reason=${JSON.stringify(e.data.reason)}` : '';
  console.log(`  ${String(e.time).padStart(6)} ms  ${e.kind.padEnd(22)} ${e.source}${e.data.id ? ` ${e.data.id}` : ''}${data}`);
}
const restarts = rt.history.ofKind('child.restart').length;
console.log(`\n${restarts} restarts in 12 s of virtual time, simulated in ${wallMs.toFixed(1)} ms of wall time.`);
console.log(`the pool is ${pool.isAlive() ? 'alive' : 'down (restart intensity exceeded)'}; replay with seed 42 gives the same timeline.`);
await rt.shutdown();

// ---------------------------------------------------------------- acts 2 and 3: the examples

/** Every example project: a folder of examples/ with a package.json and a test/ folder. */
const examples = existsSync(join(ROOT, 'examples'))
  ? readdirSync(join(ROOT, 'examples'))
      .filter((name) => existsSync(join(ROOT, 'examples', name, 'package.json')) && existsSync(join(ROOT, 'examples', name, 'test')))
      .sort()
  : [];

/** Run a command from the root with its output shown, killed (its process group) after `seconds`. */
function run(what, args, seconds, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env }, detached: true });
    const timer = setTimeout(() => {
      console.error(`\ndemo: ${what} ran past its ${seconds} s bound; stopped`);
      process.kill(-child.pid, 'SIGKILL');
    }, seconds * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const quiesceBin = join(ROOT, 'packages', 'harness', 'dist', 'cli', 'bin.js');
const started = performance.now();

if (examples.length === 0) {
  console.log('\nno example projects under examples/: acts 2 and 3 skipped.');
  process.exit(0);
}
const dirs = examples.map((name) => `examples/${name}`);

console.log(`\n== act 2: the example suites (${examples.join(', ')}), shuffled, chaos tests included ==\n`);
const suites = await run('the example suites', [vitest, 'run', '--config', 'scripts/demo.vitest.config.ts', ...dirs], 100, { QUIESCE_DEMO_OUT: OUT });
let summary = '';
try {
  const report = JSON.parse(readFileSync(join(ROOT, OUT, 'report.json'), 'utf8'));
  const { total, passed, failed, skipped, seed } = report.summary;
  summary = `${passed} passed, ${failed} failed, ${skipped} skipped of ${total} (run seed ${seed}: QUIESCE_SEED=${seed} replays it)`;
} catch {
  summary = 'no report was written';
}

console.log(`\n== act 3: a flakiness sweep, ${SWEEP_RUNS} shuffled runs of the same suites ==\n`);
const sweep = await run(
  'the flakiness sweep',
  [
    quiesceBin,
    'flaky',
    ...dirs,
    '--runs',
    String(SWEEP_RUNS),
    '--shuffle',
    '--progress',
    'lines',
    '--json',
    `${OUT}/flaky.json`,
    '--html',
    `${OUT}/flaky.html`,
  ],
  Math.max(30, 170 - Math.round((performance.now() - started) / 1000)),
);

const at = (file) => relative(process.cwd(), join(ROOT, OUT, file));
console.log(`\n== done in ${((performance.now() - started) / 1000).toFixed(0)} s (acts 2 and 3) ==`);
console.log(`example suites: ${summary}`);
console.log(`  JSON report:  ${at('report.json')}`);
console.log(`  HTML report:  ${at('report.html')}`);
console.log(`flakiness sweep: exit ${sweep} (0: every test stable; 1: failures or flakes; 2: infrastructure; 3: configuration)`);
console.log(`  JSON report:  ${at('flaky.json')}`);
console.log(`  HTML report:  ${at('flaky.html')}`);
process.exit(suites !== 0 ? suites : sweep);
