#!/usr/bin/env node
// `npm run flaky`: the project's own suite through `quiesce flaky` (docs/flaky.md, "The project's own suite").
//
//   npm run flaky                          10 shuffled runs, the last 3 under CPU load
//   npm run flaky -- --runs 100 --loaded 30
//   npm run flaky -- --runs 100 --no-isolate packages/runtime/test/kernel ...   a subset, files sharing workers
//
// Two sessions of the built CLI on the root vitest.config.ts, both shuffled: `runs - loaded` runs
// on a quiet machine, then `loaded` runs while scripts/cpu-load.mjs keeps every core busy (bounded
// to the session's length). Prints both verdicts and, per test, the combined runs and failures with
// the exact 95% upper bound on the failure rate of a test that never failed. Reports go to
// .cache/flaky/. Exits 1 when a test failed in any run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values, positionals: filters } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, loaded: { type: 'string' }, seed: { type: 'string' }, 'no-isolate': { type: 'boolean' } },
  allowPositionals: true,
});
const runs = Number(values.runs);
const loaded = Number(values.loaded ?? Math.round(runs * 0.3));
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(loaded) || loaded < 0 || loaded > runs) {
  console.error('usage: npm run flaky -- [--runs N] [--loaded K (0..N, runs under CPU load)] [--seed S] [--no-isolate] [file filters...]');
  process.exit(3);
}
const seed = values.seed ?? String(Date.now() % 0x1_0000_0000);
const out = join(root, '.cache/flaky');
mkdirSync(out, { recursive: true });
const bin = join(root, 'packages/harness/dist/cli/bin.js');

function session(name, count, sessionSeed) {
  console.log(
    `\n== ${name}: ${count} shuffled runs (seed ${sessionSeed})${filters.length > 0 ? ` of ${filters.join(' ')}` : ''}${values['no-isolate'] ? ', files sharing workers' : ''}`,
  );
  const args = [
    bin,
    'flaky',
    '--shuffle',
    '--runs',
    String(count),
    '--seed',
    String(sessionSeed),
    '--json',
    join(out, `${name}.json`),
    '--html',
    join(out, `${name}.html`),
    ...(values['no-isolate'] ? ['--no-isolate'] : []),
    ...filters,
  ];
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status === 2 || result.status === 3) process.exit(result.status);
  return JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
}

const started = performance.now();
const reports = [];
if (runs - loaded > 0) reports.push(session('quiet', runs - loaded, seed));
if (loaded > 0) {
  // Bounded: the generator exits by itself; it is stopped as soon as the session ends.
  const load = spawn(process.execPath, [join(root, 'scripts/cpu-load.mjs'), String(availableParallelism()), '3600'], { stdio: 'ignore' });
  try {
    reports.push(session('loaded', loaded, Number(seed) + 1));
  } finally {
    load.kill('SIGTERM');
  }
}

const tests = new Map();
for (const report of reports) {
  for (const t of report.tests) {
    const entry = tests.get(t.id) ?? { name: `${t.file} > ${t.name}`, runs: 0, fails: 0 };
    entry.runs += t.runs;
    entry.fails += t.fails;
    tests.set(t.id, entry);
  }
}
const all = [...tests.values()].filter((t) => t.runs > 0);
const failing = all.filter((t) => t.fails > 0);
const executions = all.reduce((n, t) => n + t.runs, 0);
const most = Math.max(...all.map((t) => t.runs));
const bound = (n) => `${((1 - 0.05 ** (1 / n)) * 100).toPrecision(3)}%`;
console.log(
  `\n== ${runs} runs (${loaded} under CPU load) of ${all.length} tests, ${executions} test executions, in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
if (failing.length === 0) {
  // Exact 95% bounds with no failure seen: per test over its runs, and pooled over every execution.
  console.log(`no test failed in any run: each test that ran ${most} times fails less than ${bound(most)} of the time (exact 95% bound);`);
  console.log(`pooled over all ${executions} executions, a test execution fails less than ${bound(executions)} of the time`);
} else {
  for (const t of failing) console.log(`FAILED ${t.fails}/${t.runs}: ${t.name}`);
}
process.exitCode = failing.length === 0 ? 0 : 1;
