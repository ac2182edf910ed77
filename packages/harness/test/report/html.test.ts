import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import type { RunRaw, TestRaw } from '../../src/flaky/model.js';
import { buildFlakyReport } from '../../src/flaky/report.js';
import { runSeeds } from '../../src/flaky/seeds.js';
import { LatencyHistogram } from '../../src/load/histogram.js';
import { buildReport, renderReportHtml, type LoadStats, type TestRecord } from '../../src/report/index.js';
import { renderFlakyHtml } from '../../src/flaky/html/flaky-page.js';
import { CHROMIUM_MISSING, countColours, openBrowser } from './chromium.js';
import { schemaValidator } from './schema-check.js';

function htmlFile(name: string, html: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-html-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  writeFileSync(file, html);
  return file;
}

const timeline = [
  { seq: 0, time: 0, kind: 'system.start', source: 'test', data: { seed: 1 } },
  { seq: 1, time: 0, kind: 'spawn', source: '<0.2>', data: { label: 'pool' } },
  { seq: 2, time: 10, kind: 'spawn', source: '<0.3>', data: { label: 'w1' } },
  { seq: 3, time: 250, kind: 'exit', source: '<0.3>', data: { reason: 'boom' } },
  { seq: 4, time: 250, kind: 'child.restart', source: '<0.2>', data: { id: 'w1' } },
];

function loadStats(): LoadStats {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 400; i++) h.record(5 + (i % 40) + (i % 97 === 0 ? 300 : 0));
  return {
    ...{ label: 'checkout', target: 'GET http://127.0.0.1:4000/', concurrency: 4, requests: 400, errors: 0, errorRate: 0, durationMs: 2000, throughput: 200 },
    ...{ latency: h.summary(), histogram: h.buckets(), stoppedBy: 'requests', errorSamples: [] },
  };
}

/** Five tests over twelve runs: stable, broken, 25% flaky, skipped; run 5 an infrastructure failure. */
function flakyReport() {
  const runs: RunRaw[] = Array.from({ length: 12 }, (_, i) => ({
    index: i,
    ...runSeeds(3, i),
    shuffled: true,
    durationMs: 20,
    error: null,
    unhandled: [],
    order: {},
  }));
  const t = (id: string, outcomes: string): TestRaw => ({ id, name: id, file: 'pool.test.ts', outcomes, failures: [] });
  const tests = [
    t('steady', 'PPPPPFPPPPPP'),
    t('broken', 'FFFFFFFFFFFF'),
    t('sometimes', 'PFPPPFPFPPFP'),
    t('also steady', 'PPPPPFPPPPPP'),
    t('skipped', 'SSSSSSSSSSSS'),
  ];
  for (const test of tests) {
    test.failures = [...test.outcomes].flatMap((o, run) =>
      o === 'F' ? [{ run, signature: test.id === 'broken' ? 'aaaaaaaa' : 'bbbbbbbb', timedOut: false, crashed: false }] : [],
    );
  }
  tests[2]!.failures[0]!.timeline = timeline;
  tests[0]!.load = [loadStats()];
  const signatures = [
    { id: 'aaaaaaaa', name: 'AssertionError', message: 'expected <n> to be <n>', frames: ['pool.test.ts:3 fn'], example: 'expected 1 to be 2' },
    { id: 'bbbbbbbb', name: 'WaitError', message: 'timed out', frames: [], example: 'timed out' },
  ];
  return buildFlakyReport({ seed: 3, shard: null, judging: { targetRate: 0.05, confidence: 0.95 }, runs, tests, signatures, bisections: [], durationMs: 240 });
}

describe('the HTML reports in a real headless Chromium', () => {
  test('quiesce flaky --html: the grid, the intervals and the timeline render from inline SVG, with no request leaving the file', async ({ skip }) => {
    if (CHROMIUM_MISSING) return skip(CHROMIUM_MISSING);
    const report = flakyReport();
    expect(report.runs.filter((r) => r.infra).map((r) => r.index)).toEqual([5]);
    const file = htmlFile('flaky.html', renderFlakyHtml(report));
    const browser = await openBrowser();
    onTestFinished(() => browser.close());
    const { page } = browser;
    await page.goto(pathToFileURL(file).href);
    expect(await page.title()).toBe('quiesce flaky');
    expect(await page.locator('svg.grid rect.cell').count()).toBe(5 * 12);
    const fails = report.tests.reduce((n, t) => n + [...t.outcomes].filter((o) => o === 'F').length, 0);
    expect(await page.locator('svg.grid rect.cell-F').count()).toBe(fails);
    expect(await page.locator('svg.grid rect.infra-run').count()).toBe(1);
    expect(await page.locator('svg.intervals circle.rate').count()).toBe(4); // the skipped test never ran
    expect(await page.locator('svg.intervals line.target').count()).toBe(1);
    expect(await page.locator('svg.swimlane circle.event').count()).toBe(timeline.length);
    expect(await page.locator('svg.swimlane rect.lane').count()).toBe(3); // test, <0.2>, <0.3>
    expect(await page.locator('svg.histogram rect.bar').count()).toBe(report.tests[0]!.load![0]!.histogram.length);
    expect(schemaValidator('flaky')(report)).toEqual([]);
    expect(await page.locator('h3.failure').allTextContents()).toEqual(['pool.test.ts > broken', 'pool.test.ts > sometimes']);
    expect(await page.locator('pre.replay').first().textContent()).toMatch(/^QUIESCE_SEED=\d+ npx vitest run pool\.test\.ts --sequence\.shuffle\.tests/);
    const box = await page.locator('svg.grid').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(browser.external).toEqual([]);

    // The screenshot shows the grid: red and green squares in the proportion of failures to passes.
    const png = await page.locator('svg.grid').screenshot();
    const counts = await countColours(page, png, { pass: [0x2e, 0x7d, 0x32], fail: [0xc6, 0x28, 0x28], infra: [0xff, 0xb7, 0x4d] });
    const passes = report.tests.reduce((n, t) => n + [...t.outcomes].filter((o) => o === 'P').length, 0);
    expect(counts.pass).toBeGreaterThan(0);
    expect(counts.fail).toBeGreaterThan(0);
    expect(counts.infra).toBeGreaterThan(0);
    expect(counts.fail! / counts.pass!).toBeCloseTo(fails / passes, 1);
  });

  test('the reporter --html: load latency as a histogram with p50, p95 and p99 marked, and the failure timeline', async ({ skip }) => {
    if (CHROMIUM_MISSING) return skip(CHROMIUM_MISSING);
    const load = loadStats();
    const record = (name: string, status: TestRecord['status'], meta: TestRecord['meta']): TestRecord => ({
      ...{ id: name, name, file: 'svc.test.ts', status, ran: true, durationMs: 12, startTime: 0, timedOut: false, meta },
      errors: status === 'failed' ? [{ name: 'WaitError', message: 'w1 did not restart', frames: [] }] : [],
    });
    const report = buildReport([record('load', 'passed', { load: [load] }), record('restart', 'failed', { timeline })], { seed: 1, durationMs: 50 });
    const file = htmlFile('report.html', renderReportHtml(report));
    const browser = await openBrowser();
    onTestFinished(() => browser.close());
    await browser.page.goto(pathToFileURL(file).href);
    const { page } = browser;
    expect(await page.locator('svg.histogram rect.bar').count()).toBe(load.histogram.length);
    for (const mark of ['p50', 'p95', 'p99']) expect(await page.locator(`svg.histogram line.mark-${mark}`).count()).toBe(1);
    // The marks sit where the percentiles are: p50 left of p95, p95 left of p99.
    const xOf = async (mark: string) => Number(await page.locator(`svg.histogram line.mark-${mark}`).getAttribute('x1'));
    expect(await xOf('p50')).toBeLessThan(await xOf('p95'));
    expect(await xOf('p95')).toBeLessThanOrEqual(await xOf('p99'));
    expect(await page.locator('svg.swimlane circle.event').count()).toBe(timeline.length);
    expect(await page.locator('table.tests tr').count()).toBe(3);
    expect(browser.external).toEqual([]);
    const png = await page.locator('svg.histogram').screenshot();
    expect((await countColours(page, png, { bar: [0x54, 0x6e, 0x7a] })).bar).toBeGreaterThan(100);
  });
});
