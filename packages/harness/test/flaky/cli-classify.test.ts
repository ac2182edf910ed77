import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import type { FlakyReport } from '../../src/flaky/report.js';
import { runsForBound } from '../../src/flaky/stats.js';
import { cleanEnv, runCommand } from '../preset/vitest-subprocess.js';
import { schemaValidator } from '../report/schema-check.js';
import { fixture, quiesce } from './cli-support.js';

const validate = schemaValidator('flaky');
const planted = fixture('planted');

function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-flaky-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, name);
}

const byName = (report: FlakyReport) => new Map(report.tests.map((t) => [t.name, t]));

describe('quiesce flaky on a project with planted outcomes', () => {
  test('fixed shuffled runs: every test classified, the polluter named, each failure replayable', async ({ signal }) => {
    const json = tempFile('flaky.json');
    const html = `${json}.html`;
    const result = await quiesce(['flaky', '--runs', '8', '--shuffle', '--seed', '7', '--json', json, '--html', html], planted, signal);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as FlakyReport;
    expect(validate(report)).toEqual([]);
    expect(report.summary).toMatchObject({ seed: 7, runs: 8, tests: 7, exitCode: 1, orderDependent: 1, stableFail: 1 });
    expect(report.runs.every((r) => r.shuffled)).toBe(true);
    expect(new Set(report.runs.map((r) => r.harnessSeed)).size).toBe(8);

    const tests = byName(report);
    expect(tests.get('broken')).toMatchObject({ classification: 'stable-fail', fails: 8, failing: true });
    expect(tests.get('stable pass')).toMatchObject({ classification: 'stable-pass', fails: 0 });
    expect(tests.get('stable pass')!.upperBound).toBeCloseTo(1 - 0.05 ** (1 / 8), 12);
    expect(tests.get('flaky 40%')).toMatchObject({ classification: 'flaky', orderDependent: false });
    const victim = tests.get('victim')!;
    expect(victim).toMatchObject({ classification: 'flaky', orderDependent: true, polluters: [tests.get('polluter')!.id] });
    expect(report.bisections.find((b) => b.test === victim.id)?.note).toMatch(/fails when one test ran before it, passes alone/);
    // Each failure's signature is shared by its repeats: one cluster per bug.
    expect(report.signatures.find((s) => s.tests.includes(tests.get('broken')!.id))).toMatchObject({ count: 8, name: 'AssertionError' });

    // The HTML report of the same session (rendered in Chromium by test/report/html.test.ts).
    const page = readFileSync(html, 'utf8');
    expect(page.match(/class="cell cell-/g)).toHaveLength(7 * 8);
    expect(page).toContain('class="intervals"');

    // The text: a table, the clusters, the replay commands, the exit code's meaning.
    expect(result.stdout).toMatch(/flaky \(order\) +\d\/8 .* suite\.planted\.ts > victim +fails after a polluter/);
    expect(result.stdout).toContain('exit 1: test failures, or flakes above the target rate');
    // Not a terminal: one plain progress line per run.
    expect(result.stderr).toContain('[quiesce] run 8/8: 7 tests');

    // The replay commands reproduce the failures, and the polluter is what makes the victim fail.
    const env = cleanEnv();
    const replay = victim.failures[0]!.replay;
    expect(replay).toMatch(
      /^QUIESCE_SEED=\d+ npx vitest run suite\.planted\.ts --sequence\.shuffle\.tests --sequence\.seed=\d+ -t '\^\(polluter\|victim\)\$'$/,
    );
    const again = await runCommand(`cd ${planted} && ${replay}`, env, signal);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/1 failed \| 1 passed/);
    const alone = await runCommand(`cd ${planted} && ${replay.replace("'^(polluter|victim)$'", () => "'^victim$'")}`, env, signal);
    expect(alone.code, `${alone.stdout}\n${alone.stderr}`).toBe(0);
    const coin = await runCommand(`cd ${planted} && ${tests.get('flaky 40%')!.failures[0]!.replay}`, env, signal);
    expect(coin.code).toBe(1);
  });

  test('adaptive: with a target rate each test stops once settled; stable ones take exactly the runs that bound them', async ({ signal }) => {
    const json = tempFile('adaptive.json');
    const result = await quiesce(['flaky', '--shuffle', '--seed', '7', '--target-rate', '0.2', '--no-bisect', '--json', json], planted, signal);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as FlakyReport;
    expect(validate(report)).toEqual([]);
    const needed = runsForBound(0.2, 0.95);
    expect(report.summary).toMatchObject({ runs: needed, runsForTarget: needed, unsettled: 0, targetRate: 0.2 });
    const tests = byName(report);
    for (const name of ['stable pass', 'broken', 'polluter', 'steady'])
      expect(tests.get(name)).toMatchObject({ runs: needed, settled: true, upperBound: expect.any(Number) });
    for (const name of ['flaky 40%', 'victim', 'coin']) {
      const t = tests.get(name)!;
      expect(t).toMatchObject({ classification: 'flaky', settled: true });
      // Settled at its first flip: every later run left it out.
      const last = Math.max(t.outcomes.lastIndexOf('P'), t.outcomes.lastIndexOf('F'));
      expect(t.outcomes.slice(0, last).includes(t.outcomes[last]!)).toBe(false);
      expect(t.outcomes.slice(last + 1)).toMatch(/^-*$/);
    }
    expect(report.summary.testExecutions).toBeLessThan(needed * report.tests.length);
  });
});
