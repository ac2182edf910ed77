#!/usr/bin/env node
// Where a rerun's time goes (docs/flaky.md, "Throughput"): one Vitest instance, as `quiesce flaky`
// keeps it, runs the files K times; each run's wall time is split, from Vitest's own per-file
// diagnostics, into what a worker spends before the tests (environment, runner set-up, setup
// files, importing the test file) and the tests' own time (tests and hooks).
//
//   node bench/flaky/profile.mjs [runs=3] [--no-isolate] [vitest file filters...]
//
// The instance's start-up (config, Vite server, globbing) is timed apart: it is what a shell loop
// of `vitest run` pays again every run and `quiesce flaky` pays once. Prints the ten files whose
// tests take longest. Writes bench/results/flaky-profile.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(dirname(here));
const argv = process.argv.slice(2);
const isolate = !argv.includes('--no-isolate');
const rest = argv.filter((a) => a !== '--no-isolate');
const runs = /^\d+$/.test(rest[0] ?? '') ? Number(rest.shift()) : 3;
const filters = rest;

const sink = new Writable({ write: (_c, _e, done) => done() });
const { createVitest } = await import(join(root, 'node_modules/vitest/dist/node.js'));
const t0 = performance.now();
const vitest = await createVitest(
  'test',
  { root, watch: false, reporters: [{}], passWithNoTests: true, ...(isolate ? {} : { isolate: false }) },
  {},
  { stdout: sink, stderr: sink },
);
const specs = await vitest.globTestSpecifications(filters);
const startupMs = performance.now() - t0;
process.stderr.write(
  `start-up (config, Vite server, globbing ${specs.length} files): ${(startupMs / 1000).toFixed(2)} s; maxWorkers ${vitest.config.maxWorkers ?? vitest.projects[0]?.config.maxWorkers}, isolate ${isolate}\n`,
);

const rows = [];
let perFile = new Map();
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  const result = await vitest.runTestSpecifications(specs, false);
  const wallMs = performance.now() - started;
  let before = 0;
  let tests = 0;
  let failed = 0;
  perFile = new Map();
  for (const module of result.testModules) {
    const d = module.diagnostic();
    const prep = d.environmentSetupDuration + d.prepareDuration + d.setupDuration + d.collectDuration;
    before += prep;
    tests += d.duration;
    perFile.set(relative(root, module.moduleId), { before: prep, tests: d.duration });
    for (const test of module.children.allTests()) if (test.result().state === 'failed') failed++;
  }
  rows.push({ run, wallMs, workerBeforeTestsMs: before, testsMs: tests, failed });
  process.stderr.write(
    `run ${run}: wall ${(wallMs / 1000).toFixed(2)} s; in workers: before the tests ${(before / 1000).toFixed(2)} s, tests ${(tests / 1000).toFixed(2)} s; ${failed} failed\n`,
  );
}
await vitest.close();

const slowest = [...perFile].sort((a, b) => b[1].tests - a[1].tests).slice(0, 10);
console.log('\nslowest files (last run): tests / before the tests');
for (const [file, t] of slowest) console.log(`  ${(t.tests / 1000).toFixed(2).padStart(7)} s / ${(t.before / 1000).toFixed(2).padStart(5)} s  ${file}`);
const out = join(root, 'bench/results/flaky-profile.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ filters, isolate, startupMs, files: specs.length, rows, slowest, node: process.version }, null, 2)}\n`);
