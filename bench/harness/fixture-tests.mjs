// Rows: per-test overhead of a TestSystem (setup + teardown, median µs), and 10,000
// isolated-system tests through the `system` fixture in one `vitest run`, against the same 10,000
// tests in plain Vitest.
import { median, now } from '../lib.mjs';
import { TestSystem } from '../../packages/harness/dist/system/test-system.js';
import { runVitest } from './run-measure.mjs';

export const id = 'fixture';

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

  const withSystem = await runVitest('bench/harness/fixture-tests.measure.ts', {});
  const plain = await runVitest('bench/harness/fixture-tests.measure.ts', { QUIESCE_BENCH_PLAIN: '1' });
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
      measurement: '10,000 isolated-system tests, one vitest run',
      unit: 's',
      quiesce: withSystem / 1000,
      peer: plain / 1000,
      ratio: withSystem / plain,
      better: 'lower',
      peerName: 'the same 10,000 tests in plain Vitest, no system (target: ≤ 10 s with systems)',
      target: 10,
    },
  ];
}
