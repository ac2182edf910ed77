import { describe, expect } from 'vitest';
import { test } from '@quiesce/harness';
import { candidatePolluters, classify, isSettled, judgeRuns } from '../../src/flaky/analyse.js';
import type { RunRaw, TestRaw } from '../../src/flaky/model.js';
import { buildFlakyReport } from '../../src/flaky/report.js';
import { namePattern, replayCommand, runSeeds, shellQuote } from '../../src/flaky/seeds.js';
import { normaliseMessage, signatureOf } from '../../src/flaky/signature.js';
import { flipRate, normalQuantile, runsForBound, wilson, zeroEventUpperBound } from '../../src/flaky/stats.js';
import { schemaValidator } from '../report/schema-check.js';

describe('rerun statistics', () => {
  test('the Wilson interval, the exact zero-failure bound and the runs it needs', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
    const [lo, hi] = wilson(5, 10);
    expect(lo).toBeCloseTo(0.2366, 4);
    expect(hi).toBeCloseTo(0.7634, 4);
    expect(wilson(0, 20)[0]).toBe(0);
    expect(wilson(20, 20)[1]).toBe(1);
    expect(wilson(0, 0)).toEqual([0, 1]);
    // The rule of three: about 3/n at 95%.
    expect(zeroEventUpperBound(100)).toBeCloseTo(0.0295, 4);
    expect(zeroEventUpperBound(300) * 300).toBeCloseTo(3, 0);
    expect(runsForBound(0.01)).toBe(299);
    expect(runsForBound(0.1)).toBe(29);
    expect(zeroEventUpperBound(runsForBound(0.05, 0.99), 0.99)).toBeLessThan(0.05);
    expect(zeroEventUpperBound(runsForBound(0.05, 0.99) - 1, 0.99)).toBeGreaterThanOrEqual(0.05);
    expect(flipRate([true, false, true, true])).toBeCloseTo(2 / 3);
    expect(flipRate([true])).toBe(0);
  });

  test('classification and when it is settled', () => {
    expect([classify(3, 0), classify(0, 3), classify(2, 1), classify(0, 0)]).toEqual(['stable-pass', 'stable-fail', 'flaky', 'skipped']);
    const target = { targetRate: 0.1, confidence: 0.95 };
    expect(isSettled(1, 1, target)).toBe(true); // both outcomes seen: certain
    expect(isSettled(28, 0, target)).toBe(false);
    expect(isSettled(29, 0, target)).toBe(true);
    expect(isSettled(0, 29, target)).toBe(true);
    expect(isSettled(1, 0, { targetRate: null, confidence: 0.95 })).toBe(true);
  });
});

function run(index: number, order: string[] = [], error: string | null = null): RunRaw {
  return { index, ...runSeeds(1, index), shuffled: true, durationMs: 10, error, unhandled: [], order: { 'a.test.ts': order } };
}
const testOf = (id: string, outcomes: string): TestRaw => ({ id, name: id, file: 'a.test.ts', outcomes, failures: [] });

describe('runs and order', () => {
  test('a run where most tests failed at once, tests that pass elsewhere, is infrastructure; so is a run that failed itself', () => {
    const tests = ['a', 'b', 'c', 'd'].map((id) => testOf(id, id === 'd' ? 'FPFFP' : 'PPFPP'));
    const verdicts = judgeRuns([run(0), run(1), run(2), run(3), run(4, [], 'no test ran: Error: worker exited')], tests);
    expect(verdicts.map((v) => v.infra)).toEqual([false, false, true, false, true]);
    expect(verdicts[2]!.infraReason).toBe('4 of 4 tests failed at once, 3 of them tests that pass in other runs');
    // A suite that is simply broken is not an infrastructure problem.
    const broken = ['a', 'b', 'c'].map((id) => testOf(id, 'FFF'));
    expect(judgeRuns([run(0), run(1), run(2)], broken).some((v) => v.infra)).toBe(false);
  });

  test('candidate polluters: ran before the test whenever it failed, never when it passed', () => {
    const runs = [run(0, ['p', 'x', 'v']), run(1, ['v', 'p', 'x']), run(2, ['x', 'p', 'v']), run(3, ['x', 'v', 'p'])];
    const usable = [
      { run: 0, passed: false },
      { run: 1, passed: true },
      { run: 2, passed: false },
      { run: 3, passed: true },
    ];
    expect(candidatePolluters(testOf('v', 'FPFP'), runs, usable)).toEqual(['p']);
    expect(
      candidatePolluters(
        testOf('v', 'PPPP'),
        runs,
        usable.map((u) => ({ ...u, passed: true })),
      ),
    ).toEqual([]);
  });

  test('the report of hand-made runs validates against the published schema', () => {
    const tests = [testOf('v', 'FPFP'), testOf('p', 'PPPP'), testOf('x', 'PPPP')];
    tests[0]!.failures = [
      { run: 0, signature: 'deadbeef', timedOut: false, crashed: false },
      { run: 2, signature: 'deadbeef', timedOut: false, crashed: false },
    ];
    const runs = [run(0, ['p', 'x', 'v']), run(1, ['v', 'p', 'x']), run(2, ['x', 'p', 'v']), run(3, ['x', 'v', 'p'])];
    const signatures = [{ id: 'deadbeef', name: 'AssertionError', message: 'expected true to be false', frames: [], example: 'expected true to be false' }];
    const report = buildFlakyReport({
      seed: 1,
      shard: null,
      judging: { targetRate: null, confidence: 0.95 },
      runs,
      tests,
      signatures,
      bisections: [],
      durationMs: 40,
    });
    expect(schemaValidator('flaky')(report)).toEqual([]);
    const v = report.tests[0]!;
    // Candidates without a bisection: order dependence is suspected, not shown.
    expect(v).toMatchObject({ classification: 'flaky', fails: 2, runs: 4, orderDependent: null, failing: true });
    expect(report.summary).toMatchObject({ exitCode: 1, flaky: 1, stablePass: 2 });
    expect(report.signatures).toMatchObject([{ id: 'deadbeef', count: 2, tests: ['v'] }]);
  });
});

describe('signatures and replay commands', () => {
  test('a signature ignores what changes between runs: numbers, pids, paths, ids', () => {
    expect(normaliseMessage('expected 0.3567 to be >= 0.4 after 250ms on <0.12> at /tmp/x/y.txt id 9f86d081884c7d65', '/work')).toBe(
      'expected <n> to be >= <n> after <n>ms on <pid> at <path> id <id>',
    );
    expect(normaliseMessage('worker-1 failed\nstack...')).toBe('worker-1 failed');
    const a = signatureOf({ name: 'AssertionError', message: 'expected 1 to be 2', frames: ['/r/a.test.ts:3:9 fn'] }, '/r');
    const b = signatureOf({ name: 'AssertionError', message: 'expected 7 to be 2', frames: ['/r/a.test.ts:3:12 fn'] }, '/r');
    expect(a.id).toBe(b.id);
    expect(a.frames).toEqual(['a.test.ts:3 fn']);
    expect(signatureOf({ name: 'TypeError', message: 'expected 1 to be 2', frames: [] }, '/r').id).not.toBe(a.id);
  });

  test('replay commands name the seeds, the order and the exact tests, quoted for a shell', () => {
    expect(namePattern(['a suite > b (c)'])).toBe('^a suite( > | )b \\(c\\)$');
    expect(namePattern(['p', 'v'])).toBe('^(p|v)$');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(replayCommand({ file: 'a.test.ts', names: ['v'], harnessSeed: 5, shuffleSeed: 9, shuffled: true })).toBe(
      "QUIESCE_SEED=5 npx vitest run a.test.ts --sequence.shuffle.tests --sequence.seed=9 -t '^v$'",
    );
    expect(replayCommand({ file: 'a.test.ts', names: ['v'], harnessSeed: 5, shuffleSeed: 9, shuffled: false })).toBe(
      "QUIESCE_SEED=5 npx vitest run a.test.ts -t '^v$'",
    );
  });
});
