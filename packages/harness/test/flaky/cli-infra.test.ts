import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import type { FlakyReport } from '../../src/flaky/report.js';
import { runSeeds } from '../../src/flaky/seeds.js';
import { fixture, quiesce } from './cli-support.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-infra-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('runs where every test failed at once are infrastructure failures: reported apart, exit 2', async ({ signal }) => {
  const RUNS = 6;
  // A session seed whose runs include a "service down" run (harness seed divisible by 3) but not only those.
  let seed = 1;
  const down = (s: number) => Array.from({ length: RUNS }, (_, i) => i).filter((i) => runSeeds(s, i).harnessSeed % 3 === 0);
  while (down(seed).length === 0 || down(seed).length > 2 || down(seed).includes(0)) seed++;
  const json = join(tempDir(), 'infra.json');
  const result = await quiesce(['flaky', '--runs', String(RUNS), '--seed', String(seed), '--json', json], fixture('infra'), signal);
  expect(result.code, result.stderr).toBe(2);
  const report = JSON.parse(readFileSync(json, 'utf8')) as FlakyReport;
  expect(report.runs.filter((r) => r.infra).map((r) => r.index)).toEqual(down(seed));
  expect(report.runs.find((r) => r.infra)?.infraReason).toBe('4 of 4 tests failed at once, 4 of them tests that pass in other runs');
  // Left out of every test's figures: the tests are stable.
  for (const t of report.tests) expect(t).toMatchObject({ classification: 'stable-pass', runs: RUNS - down(seed).length, fails: 0 });
  expect(report.signatures).toEqual([]);
  expect(result.stdout).toContain('infrastructure runs (left out of every figure):');
  expect(result.stdout).toContain('exit 2: infrastructure error');
});

test('timeouts and worker crashes are counted apart from other failures; errors outside tests are reported with their run', async ({ signal }) => {
  const json = join(tempDir(), 'odd.json');
  const result = await quiesce(['flaky', '--runs', '2', '--seed', '3', '--json', json, '--no-bisect'], fixture('odd'), signal);
  expect(result.code, result.stderr).toBe(1);
  const report = JSON.parse(readFileSync(json, 'utf8')) as FlakyReport;
  const tests = new Map(report.tests.map((t) => [t.name, t]));
  expect(tests.get('never settles')).toMatchObject({ classification: 'stable-fail', timeouts: 2, crashes: 0 });
  expect(tests.get('kills its worker')).toMatchObject({ classification: 'stable-fail', crashes: 2 });
  // An error outside any test fails Vitest's run, not a test: it is reported with its run.
  // (The worker that was killed shows there too, as the pool's error.)
  for (const run of report.runs)
    expect(run.unhandled).toEqual(expect.arrayContaining(['Error: nobody awaited this', expect.stringMatching(/Worker forks emitted error/)]));
  expect(result.stdout).toMatch(/errors outside any test \(Vitest failed these runs, no test did\):\n {2}run 0: .*nobody awaited this/);
});
