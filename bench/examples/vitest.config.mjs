// Runs the side-by-side test files of bench/examples/ (*.pair.ts): not part of `npm test`. Each
// file repeats its one test QUIESCE_BENCH_RUNS times; compare.mjs counts the failures.
import { defineConfig } from 'vitest/config';
import { quiesce } from '@quiesce/harness/plugin';

export default defineConfig({
  plugins: [quiesce({ printSeed: false })],
  test: {
    include: [process.env.QUIESCE_BENCH_FILE ?? 'bench/examples/*.pair.ts'],
    testTimeout: 30_000,
  },
});
