import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { test } from '@quiesce/harness';
import { QuiesceError, supervisor, worker, startSupervisor } from '@quiesce/runtime';
import { monkey } from '@quiesce/chaos';
import { runChaos, type ChaosScriptOptions } from '@quiesce/chaos/script';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const chaosDir = join(root, 'packages/chaos');
const EXAMPLE = 'docs/examples/chaos-script.mjs';

/** The example runs against the built package, as a user's script does: fail clearly rather than test stale code. */
function assertFreshBuild(): void {
  const lastBuild = existsSync(join(chaosDir, 'tsconfig.tsbuildinfo')) ? statSync(join(chaosDir, 'tsconfig.tsbuildinfo')).mtimeMs : 0;
  for (const dir of ['script', 'monkey', 'runtime']) {
    for (const file of readdirSync(join(chaosDir, 'src', dir)).filter((f) => f.endsWith('.ts'))) {
      const built = join(chaosDir, 'dist', dir, file.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(join(chaosDir, 'src', dir, file)).mtimeMs > Math.max(statSync(built).mtimeMs, lastBuild)) {
        throw new Error(`${built} is missing or older than its source: run \`npm run build\` (this test runs the example script on the built package)`);
      }
    }
  }
}

/** Run the example script as a child process (cwd: the repository); resolves with its exit code and output. */
function script(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  assertFreshBuild();
  return new Promise((resolve) => {
    execFile(process.execPath, [EXAMPLE, ...args], { cwd: root, timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function sink(isTTY: boolean): { out: Writable & { isTTY: boolean }; text: () => string } {
  let text = '';
  const write = (chunk: Buffer, _encoding: string, done: () => void): void => {
    text += chunk.toString();
    done();
  };
  const out = Object.assign(new Writable({ write }), { isTTY });
  return { out, text: () => text };
}

describe('the example chaos script, as a child process', () => {
  test('every seed holds: exit 0, a line per seed (not a terminal), the faults injected by kind', async () => {
    const { code, stdout } = await script(['--seeds', '3']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^seed 1: held \(\d+ faults\)$/m);
    expect(stdout).toContain('chaos: 3 of 3 seeds held');
    expect(stdout).toMatch(/faults injected: .*fault\.kill \d+/);
    expect(stdout).toContain('invariant violations: 0');
  });

  test('a planted bug: exit 1, the invariant violated and the replay command per failure; replaying one fails the same way', async () => {
    const { code, stdout } = await script(['--seeds', '2', '--planted-bug']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAILED seed 1: the balance never goes down: it went from \d+ to 0 \(step \d+\)/);
    expect(stdout).toContain(`replay: node ${EXAMPLE} --planted-bug --seed 1`);
    const failure = stdout.match(/FAILED seed 1: .*/)![0];
    const replay = await script(['--planted-bug', '--seed', '1']);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(failure);
  });

  test('a system that cannot start: exit 2, saying why', async () => {
    const { code, stdout } = await script(['--seeds', '2', '--broken-start']);
    expect(code).toBe(2);
    expect(stdout).toMatch(/NOT STARTED seed 1: .*the ledger cannot open its journal/);
    expect(stdout).toContain('could not start');
  });

  test('over OS processes: the workers are real programs, killed and crashed by the monkey', async () => {
    const { code, stdout } = await script(['--seeds', '1', '--os']);
    expect(code).toBe(0);
    expect(stdout).toContain('chaos: 1 of 1 seeds held');
  });

  test('the script entry imports nothing of @quiesce/harness (its main entry loads only inside Vitest)', () => {
    for (const dir of readdirSync(join(chaosDir, 'src'), { recursive: true }) as string[]) {
      if (dir.endsWith('.ts')) expect(readFileSync(join(chaosDir, 'src', dir), 'utf8'), dir).not.toMatch(/from '@quiesce\/harness'/);
    }
  });
});

/** A tiny service for the in-process runs: a supervisor of two idle workers. */
const options = (extra: Partial<ChaosScriptOptions<{ root: Awaited<ReturnType<typeof startSupervisor>> }>>, out: Writable) =>
  ({
    seeds: 3,
    steps: 5,
    argv: [],
    output: out,
    replay: (seed: number) => `replay ${seed}`,
    start: async ({ runtime }) => ({
      root: await startSupervisor(runtime, supervisor({ id: 'pool', intensity: 100, period: 1, children: [worker('a', (c) => c.spawn(() => undefined))] })),
    }),
    scenario: ({ runtime, system, steps }) => monkey(runtime, { target: system.root, profile: { kill: 1 }, steps }).check(),
    ...extra,
  }) as ChaosScriptOptions<{ root: Awaited<ReturnType<typeof startSupervisor>> }>;

describe('runChaos in process', () => {
  test('on a terminal the progress is one line rewritten in place', async () => {
    const { out, text } = sink(true);
    const exitCode = process.exitCode;
    const result = await runChaos(options({}, out));
    process.exitCode = exitCode; // runChaos sets it for a script; this test's process must not keep it
    expect(result.exitCode).toBe(0);
    expect(text()).toContain('\r\x1b[2K[1/3] seed 1 held');
    expect(text()).toContain('\r\x1b[2K[3/3] seed 3 held');
    expect(text()).not.toMatch(/^seed 1: held/m);
  });

  test('the time budget: no seed starts once it has passed', async () => {
    const { out } = sink(false);
    let started = 0;
    const exitCode = process.exitCode;
    const result = await runChaos(
      options(
        {
          seeds: 5,
          timeBudgetMs: 1e-9,
          start: () => {
            started++;
            return { root: undefined as never };
          },
        },
        out,
      ),
    );
    process.exitCode = exitCode;
    // The budget is checked before each seed: a budget already spent runs none.
    expect(started).toBe(result.runs);
    expect(result.skipped + result.runs).toBe(5);
    expect(result.skipped).toBeGreaterThan(0); // one seed takes more than the picosecond budget
    expect(result.summary).toContain(`time budget spent: ${result.skipped} seeds not run`);
  });

  test('options, fuzzed: a QuiesceError naming the option, and nothing runs', async () => {
    const bad = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string(),
      fc.integer({ min: -5, max: -1 }),
      fc.constant(Number.NaN),
      fc.constant([]),
      fc.constant({}),
      fc.boolean(),
    );
    const keys = ['seeds', 'steps', 'timeBudgetMs', 'replay', 'start', 'scenario', 'stop', 'output', 'argv', 'from'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...keys), bad, async (key, value) => {
        const { out } = sink(false);
        let ran = false;
        const start = () => {
          ran = true;
          return { root: undefined as never };
        };
        const o = { ...options({ start }, out), [key]: value };
        // undefined is the default for the optional ones, and some values are fine for some keys.
        const optional = ['steps', 'timeBudgetMs', 'replay', 'stop', 'output', 'argv', 'from'];
        if (value === undefined && optional.includes(key)) return;
        if (key === 'argv' && Array.isArray(value)) return;
        const error = await runChaos(o).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(QuiesceError);
        expect((error as Error).message).toContain(`options.${key}`);
        expect(ran).toBe(false);
      }),
      { numRuns: 150 },
    );
    await expect(runChaos(options({ argv: ['--seed', 'x'] }, sink(false).out))).rejects.toThrow(/--seed/);
  });
});
