import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, onTestFinished } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { test, type LoadStats } from '@quiesce/harness';
import { testSeed } from '@quiesce/harness/internal';
import { buildReport, QuiesceReporter, summariseLoads, type ReportDocument, type TestRecord } from '../../src/report/index.js';
import { cleanEnv, runCommand, runVitest } from '../preset/vitest-subprocess.js';
import { schemaValidator } from './schema-check.js';

const validateReport = schemaValidator('report');
const FIXTURE = 'packages/harness/test/report/fixtures/report.fixture.ts';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-report-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('QuiesceReporter in a real Vitest run', () => {
  test('writes a JSON report that the published schema accepts, with seeds, replays, metrics and the failure timeline', async ({ signal }) => {
    const dir = tempDir();
    const file = join(dir, 'nested/report.json');
    const html = join(dir, 'nested/report.html');
    const env = cleanEnv({ QUIESCE_SEED: '1234', QUIESCE_TEST_REPORT: file, QUIESCE_TEST_REPORT_HTML: html });
    const run = await runVitest('--config packages/harness/test/report/fixtures/vitest.config.ts', env, signal);
    expect(run.code).toBe(1); // one test fails on purpose
    const report = JSON.parse(readFileSync(file, 'utf8')) as ReportDocument;
    expect(validateReport(report)).toEqual([]);

    expect(report.summary).toMatchObject({ total: 4, passed: 2, failed: 1, skipped: 1, seed: 1234 });
    expect(report.summary.duration_seconds).toBeGreaterThan(0);
    const byName = new Map(report.tests.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(['a suite > runs a load', 'fails with a timeline', 'is skipped', 'passes']);
    for (const t of report.tests) {
      expect(t.file).toBe(FIXTURE);
      // Every test's seed is the one its system gets (or would get) from the run seed and its id.
      expect(t.seed).toBe(testSeed(1234, `${FIXTURE}::${t.name}`));
      expect(t.replay).toBe(`QUIESCE_SEED=1234 npx vitest run ${FIXTURE} -t '^${t.name.replace(' > ', '( > | )')}$'`);
    }
    // A replay command selects exactly its test, nested in a suite too (Vitest 4's -t sees 'a suite runs a load', Vitest 5's 'a suite > runs a load').
    const config = ' --config packages/harness/test/report/fixtures/vitest.config.ts --reporter=default';
    const nested = await runCommand(
      byName.get('a suite > runs a load')!.replay + config,
      cleanEnv({ QUIESCE_TEST_REPORT: join(dir, 'replay.json'), QUIESCE_TEST_REPORT_HTML: join(dir, 'replay.html') }),
      signal,
    );
    expect(stripVTControlCharacters(nested.stdout)).toMatch(/Tests +1 passed \| 3 skipped \(4\)/);

    const failed = byName.get('fails with a timeline')!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('AssertionError: expected [] to have a length of 1 but got +0');
    expect(failed.timeline?.map((e) => [e.kind, e.source, e.data])).toEqual(
      expect.arrayContaining([
        ['job.start', 'worker-1', { id: 7 }],
        ['job.crash', 'worker-1', { id: 7, reason: 'boom' }],
      ]),
    );
    expect(byName.get('passes')).toMatchObject({ status: 'passed', error: null, timeline: null, metrics: {} });
    expect(byName.get('is skipped')).toMatchObject({ status: 'skipped', duration: 0 });

    const loaded = byName.get('a suite > runs a load')!;
    expect(loaded.metrics.load).toHaveLength(1);
    expect(loaded.metrics.load![0]).toMatchObject({ label: 'noop', requests: 25, concurrency: 5, errors: 0 });
    expect(report.load).toMatchObject({ loads: 1, requests: 25, error_rate: 0, p95_latency_ms: loaded.metrics.load![0]!.latency.p95 });

    // The HTML report of the same run: one file, charts inline, nothing fetched (html.test.ts renders it in Chromium).
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="histogram"');
    expect(page).toContain('class="swimlane"');
    expect(page.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:\/\/|<script|<link/);
  });
});

function record(name: string, status: TestRecord['status'], meta: TestRecord['meta'] = {}): TestRecord {
  const errors = status === 'failed' ? [{ name: 'Error', message: 'boom', frames: [] }] : [];
  return { id: name, name, file: 'a.test.ts', status, ran: status !== 'skipped', durationMs: 1500, startTime: 0, errors, timedOut: false, meta };
}

function loadStats(label: string, durationMs: number, latencies: number[], errors = 0): LoadStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
  return {
    label,
    target: 'a function',
    concurrency: 1,
    requests: latencies.length,
    errors,
    errorRate: errors / latencies.length,
    durationMs,
    throughput: (latencies.length * 1000) / durationMs,
    latency: { count: latencies.length, mean: 0, min: sorted[0]!, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1)! },
    histogram: latencies.map((ms) => ({ le: ms, count: 1 })),
    stoppedBy: 'requests',
    errorSamples: [],
  };
}

describe('the JSON report', () => {
  test('counts, seconds, and no load section without loads', () => {
    const report = buildReport([record('a', 'passed'), record('b', 'failed'), record('c', 'skipped')], { seed: 9, durationMs: 2500 });
    expect(report.summary).toEqual({ total: 3, passed: 1, failed: 1, skipped: 1, duration_seconds: 2.5, seed: 9 });
    expect(report.tests[1]).toMatchObject({ name: 'b', duration: 1.5, error: 'Error: boom', seed: testSeed(9, 'a.test.ts::b') });
    expect(report).not.toHaveProperty('load');
    expect(validateReport(report)).toEqual([]);
  });

  test('several loads combine: throughput over their summed time, error rate over all requests, percentiles from the summed buckets', () => {
    const one = loadStats('one', 1000, [1, 2, 3, 4], 1);
    const two = loadStats('two', 3000, [8, 16, 32, 64], 1);
    expect(summariseLoads([one])).toMatchObject({ p50_latency_ms: 2, p95_latency_ms: 4, requests: 4, loads: 1 });
    expect(summariseLoads([one, two])).toEqual({
      requests_per_second: 2,
      p50_latency_ms: 4,
      p95_latency_ms: 64,
      p99_latency_ms: 64,
      error_rate: 0.25,
      loads: 2,
      requests: 8,
    });
    const report = buildReport([record('a', 'passed', { load: [one, two] })], { seed: 0, durationMs: 1 });
    expect(validateReport(report)).toEqual([]);
  });

  test('the schema is not vacuous: a missing field, a wrong type and an unknown status are refused', () => {
    const report = buildReport([record('a', 'passed')], { seed: 1, durationMs: 1 });
    expect(validateReport({ ...report, summary: { ...report.summary, seed: -1 } })).not.toEqual([]);
    expect(validateReport({ tests: report.tests })).not.toEqual([]);
    expect(validateReport({ ...report, tests: [{ ...report.tests[0], status: 'flaky' }] })).not.toEqual([]);
    expect(validateReport({ ...report, tests: [{ ...report.tests[0], duration: '1s' }] })).not.toEqual([]);
  });

  test('reporter options are checked', () => {
    expect(() => new QuiesceReporter({ json: '' })).toThrow('QuiesceReporter options.json: got ""; expected a file path, or false for no JSON report');
    expect(() => new QuiesceReporter({ jsn: 'x' } as never)).toThrow(/did you mean 'json'\?/);
    expect(() => new QuiesceReporter(7 as never)).toThrow(QuiesceError);
  });
});
