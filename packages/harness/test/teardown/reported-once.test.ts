import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cleanEnv, runVitest } from '../preset/vitest-subprocess.js';

interface Result {
  title: string;
  status: string;
  failureMessages: string[];
}

const LINKED = /^QuiesceError: pool \(<0\.\d+>\), linked to the test, exited with "shutdown"/;

test("every teardown problem is reported once: a linked crash is not repeated after the test's own error", async ({ signal }) => {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-teardown-'));
  try {
    const json = join(dir, 'report.json');
    const run = await runVitest(
      `packages/harness/test/teardown/fixtures/linked-crash.fixture.ts --config packages/harness/test/prop/fixtures/vitest.config.ts ` +
        `--reporter=json --outputFile.json=${json}`,
      cleanEnv(),
      signal,
    );
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { testResults: Array<{ assertionResults: Result[] }> };
    const results = report.testResults[0]!.assertionResults;
    const errors = Object.fromEntries(results.map((r) => [r.title, r.failureMessages.map((m) => m.split('\n')[0]!)]));

    // The body's error names the crash; teardown does not say it again.
    const interrupted = /^WaitError: waiting for an event matching kind "never\.happens" was interrupted/;
    expect(errors['a wait interrupted by the crash']).toEqual([expect.stringMatching(interrupted)]);
    expect(errors['settle interrupted by the crash']).toEqual([expect.stringMatching(LINKED)]);
    // Nothing in the body reported it: teardown does, once.
    expect(errors['a crash the body never waits on']).toEqual([expect.stringMatching(LINKED)]);
    expect(errors['a crash the body caught']).toEqual([expect.stringMatching(LINKED)]);
    // The rest of teardown's problems are still reported, once.
    expect(errors['a crash and a leak']).toEqual([expect.stringMatching(LINKED), "LeakError: 1 thing(s) outlived the test's teardown:"]);
    expect(results.find((r) => r.title === 'a crash and a leak')!.failureMessages[1]).toContain('socket a socket left open');
    expect(errors['a disposal that throws']).toEqual(['Error: close failed']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
