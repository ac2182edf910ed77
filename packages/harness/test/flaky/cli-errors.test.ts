import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import { fixture, quiesce } from './cli-support.js';

function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-cli-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('configuration errors exit with 3 and say what is wrong', () => {
  test('bad flags name the flag, the value and what is accepted', async ({ signal }) => {
    const planted = fixture('planted');
    const cases: Array<[string[], string | RegExp]> = [
      [['flaky', '--runs', '0'], '--runs: got "0"; expected an integer from 1 to 100000'],
      [['flaky', '--runs', 'many'], '--runs: got "many"; expected an integer from 1 to 100000'],
      [['flaky', '--target-rate', '2'], '--target-rate: got "2"; expected a rate between 0 and 1, exclusive (0.01 or 1%)'],
      [['flaky', '--confidence', '0.99'], /--confidence: got "0.99"; expected to be given with --target-rate/],
      [['flaky', '--shard', '3/2'], '--shard: got "3/2"; expected i/n with 1 <= i <= n'],
      [['flaky', '--seed', '-1'], /--seed/],
      [['flaky', '--progress', 'fancy'], "--progress: got \"fancy\"; expected 'bar', 'lines' or 'none'"],
      [['flaky', '--shufle'], '--shufle: no such option, did you mean --shuffle?'],
      [['flaky', '--runs'], /--runs/],
      [['flaky', '--config', 'missing.config.ts'], /--config: got "missing.config.ts"; expected an existing Vitest config file/],
      [['flaky', 'merge'], /quiesce flaky merge: got ""; expected one or more JSON reports/],
      [['flakey'], "quiesce: unknown command 'flakey'"],
      [[], 'quiesce: no command given'],
    ];
    // Each child listens to the test's signal (to be killed if the test is cancelled): one listener
    // per concurrent child, more than Node's default of 10 before it warns of a leak.
    setMaxListeners(cases.length + 1, signal);
    const results = await Promise.all(cases.map(([args]) => quiesce(args, planted, signal)));
    results.forEach((result, i) => {
      const [args, expected] = cases[i]!;
      expect(result.code, `quiesce ${args.join(' ')}: ${result.stderr}`).toBe(3);
      if (typeof expected === 'string') expect(result.stderr).toContain(expected);
      else expect(result.stderr).toMatch(expected);
    });
  });

  test('no Vitest config, a config that cannot load, no test matched', async ({ signal }) => {
    const empty = emptyDir();
    const none = await quiesce(['flaky'], empty, signal);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain(`quiesce flaky: no Vitest config in ${empty}: looked for vitest.config.ts, vitest.config.mts`);

    writeFileSync(join(empty, 'vitest.config.mjs'), "throw new Error('config exploded');\n");
    const broken = await quiesce(['flaky'], empty, signal);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/the Vitest config .*vitest\.config\.mjs could not be loaded: .*config exploded/);

    const planted = fixture('planted');
    const noFile = await quiesce(['flaky', 'no-such-file'], planted, signal);
    expect(noFile.code).toBe(3);
    expect(noFile.stderr).toContain('quiesce flaky: no test files matched the filters no-such-file');
    const noTest = await quiesce(['flaky', '-t', 'no test is called this'], planted, signal);
    expect(noTest.code).toBe(3);
    expect(noTest.stderr).toContain('quiesce flaky: no tests matched (every test was skipped or filtered out)');
  });

  test('--help prints the usage and exits 0', async ({ signal }) => {
    const help = await quiesce(['flaky', '--help'], emptyDir(), signal);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('quiesce flaky [file filters...] [options]');
    expect(help.stdout).toContain('Exit codes: 0 every test stable; 1 test failures or flakes above the target rate;');
  });
});
