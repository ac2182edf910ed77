// Rows: per-test overhead of a TestSystem (setup + teardown, median µs), 10,000 isolated-system
// tests through the `system` fixture in one `vitest run` against the same 10,000 tests in plain
// Vitest, in CPU time (the wall time is in the note), and 40 files of one such test, with and
// without the quiesce() preset (file-tests.mjs).
import { median, now } from '../lib.mjs';
import { TestSystem } from '../../packages/harness/dist/system/test-system.js';
import { measureFiles } from './file-tests.mjs';
import { medianCpu as cpu, pairedCpuRatio as ratioOf, runVitest } from './run-measure.mjs';

export const id = 'fixture';

const TESTS = 10_000;
/**
 * Runs a side: the sides alternate (Q P Q P), so both see the same machine. One run's CPU time
 * moves by ±0.5 s on a shared 2-core machine; the ratio is the median of the pairs' ratios (with
 * five pairs, two runs of the row a minute apart read 1.23× and 1.42×).
 */
const REPS = 9;

export async function measure() {
  // Setup + teardown of one system, in-process, many times.
  const times = [];
  for (let i = 0; i < 3000; i++) {
    const t = now();
    const system = new TestSystem({ testId: `overhead-${i}` });
    await system.teardown();
    times.push((now() - t) * 1000);
  }
  const overheadUs = median(times.slice(500));

  const withSystem = [];
  const plain = [];
  // The third side splits the ratio: what Vitest's own fixtures cost, and what Quiesce adds to them.
  const vitestFixtures = [];
  for (let rep = 0; rep < REPS; rep++) {
    withSystem.push(await runVitest('bench/harness/fixture-tests.measure.ts', {}));
    plain.push(await runVitest('bench/harness/fixture-tests.measure.ts', { QUIESCE_BENCH_PLAIN: '1' }));
    vitestFixtures.push(await runVitest('bench/harness/fixture-tests.measure.ts', { QUIESCE_BENCH_VITEST_FIXTURES: '1' }));
  }
  const wall = (runs) => median(runs.map((r) => r.wallMs));
  const ratio = ratioOf(withSystem, plain);
  const perTestUs = ((cpu(withSystem) - cpu(plain)) * 1000) / TESTS;
  const fixturesUs = ((cpu(vitestFixtures) - cpu(plain)) * 1000) / TESTS;
  const files = await measureFiles();
  return [
    {
      id: 'system-overhead',
      measurement: 'TestSystem setup + teardown, median',
      unit: 'µs',
      quiesce: overheadUs,
      peer: undefined,
      ratio: undefined,
      better: 'lower',
      peerName: 'none (target ≤ 100 µs)',
      target: 100,
    },
    {
      id: 'fixture-10k',
      measurement: '10,000 isolated-system tests, one vitest run, CPU',
      unit: 's',
      quiesce: cpu(withSystem) / 1000,
      peer: cpu(plain) / 1000,
      ratio,
      better: 'lower',
      peerName: 'the same 10,000 tests in plain Vitest, no system (target: ≤ 1.25× plain Vitest)',
      target: 1.25,
      reading: `${perTestUs.toFixed(0)} µs a test over plain (target 1.25×: ${ratio <= 1.25 ? 'met' : 'MISSED'})`,
      note: `CPU time (user + system) of the whole \`vitest run\`, start-up included, the ratio the median of ${REPS} alternating pairs (the times medians of each side); wall time ${(wall(withSystem) / 1000).toFixed(2)} s against ${(wall(plain) / 1000).toFixed(2)} s (${(wall(withSystem) / wall(plain)).toFixed(2)}×). Of the ${perTestUs.toFixed(0)} µs, Vitest's own fixture machinery takes ${fixturesUs.toFixed(0)}: the same plain tests through two trivial Vitest fixtures of the same shape take ${ratioOf(vitestFixtures, plain).toFixed(2)}× plain, and Quiesce's tests ${ratioOf(withSystem, vitestFixtures).toFixed(2)}× those.`,
      samples: { withSystem, plain, vitestFixtures },
    },
    ...files,
  ];
}
