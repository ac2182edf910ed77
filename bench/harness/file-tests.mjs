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
    /** A row of one side's CPU against its peer's; `per` divides the difference for the reading. */
    const cpuRow = ({ id, measurement, side, peerSide, peerName, per, reading, note }) => ({
      id,
      measurement,
      unit: 's',
      quiesce: cpu(side) / 1000,
      peer: cpu(peerSide) / 1000,
      ratio: pairedCpuRatio(side, peerSide),
      better: 'lower',
      peerName,
      reading: `${((cpu(side) - cpu(peerSide)) / per).toFixed(0)} ms ${reading}`,
      note,
      samples: { quiesce: side, peer: peerSide },
    });
    const ratio = pairedCpuRatio(quiesce, plain);
    return [
      cpuRow({
        id: 'file-40',
        measurement: `${FILES} test files of one isolated-system test, one vitest run, CPU`,
        side: quiesce,
        peerSide: plain,
        peerName: `the same ${FILES} files in plain Vitest, no system`,
        per: FILES,
        reading: 'a file over plain',
        note: `CPU time (user + system) of the whole \`vitest run\` (threads pool, default isolation: a fresh worker per file), the ratio the median of ${REPS} alternating pairs. The packages load as in an installed project (Node's own loader).`,
      }),
      cpuRow({
        id: 'file-40-preset',
        measurement: `${FILES} such files in a project with the quiesce() preset, CPU`,
        side: quiescePreset,
        peerSide: plain,
        peerName: `the same ${FILES} files in plain Vitest, no preset, no system`,
        per: FILES,
        reading: 'a file over plain, start-up included',
        note: `What a project that follows the docs pays. The preset adds a run seed, tags, a global setup that looks for a container engine once per run, and a setup file per test file that loads the matchers in files that use Quiesce. Median of ${REPS} alternating runs; Quiesce's files without the preset read ${ratio.toFixed(2)}× (row 7c).`,
      }),
      cpuRow({
        id: 'file-40-preset-plain',
        measurement: `${FILES} plain test files (no Quiesce in them) in a project with the preset, CPU`,
        side: plainPreset,
        peerSide: plain,
        peerName: `the same ${FILES} files without the preset`,
        per: FILES,
        reading: 'a file over plain, start-up included',
        note: "What the preset costs a project's test files that never touch Quiesce: its setup file runs before each, and loads no matcher code for them.",
      }),
      cpuRow({
        id: 'file-1-preset',
        measurement: 'one file of one isolated-system test with the preset: a whole `vitest run`, CPU',
        side: onePreset,
        peerSide: onePlain,
        peerName: 'one plain Vitest file, no preset (the edit-and-rerun loop)',
        per: 1,
        reading: 'a run over plain',
        note: "A developer's loop: rerun one file after an edit. Start-up included: Vitest's, the preset's (seed, tags, the engine look-up) and the packages' import.",
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
