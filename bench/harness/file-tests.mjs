// Row 7c: what a test file costs. 40 files of one test each, in one `vitest run`: each test gets
// a system from the `system` fixture and exchanges a message through its inbox. The peer is the
// same 40 files in plain Vitest. Under Vitest's default isolation every file starts in a fresh
// worker, which imports Quiesce again: this row is where the cost of loading the packages shows
// (row 7b spreads it over 10,000 tests of one file).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sideBySide } from '../lib.mjs';
import { medianCpu as cpu, pairedCpuRatio, runVitest } from './run-measure.mjs';

const FILES = 40;
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

/** Row 7c (part of the `fixture` measurement, fixture-tests.mjs). */
export async function measureFiles() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    for (let i = 0; i < FILES; i++) {
      writeFileSync(join(dir, `quiesce-${i}.measure.ts`), QUIESCE_FILE);
      writeFileSync(join(dir, `plain-${i}.measure.ts`), PLAIN_FILE);
    }
    const { samples } = await sideBySide(REPS, {
      quiesce: () => runVitest('bench/harness/file-tests.tmp/quiesce-*.measure.ts', {}),
      plain: () => runVitest('bench/harness/file-tests.tmp/plain-*.measure.ts', {}),
    });
    const { quiesce, plain } = samples;
    const ratio = pairedCpuRatio(quiesce, plain);
    const perFileMs = (cpu(quiesce) - cpu(plain)) / FILES;
    return {
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
