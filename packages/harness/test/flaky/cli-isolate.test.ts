import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import type { FlakyReport } from '../../src/flaky/report.js';
import { fixture, quiesce } from './cli-support.js';

test('--no-isolate (files sharing a worker) reruns the same tests with the same seeds to the same outcomes as isolated runs', async ({ signal }) => {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-isolate-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const common = ['flaky', '--runs', '4', '--shuffle', '--seed', '5', '--no-bisect', '--progress', 'none'];
  const [isolated, shared] = await Promise.all([
    quiesce([...common, '--json', join(dir, 'isolated.json')], fixture('planted'), signal),
    quiesce([...common, '--no-isolate', '--json', join(dir, 'shared.json')], fixture('planted'), signal),
  ]);
  for (const r of [isolated, shared]) expect(r.code, r.stderr).toBe(1); // the planted project has flaky and broken tests
  const outcomes = (name: string) => {
    const report = JSON.parse(readFileSync(join(dir, name), 'utf8')) as FlakyReport;
    return Object.fromEntries(report.tests.map((t) => [`${t.file} > ${t.name}`, t.outcomes]));
  };
  const expected = outcomes('isolated.json');
  expect(Object.keys(expected)).toHaveLength(7);
  expect(outcomes('shared.json')).toEqual(expected);
});
