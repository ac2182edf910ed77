// Rows 7c-7f: what a test file costs. 40 files of one test each, in one `vitest run`: each test
// gets a system from the `system` fixture and exchanges a message through its inbox. The peer is
// the same 40 files in plain Vitest. Under Vitest's default isolation every file starts in a fresh
// worker, which imports Quiesce again: these rows are where the cost of loading the packages
// shows (row 7b spreads it over 10,000 tests of one file).
// 7c: without the quiesce() preset. 7d: the project uses the preset (as the docs recommend).
// 7e: the preset's cost to a project's test files that do not use Quiesce. 7f: one file, one run
// (a developer's edit-and-rerun loop), with the preset against plain Vitest.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sideBySide } from '../lib.mjs';
import { medianCpu as cpu, pairedCpuRatio, runVitest } from './run-measure.mjs';

const FILES = 40;
/** The environment of a run whose project uses the quiesce() preset (vitest.measure.config.mjs). */
const PRESET = { QUIESCE_BENCH_PRESET: '1' };
/** Alternating runs a side (Q P Q P ...); the ratio is the median of the pairs' ratios. */
const REPS = 5;

const here = dirname(fileURLToPath(import.meta.url));
// Inside the repository, so the files resolve `vitest` and `@quiesce/harness` as a project does.
const dir = join(here, 'file-tests.tmp');

const QUIESCE_FILE = `import { test } from '@quiesce/harness';
test('one', async ({ system, inbox }) => {
  system.send(inbox.pid, 1);
  await inbox.receive(1);
});
`;
const PLAIN_FILE = `import { test } from 'vitest';
test('one', async () => {
  await Promise.resolve(1);
});
`;

/** Rows 7c-7f (part of the `fixture` measurement, fixture-tests.mjs). */
export async function measureFiles() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    for (let i = 0; i < FILES; i++) {
      writeFileSync(join(dir, `quiesce-${i}.measure.ts`), QUIESCE_FILE);
      writeFileSync(join(dir, `plain-${i}.measure.ts`), PLAIN_FILE);
    }
    const quiesceFiles = 'bench/harness/file-tests.tmp/quiesce-*.measure.ts';
    const plainFiles = 'bench/harness/file-tests.tmp/plain-*.measure.ts';
    const { samples } = await sideBySide(REPS, {
      quiesce: () => runVitest(quiesceFiles, {}),
      plain: () => runVitest(plainFiles, {}),
      quiescePreset: () => runVitest(quiesceFiles, PRESET),
      plainPreset: () => runVitest(plainFiles, PRESET),
      onePreset: () => runVitest('bench/harness/file-tests.tmp/quiesce-0.measure.ts', PRESET),
      onePlain: () => runVitest('bench/harness/file-tests.tmp/plain-0.measure.ts', {}),
    });
    const { quiesce, plain, quiescePreset, plainPreset, onePreset, onePlain } = samples;
    const ratio = pairedCpuRatio(quiesce, plain);
    const perFileMs = (cpu(quiesce) - cpu(plain)) / FILES;
    const presetRow = (id, measurement, withPreset, peerName, note) => {
      const r = pairedCpuRatio(withPreset, plain);
      return {
        id,
        measurement,
        unit: 's',
        quiesce: cpu(withPreset) / 1000,
        peer: cpu(plain) / 1000,
        ratio: r,
        better: 'lower',
        peerName,
        reading: `${((cpu(withPreset) - cpu(plain)) / FILES).toFixed(0)} ms a file over plain, start-up included`,
        note,
        samples: { withPreset, plain },
      };
    };
    const fileRow = {
      id: 'file-40',
      measurement: `${FILES} test files of one isolated-system test, one vitest run, CPU`,
      unit: 's',
      quiesce: cpu(quiesce) / 1000,
      peer: cpu(plain) / 1000,
      ratio,
      better: 'lower',
      peerName: `the same ${FILES} files in plain Vitest, no system`,
      reading: `${perFileMs.toFixed(0)} ms a file over plain`,
      note: `CPU time (user + system) of the whole \`vitest run\` (threads pool, default isolation: a fresh worker per file), the ratio the median of ${REPS} alternating pairs. The packages load as in an installed project (Node's own loader).`,
      samples: { quiesce, plain },
    };
    const oneRatio = pairedCpuRatio(onePreset, onePlain);
    return [
      fileRow,
      presetRow(
        'file-40-preset',
        `${FILES} such files in a project with the quiesce() preset, CPU`,
        quiescePreset,
        `the same ${FILES} files in plain Vitest, no preset, no system`,
        `What a project that follows the docs pays. The preset adds a run seed, tags, a global setup that looks for a container engine once per run, and a setup file per test file that loads the matchers in files that use Quiesce. Median of ${REPS} alternating runs; Quiesce's files without the preset read ${ratio.toFixed(2)}× (row 7c).`,
      ),
      presetRow(
        'file-40-preset-plain',
        `${FILES} plain test files (no Quiesce in them) in a project with the preset, CPU`,
        plainPreset,
        `the same ${FILES} files without the preset`,
        "What the preset costs a project's test files that never touch Quiesce: its setup file runs before each, and loads no matcher code for them.",
      ),
      {
        id: 'file-1-preset',
        measurement: 'one file of one isolated-system test with the preset: a whole `vitest run`, CPU',
        unit: 's',
        quiesce: cpu(onePreset) / 1000,
        peer: cpu(onePlain) / 1000,
        ratio: oneRatio,
        better: 'lower',
        peerName: 'one plain Vitest file, no preset (the edit-and-rerun loop)',
        reading: `${(cpu(onePreset) - cpu(onePlain)).toFixed(0)} ms a run over plain`,
        note: "A developer's loop: rerun one file after an edit. Start-up included: Vitest's, the preset's (seed, tags, the engine look-up) and the packages' import.",
        samples: { onePreset, onePlain },
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
