import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { createTestSystem, test } from '@quiesce/harness';
import { QuiesceReporter, type ReportDocument, type TestCaseLike } from '../../src/report/index.js';
import { attachSystem, attachTimeline, timelineEvent } from '../../src/report/system-meta.js';

/** A reported test as Vitest's reporter API hands it over (the parts the reporter reads). */
function reported(name: string, state: string, meta: object = {}): TestCaseLike {
  const errors = state === 'failed' ? [{ name: 'Error', message: 'boom', stacks: [{ file: '/p/a.test.ts', line: 3, column: 5, method: 'fn' }] }] : undefined;
  return {
    id: name,
    name,
    fullName: `suite > ${name}`,
    module: { moduleId: '/p/a.test.ts', relativeModuleId: 'a.test.ts' },
    result: () => ({ state, errors }),
    diagnostic: () => ({ duration: 4, startTime: 0 }),
    meta: () => meta,
  };
}

test('the reporter writes both reports from what Vitest hands it, under the project root', () => {
  const root = mkdtempSync(join(tmpdir(), 'quiesce-reporter-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const reporter = new QuiesceReporter({ json: 'out/report.json', html: 'out/report.html' });
  reporter.onInit({ config: { root, env: { QUIESCE_SEED: '77' } } });
  reporter.onTestRunStart();
  const tests = [reported('ok', 'passed'), reported('bad', 'failed', { quiesce: { seed: 5, replay: 'replay me' } }), reported('lost', 'pending')];
  reporter.onTestRunEnd([{ children: { allTests: () => tests } }]);
  const report = JSON.parse(readFileSync(join(root, 'out/report.json'), 'utf8')) as ReportDocument;
  expect(report).toEqual(reporter.lastReport);
  expect(report.summary).toMatchObject({ total: 3, passed: 1, failed: 2, seed: 77 });
  expect(report.tests[1]).toMatchObject({ name: 'suite > bad', seed: 5, replay: 'replay me', error: 'Error: boom', duration: 0.004 });
  // A test with no result (its worker died) is a failure that says so.
  expect(report.tests[2]).toMatchObject({ status: 'failed', error: 'NoResult: the test never finished: its worker exited or the run was cancelled' });
  expect(readFileSync(join(root, 'out/report.html'), 'utf8')).toContain('<h3 class="failure">a.test.ts &gt; suite &#62; bad</h3>');
});

test("a system's seed, replay command and, on failure, its timeline go into the test's meta as plain JSON", async () => {
  const system = createTestSystem({ testId: 'meta-test', file: 'm.test.ts', testName: 'meta' });
  onTestFinished(() => system.teardown());
  const task: { meta: { quiesce?: object } } = { meta: {} };
  attachSystem(task, system);
  system.record('job.crash', 'worker', { error: new Error('boom'), big: 'x'.repeat(5000), n: 10n });
  attachTimeline(task, system);
  const meta = task.meta.quiesce as { seed: number; replay: string; timeline: Array<{ kind: string; data?: unknown }> };
  expect(meta.seed).toBe(system.seed);
  expect(meta.replay).toBe(system.replayCommand());
  const crash = meta.timeline.find((e) => e.kind === 'job.crash')!;
  // Errors and bigints get their stable JSON form; a huge payload is cut.
  expect(typeof crash.data).toBe('string');
  expect(crash.data as string).toMatch(/^\{"error":\{"error":"Error","message":"boom"\},"big":"x+… \(\d+ chars\)$/);
  expect(timelineEvent({ seq: 1, time: 2, kind: 'k', source: 's', data: { n: 10n } })).toEqual({ seq: 1, time: 2, kind: 'k', source: 's', data: { n: '10n' } });
  expect(JSON.parse(JSON.stringify(meta))).toEqual(meta);
});
