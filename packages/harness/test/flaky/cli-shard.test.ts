import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import type { FlakyReport } from '../../src/flaky/report.js';
import { schemaValidator } from '../report/schema-check.js';
import { fixture, quiesce } from './cli-support.js';

test('--shard i/n on two machines, then merge: the statistics equal one machine running everything', async ({ signal }) => {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-shard-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const planted = fixture('planted');
  const common = ['flaky', '--runs', '6', '--shuffle', '--seed', '11', '--progress', 'none'];
  const [whole, one, two] = await Promise.all([
    quiesce([...common, '--json', join(dir, 'whole.json')], planted, signal),
    quiesce([...common, '--shard', '1/2', '--json', join(dir, 'one.json')], planted, signal),
    quiesce([...common, '--shard', '2/2', '--json', join(dir, 'two.json')], planted, signal),
  ]);
  for (const r of [whole, one, two]) expect(r.code, r.stderr).toBe(1);
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as FlakyReport;
  const [a, b] = [read('one.json'), read('two.json')];
  // Vitest's sharding split the two files between the machines.
  expect(a.tests.length).toBeGreaterThan(0);
  expect(b.tests.length).toBeGreaterThan(0);
  expect(new Set(a.tests.map((t) => t.file)).size + new Set(b.tests.map((t) => t.file)).size).toBe(2);

  const merged = await quiesce(['flaky', 'merge', join(dir, 'one.json'), join(dir, 'two.json'), '--json', join(dir, 'merged.json')], dir, signal);
  expect(merged.code, merged.stderr).toBe(1);
  const m = read('merged.json');
  const w = read('whole.json');
  expect(schemaValidator('flaky')(m)).toEqual([]);
  const figures = (r: FlakyReport) =>
    [...r.tests]
      .sort((x, y) => x.id.localeCompare(y.id))
      .map(({ id, outcomes, runs, passes, fails, flakeRate, interval, upperBound, flipRate, classification, orderDependent, polluters, failing, replay }) => ({
        ...{ id, outcomes, runs, passes, fails, flakeRate, interval, upperBound, flipRate },
        ...{ classification, orderDependent, polluters, failing, replay },
      }));
  expect(figures(m)).toEqual(figures(w));
  const counts = ({ durationSeconds: _d, shard: _s, ...rest }: FlakyReport['summary']) => rest;
  expect(counts(m.summary)).toEqual(counts(w.summary));
  expect(merged.stdout).toContain(w.summary.verdict);
});
