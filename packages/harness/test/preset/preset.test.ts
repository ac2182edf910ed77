import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import fc from 'fast-check';
import { describe, expect, onTestFinished, vi } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { detectContainerEngine, test } from '@quiesce/harness';
// Users import '@quiesce/harness/plugin'; the workspace alias maps '@quiesce/harness' to src/index.ts,
// so the subpath is taken from the sources directly.
import { quiesce, quiesceTags, resolveQuiesceOptions, setupFilePath, tagsFilterRequests, QUIESCE_TAG_NAMES } from '../../src/preset/plugin.js';
import { importIfInstalled, isMissing, type MatcherLoader } from '../../src/preset/setup.js';
import { cleanEnv, REPO_ROOT, runVitest } from './vitest-subprocess.js';

type TestConfig = {
  env?: Record<string, string>;
  provide?: Record<string, unknown>;
  setupFiles?: string[];
  tags?: Array<{ name: string; skip?: boolean; timeout?: number }>;
  reporters?: unknown;
  execArgv?: string[];
};

/** Call the plugin's config hook as Vite does, with the user's `test` config. */
function configOf(plugin: ReturnType<typeof quiesce>, test: Record<string, unknown> = {}): TestConfig {
  const hook = plugin.config as (config: { test: unknown }, env: unknown) => { test: TestConfig };
  return hook({ test }, { command: 'serve', mode: 'test' }).test;
}

/** Call configureVitest with what it reads of Vitest, and collect what it logs. */
function configure(plugin: ReturnType<typeof quiesce>, tagsFilter: string[] | undefined, tags: Array<{ name: string; skip?: boolean }>): string[] {
  const logs: string[] = [];
  const hook = plugin.configureVitest as (context: unknown) => void;
  hook({ vitest: { config: { tagsFilter }, logger: { log: (line: string) => logs.push(line) } }, project: { config: { tags } } });
  return logs;
}

describe('quiesce() plugin', () => {
  test('chooses one run seed, hands it to workers and prints it once', () => {
    const plugin = quiesce({}); // QUIESCE_SEED is unset in this worker unless the run sets it
    const first = configOf(plugin);
    const seed = Number(first.env?.QUIESCE_SEED);
    expect(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff).toBe(true);
    expect(first.provide).toEqual({ quiesceRunSeed: seed });
    expect(configOf(plugin).env?.QUIESCE_SEED).toBe(String(seed)); // once per run, not per config resolution
    const tags = first.tags ?? [];
    expect(configure(plugin, undefined, tags)).toEqual([`[quiesce] run seed ${seed} (replay this run with QUIESCE_SEED=${seed})`]);
    expect(configure(plugin, undefined, tags)).toEqual([]);
  });

  test('an explicit seed, or the config env seed, wins over a random one', () => {
    // This suite itself runs under quiesce(), which sets QUIESCE_SEED for the workers: unset it here.
    vi.stubEnv('QUIESCE_SEED', '');
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    expect(configOf(quiesce({ seed: 42 })).env).toEqual({ QUIESCE_SEED: '42' });
    expect(configOf(quiesce(), { env: { QUIESCE_SEED: '7' } }).env).toEqual({ QUIESCE_SEED: '7' });
    expect(() => configOf(quiesce(), { env: { QUIESCE_SEED: 'x' } })).toThrow(/QUIESCE_SEED: got "x"/);
    expect(resolveQuiesceOptions({}, { QUIESCE_SEED: '99' }).seed).toBe(99);
    expect(resolveQuiesceOptions({ seed: 5 }, { QUIESCE_SEED: '99' }).seed).toBe(5);
  });

  test('defines the live, docker, chaos and slow tags; live is skipped unless asked for', () => {
    const tags = configOf(quiesce({ live: false })).tags!;
    expect(tags.map((t) => t.name)).toEqual([...QUIESCE_TAG_NAMES]);
    expect(tags.find((t) => t.name === 'live')?.skip).toBe(true);
    expect(tags.filter((t) => t.skip)).toHaveLength(1);
    expect(configOf(quiesce({ live: true })).tags!.find((t) => t.name === 'live')?.skip).toBeUndefined();
    expect(resolveQuiesceOptions({}, { QUIESCE_LIVE: '1' }).live).toBe(true);
    expect(resolveQuiesceOptions({}, { QUIESCE_LIVE: '0' }).live).toBe(false);
    expect(resolveQuiesceOptions({ live: false }, { QUIESCE_LIVE: '1' }).live).toBe(false);
    // A project's own definition of a tag wins.
    expect(configOf(quiesce(), { tags: [{ name: 'slow', timeout: 5 }] }).tags!.map((t) => t.name)).toEqual(['live', 'docker', 'chaos']);
    expect(configOf(quiesce({ tags: false })).tags).toBeUndefined();
  });

  test('a --tags-filter that names live un-skips live tests', () => {
    const plugin = quiesce({ live: false, printSeed: false });
    for (const [filter, requested] of [
      [['live'], true],
      [['!live'], false],
      [['slow || live'], true],
      [['docker && !live'], false],
      [['lively'], false],
      [undefined, false],
    ] as const) {
      const tags = quiesceTags({ live: false });
      configure(plugin, filter as string[] | undefined, tags);
      expect(tags.find((t) => t.name === 'live')?.skip === undefined).toBe(requested);
    }
    expect(tagsFilterRequests(['(live)'], 'live')).toBe(true);
    expect(tagsFilterRequests(['! live'], 'live')).toBe(false);
  });

  test('wires the setup file, and reporters when given', () => {
    const config = configOf(quiesce({ reporters: ['default', 'json'] }));
    expect(config.setupFiles).toEqual([setupFilePath()]);
    expect(existsSync(setupFilePath())).toBe(true);
    expect(config.reporters).toEqual(['default', 'json']);
    expect(configOf(quiesce()).reporters).toBeUndefined();
    expect(configOf(quiesce({ setupFile: false })).setupFiles).toBeUndefined();
  });

  test('exposeGc runs the workers with --expose-gc, keeping the user’s own flags', () => {
    expect(configOf(quiesce()).execArgv).toBeUndefined();
    expect(configOf(quiesce({ exposeGc: true })).execArgv).toEqual(['--expose-gc']);
    expect(configOf(quiesce({ exposeGc: true }), { execArgv: ['--no-warnings', '--expose-gc'] }).execArgv).toEqual(['--no-warnings', '--expose-gc']);
    expect(() => resolveQuiesceOptions({ exposeGc: 'yes' })).toThrow(/quiesce options\.exposeGc: got "yes"; expected a boolean/);
  });

  test('bad options throw QuiesceError naming the option', () => {
    expect(() => quiesce({ seed: -1 })).toThrow(/quiesce options\.seed: got -1; expected an integer from 0 to 4294967295/);
    expect(() => quiesce({ live: 'yes' as never })).toThrow(/quiesce options\.live: got "yes"; expected a boolean/);
    expect(() => quiesce({ tag: true } as never)).toThrow(/quiesce options\.tag: got true; no such option, did you mean 'tags'\?/);
    expect(() => quiesce(3 as never)).toThrow(/quiesce\(options\): got 3/);
    expect(() => resolveQuiesceOptions({}, { QUIESCE_LIVE: 'yes' })).toThrow(/QUIESCE_LIVE: got "yes"/);
    expect(() => resolveQuiesceOptions({}, { QUIESCE_SEED: '-3' })).toThrow(/QUIESCE_SEED: got "-3"/);
  });

  test('fuzz: any options and environment either make a plugin or throw QuiesceError', () => {
    const options = fc.oneof(
      fc.anything(),
      fc.record(
        {
          seed: fc.oneof(fc.nat(), fc.anything()),
          live: fc.oneof(fc.boolean(), fc.anything()),
          tags: fc.anything(),
          setupFile: fc.anything(),
          printSeed: fc.anything(),
          reporters: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    );
    const env = fc.record(
      { QUIESCE_SEED: fc.oneof(fc.string(), fc.nat().map(String)), QUIESCE_LIVE: fc.oneof(fc.string(), fc.constantFrom('1', '0', 'true')) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(options, env, (o, e) => {
        try {
          const resolved = resolveQuiesceOptions(o, e);
          expect(typeof resolved.live).toBe('boolean');
          const config = configOf(quiesce(o as never));
          expect(Number.isInteger(Number(config.env?.QUIESCE_SEED))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('the plugin is published at @quiesce/harness/plugin, built from src/preset/plugin.ts', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/harness/package.json'), 'utf8')) as {
      exports: Record<string, { types: string; import: string }>;
    };
    expect(pkg.exports['./plugin']).toEqual({ types: './dist/preset/plugin.d.ts', import: './dist/bundle/preset/plugin.js' });
    expect(existsSync(join(REPO_ROOT, 'packages/harness/src/preset/plugin.ts'))).toBe(true);
  });
});

describe('the setup file', () => {
  test('imports a package when installed and tolerates its absence', async () => {
    const loader = await importIfInstalled<MatcherLoader>('@quiesce/assertions/preset');
    expect(typeof loader?.registerPlaceholders).toBe('function');
    expect(typeof loader?.loadMatchersIfQuiesceLoaded).toBe('function');
    expect(await importIfInstalled('@quiesce/no-such-package')).toBeUndefined();
    // Node names the package, not the subpath, when the package is not installed: a project
    // without @quiesce/assertions gets no matchers, not a setup file that fails every test file.
    expect(await importIfInstalled('@quiesce/no-such-package/preset', '@quiesce/no-such-package')).toBeUndefined();
    expect(await importIfInstalled('no-such-package-either/deep/entry.js', 'no-such-package-either')).toBeUndefined();
    // Node's own error (the setup file of an installed project is loaded by Node, not by Vite,
    // whose message names the whole specifier): "Cannot find package '@quiesce/no-such-package'".
    const script = "import('@quiesce/no-such-package/preset').catch((e) => process.stdout.write(JSON.stringify({ code: e.code, message: e.message })))";
    const nodeError = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as {
      code: string;
      message: string;
    };
    const asError = Object.assign(new Error(nodeError.message), { code: nodeError.code });
    expect(isMissing(asError, '@quiesce/no-such-package')).toBe(true);
    expect(isMissing(asError, '@quiesce/no-such-package/preset')).toBe(false);
  });

  test('a package that is there but broken is not mistaken for a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-setup-'));
    try {
      const broken = join(dir, 'broken.mjs');
      writeFileSync(broken, "import '@quiesce/not-installed-either';\n");
      const error = await importIfInstalled(pathToFileURL(broken).href).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/not-installed-either/);
      const throwing = join(dir, 'throwing.mjs');
      writeFileSync(throwing, "throw new Error('boom at import');\n");
      await expect(importIfInstalled(pathToFileURL(throwing).href)).rejects.toThrow('boom at import');
      expect(isMissing(new Error("Cannot find package '@x/y'"), '@x/y')).toBe(true);
      expect(isMissing(new Error("Cannot find package '@x/z'"), '@x/y')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the preset in a nested vitest run', () => {
  const CONFIG = 'packages/harness/test/preset/fixtures/vitest.config.ts';

  /** Run the fixture project and read which tests ran and what seed each saw. */
  async function runFixture(args: string, env: Record<string, string>, signal: AbortSignal) {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-preset-'));
    try {
      const log = join(dir, 'ran.jsonl');
      const result = await runVitest(`--config ${CONFIG} ${args}`, cleanEnv({ ...env, PRESET_FIXTURE_LOG: log }), signal);
      const ran = existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as { name: string; env: string; injected: number; runSeed: number })
        : [];
      return { ...result, ran };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // The fixture's docker-tagged test runs only where an engine answers (it skips, saying so, elsewhere).
  const withDocker = async (names: string[]): Promise<string[]> => ((await detectContainerEngine()).available ? names : names.filter((n) => n !== 'docker'));

  test('an inline project extending the config gets the preset too: matchers, run seed, tags (Vitest 5 reads such projects before plugins run)', async ({
    signal,
  }) => {
    const config = 'packages/harness/test/preset/fixtures/projects/vitest.config.ts';
    const run = await runVitest(`--config ${config}`, cleanEnv(), signal);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(stripVTControlCharacters(run.stdout)).toMatch(/Tests +1 passed \| 1 skipped \(2\)/);
  });

  test('live tests are skipped by default; every worker gets the printed run seed', async ({ signal }) => {
    const run = await runFixture('', {}, signal);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.ran.map((r) => r.name).sort()).toEqual(await withDocker(['chaos', 'docker', 'slow', 'untagged']));
    const printed = /\[quiesce\] run seed (\d+) \(replay this run with QUIESCE_SEED=\1\)/.exec(run.stdout)?.[1];
    expect(printed, run.stdout).toBeDefined();
    for (const r of run.ran) expect(r).toMatchObject({ env: printed, injected: Number(printed), runSeed: Number(printed) });
    expect(run.stdout).toMatch(run.ran.length === 4 ? /4 passed \| 1 skipped/ : /3 passed \| 2 skipped/);
  });

  test('--tags-filter=live runs the live tests only', async ({ signal }) => {
    const run = await runFixture('--tags-filter=live', {}, signal);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.ran.map((r) => r.name)).toEqual(['live']);
  });

  test('QUIESCE_LIVE=1 runs live tests with the rest, and QUIESCE_SEED fixes the run seed', async ({ signal }) => {
    const run = await runFixture('', { QUIESCE_LIVE: '1', QUIESCE_SEED: '123' }, signal);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.ran.map((r) => r.name).sort()).toEqual(await withDocker(['chaos', 'docker', 'live', 'slow', 'untagged']));
    expect(run.stdout).toContain('[quiesce] run seed 123 (replay this run with QUIESCE_SEED=123)');
    for (const r of run.ran) expect(r).toMatchObject({ env: '123', injected: 123, runSeed: 123 });
  });
});

describe('the matchers, loaded only in the test files that use Quiesce', () => {
  const CONFIG = 'packages/harness/test/preset/fixtures/matchers/vitest.config.ts';

  /** Run the matcher fixtures; what each file saw, by file. */
  async function run(args: string, signal: AbortSignal) {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-matchers-'));
    try {
      const log = join(dir, 'seen.jsonl');
      const result = await runVitest(`--config ${CONFIG} ${args}`, cleanEnv({ PRESET_FIXTURE_LOG: log }), signal);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
      type Seen = { file: string; registeredBefore?: boolean; registered: boolean; toBeAlive: string };
      const seen = Object.fromEntries(lines.map((l) => JSON.parse(l) as Seen).map((s) => [s.file, s]));
      expect(Object.keys(seen).sort()).toEqual(['late', 'plain', 'quiesce']);
      return seen;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a file without Quiesce loads none of them; one with Quiesce has them; one that loads Quiesce late meets a placeholder that says what to do', async ({
    signal,
  }) => {
    const seen = await run('', signal);
    expect(seen.plain).toEqual({ file: 'plain', registeredBefore: false, registered: false, toBeAlive: 'placeholder' });
    expect(seen.quiesce).toEqual({ file: 'quiesce', registered: true, toBeAlive: 'real' });
    expect(seen.late).toEqual({ file: 'late', registered: false, toBeAlive: 'placeholder' });
  });

  test('in one worker that runs every file (no isolation), a file never puts placeholders back over loaded matchers', async ({ signal }) => {
    const seen = await run('--no-isolate --maxWorkers=1 --no-file-parallelism', signal);
    expect(seen.quiesce).toMatchObject({ registered: true, toBeAlive: 'real' });
    // The others ran before or after it: before, they saw placeholders; after, the real matchers.
    for (const file of ['plain', 'late'] as const) {
      expect(seen[file]?.toBeAlive).toBe(seen[file]?.registered ? 'real' : 'placeholder');
    }
  });
});
