import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, onTestFinished } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { test } from '@quiesce/harness';
import { DEFAULT_RUNS, parseFlakyArgs, parseMergeArgs } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';
import type { RunRaw, TestRaw } from '../../src/flaky/model.js';
import { mergeReports, readReport } from '../../src/flaky/merge.js';
import { renderText } from '../../src/flaky/render-text.js';
import { buildFlakyReport, type SessionRaw } from '../../src/flaky/report.js';
import { runSeeds } from '../../src/flaky/seeds.js';
import { fixture } from './cli-support.js';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-args-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'vitest.config.mjs'), 'export default {};\n');
  return dir;
}

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write: (c, _e, done) => {
        text += c.toString();
        done();
      },
    }),
    text: () => text,
  };
}

describe('quiesce flaky arguments', () => {
  test('defaults, and every flag read', () => {
    const dir = project();
    const defaults = parseFlakyArgs([], dir);
    expect(defaults).toMatchObject({
      root: dir,
      config: join(dir, 'vitest.config.mjs'),
      filters: [],
      runs: DEFAULT_RUNS,
      shuffle: false,
      targetRate: null,
      confidence: 0.95,
      bisect: true,
      shard: null,
      isolate: undefined,
      require: [],
    });
    const all = parseFlakyArgs(
      [
        'a.test.ts',
        'b',
        '--runs',
        '7',
        '--shuffle',
        '--seed',
        '42',
        '--json',
        'out/r.json',
        '--html',
        'r.html',
        '--shard',
        '2/3',
        '--target-rate',
        '1%',
        '--confidence',
        '0.99',
        '-t',
        'pool',
        '--no-bisect',
        '--progress',
        'lines',
        '--no-isolate',
        '--require',
        'docker',
      ],
      dir,
    );
    expect(all).toMatchObject({
      filters: ['a.test.ts', 'b'],
      runs: 7,
      shuffle: true,
      seed: 42,
      json: join(dir, 'out/r.json'),
      html: join(dir, 'r.html'),
      shard: { index: 2, count: 3 },
      targetRate: 0.01,
      confidence: 0.99,
      testNamePattern: 'pool',
      bisect: false,
      progress: 'lines',
      isolate: false,
      require: ['docker'],
    });
    expect(() => parseFlakyArgs(['--require', 'dokcer'], dir)).toThrow(
      '--require: got "dokcer"; expected a comma-separated list of required parts: \'docker\'',
    );
    // With a target and no --runs: the runs that bound a stable test under it.
    expect(parseFlakyArgs(['--target-rate', '0.1'], dir)).toMatchObject({ runs: 29 });
    expect(parseFlakyArgs(['--help'], dir)).toBe('help');
    expect(parseMergeArgs(['--help'], dir)).toBe('help');
  });

  test('fuzzed: any arguments parse or throw a QuiesceError (exit 3), never anything else', () => {
    const dir = project();
    const flag = fc.constantFrom(
      '--runs',
      '--seed',
      '--shard',
      '--target-rate',
      '--confidence',
      '--progress',
      '--json',
      '--root',
      '--config',
      '--shuffle',
      '--no-isolate',
      '--require',
      '--bogus',
      '-t',
      'file',
    );
    const value = fc.oneof(fc.string(), fc.constantFrom('0', '1', '-1', '1/2', '3/2', '0.5', '50%', '1e3', 'NaN', ''));
    fc.assert(
      fc.property(fc.array(fc.oneof(flag, value), { maxLength: 6 }), (argv) => {
        try {
          const parsed = parseFlakyArgs(argv, dir);
          if (parsed !== 'help') expect(parsed.runs).toBeGreaterThanOrEqual(1);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
          expect((error as QuiesceError).code).toBe('INVALID_OPTION');
        }
      }),
    );
  });

  test('main(): usage, unknown commands and bad flags without starting Vitest', async () => {
    const out = capture();
    const err = capture();
    const io = { stdout: out.stream, stderr: err.stream };
    expect(await main(['--help'], io)).toBe(0);
    expect(out.text()).toContain('quiesce flaky merge REPORT.json... [options]');
    expect(await main(['flaky', '--runs', '0', '--root', fixture('planted')], io)).toBe(3);
    expect(err.text()).toContain('quiesce flaky: --runs: got "0"; expected an integer from 1 to 100000');
    expect(await main(['purge'], io)).toBe(3);
    expect(err.text()).toContain("quiesce: unknown command 'purge' (commands: flaky, flaky merge)");
  });
});

function session(tests: TestRaw[], runs: number, extra: Partial<SessionRaw> = {}): SessionRaw {
  const made: RunRaw[] = Array.from({ length: runs }, (_, i) => ({
    index: i,
    ...runSeeds(5, i),
    shuffled: false,
    durationMs: 10,
    error: null,
    unhandled: [],
    order: {},
  }));
  return { seed: 5, shard: null, judging: { targetRate: null, confidence: 0.95 }, runs: made, tests, signatures: [], bisections: [], durationMs: 30, ...extra };
}
const t = (id: string, file: string, outcomes: string): TestRaw => ({ id, name: id, file, outcomes, failures: [] });

describe('merge and the text report', () => {
  test('shards merge into the report of one machine; different sessions and repeated tests are refused', () => {
    const a = t('a', 'one.test.ts', 'PFPP');
    a.failures = [{ run: 1, signature: 'cafecafe', timedOut: false, crashed: false }];
    const b = t('b', 'two.test.ts', 'PPPP');
    const signatures = [{ id: 'cafecafe', name: 'Error', message: 'boom', frames: [], example: 'boom' }];
    const whole = buildFlakyReport(session([a, b], 4, { signatures }));
    const one = buildFlakyReport(session([a], 4, { signatures, shard: { index: 1, count: 2 } }));
    const two = buildFlakyReport(session([b], 4, { shard: { index: 2, count: 2 } }));
    const merged = mergeReports([one, two]);
    expect(merged.tests).toEqual(whole.tests);
    expect(merged.summary).toEqual({ ...whole.summary, durationSeconds: merged.summary.durationSeconds });
    expect(() => mergeReports([one, one])).toThrow(/test one\.test\.ts > a is in two reports/);
    expect(() => mergeReports([one, buildFlakyReport(session([b], 4, { seed: 6 }))])).toThrow(/different sessions \(seeds 5 and 6\)/);
    expect(() => mergeReports([])).toThrow(QuiesceError);

    const dir = project();
    writeFileSync(join(dir, 'bad.json'), '{"version": 2}');
    writeFileSync(join(dir, 'garbage.json'), 'not json');
    expect(() => readReport(join(dir, 'bad.json'))).toThrow(/is not a report of `quiesce flaky --json` \(version 1\)/);
    expect(() => readReport(join(dir, 'garbage.json'))).toThrow(/is not JSON/);
    expect(() => parseMergeArgs(['missing.json'], dir)).toThrow(/expected an existing JSON report/);
  });

  test('the text report: the table worst first, the clusters, the replay commands and the exit code', () => {
    const a = t('flips', 'one.test.ts', 'PFPF');
    a.failures = [1, 3].map((run) => ({ run, signature: 'cafecafe', timedOut: run === 3, crashed: false }));
    const signatures = [
      { id: 'cafecafe', name: 'AssertionError', message: 'expected <n> to be <n>', frames: ['one.test.ts:4 fn'], example: 'expected 1 to be 2' },
    ];
    const text = renderText(
      buildFlakyReport(session([t('steady', 'one.test.ts', 'PPPP'), a], 4, { signatures, judging: { targetRate: 0.2, confidence: 0.95 } })),
    );
    expect(text).toContain('quiesce flaky: 4 runs, seed 5, target rate 20.0% at 95.0% confidence');
    expect(text.indexOf('one.test.ts > flips')).toBeLessThan(text.indexOf('one.test.ts > steady'));
    expect(text).toMatch(/flaky +2\/4 +50\.0% +\[15\.0%, 85\.0%\] +1\.00 +one\.test\.ts > flips +1 timed out/);
    expect(text).toMatch(/stable\? +0\/4 +0\.0% +<= 52\.7% .* 10 more clean runs for the target/);
    expect(text).toContain('cafecafe  ×2  AssertionError: expected <n> to be <n>  (1 test)');
    expect(text).toContain('QUIESCE_SEED=');
    expect(text).toContain('exit 1: test failures, or flakes above the target rate');
  });

  test('a large suite: only the tests that need attention are listed, the stable ones counted', () => {
    const many = Array.from({ length: 40 }, (_, i) => t(`steady ${i}`, 'one.test.ts', 'PPPP'));
    const text = renderText(buildFlakyReport(session([...many, t('flips', 'one.test.ts', 'PFPP')], 4)));
    expect(text).toContain('one.test.ts > flips');
    expect(text).not.toContain('steady 3');
    expect(text).toContain('  40 stable tests not listed (each failure rate <= 52.7%); the JSON and HTML reports list every test');
  });
});
