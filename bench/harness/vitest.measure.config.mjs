// Runs bench measurement files (*.measure.ts) inside Vitest, because the peers measured against
// (vi.waitFor, expect.poll, the fixture itself) only work inside a Vitest worker. Not a test suite:
// these files assert nothing and write their figures to QUIESCE_BENCH_OUT.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [process.env.QUIESCE_BENCH_FILE ?? 'bench/harness/*.measure.ts'],
    testTimeout: 120_000,
    reporters: ['dot'],
    pool: 'threads',
  },
});
