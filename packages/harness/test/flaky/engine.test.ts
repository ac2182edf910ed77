import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import { main } from '../../src/cli/main.js';
import type { FlakyReport } from '../../src/flaky/report.js';
import { fixture } from './cli-support.js';

// The same session as the bin's, in this process (the child-process tests run the built bin; this
// one runs the sources, so the reruns, the bisection and the reports are measured by coverage too).
test('in process: reruns, bisection and reports from the sources', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-engine-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: new Writable({
      write: (c, _e, done) => {
        stdout += c.toString();
        done();
      },
    }),
    stderr: new Writable({
      write: (c, _e, done) => {
        stderr += c.toString();
        done();
      },
    }),
  };
  const json = join(dir, 'r.json');
  const code = await main(
    ['flaky', '--root', fixture('planted'), '--runs', '4', '--shuffle', '--seed', '7', '--progress', 'lines', '--json', json, '--html', join(dir, 'r.html')],
    io,
  );
  expect(code, stderr).toBe(1);
  const report = JSON.parse(readFileSync(json, 'utf8')) as FlakyReport;
  const victim = report.tests.find((t) => t.name === 'victim')!;
  expect(victim).toMatchObject({ classification: 'flaky', orderDependent: true });
  expect(report.tests.find((t) => t.name === 'broken')).toMatchObject({ classification: 'stable-fail', fails: 4 });
  expect(stderr).toContain('[quiesce] run 4/4: 7 tests');
  expect(stderr).toMatch(/\[quiesce\] victim: fails when one test ran before it/);
  expect(stdout).toContain('exit 1: test failures, or flakes above the target rate');
});
