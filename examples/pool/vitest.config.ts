import { defineConfig } from 'vitest/config';
import { quiesce } from '@quiesce/harness/plugin';

export default defineConfig({
  // A run seed per run (printed, replayable), the chaos/slow/live tags, the matchers registered.
  plugins: [quiesce()],
  test: {
    name: 'example-pool',
    include: ['test/**/*.test.ts'],
    // Random order every run, files in parallel and the tests of a file concurrently: no test may
    // depend on another, each has its own system, pool, ports and Python processes.
    sequence: { shuffle: { files: true, tests: true }, concurrent: true },
    testTimeout: 30_000,
  },
});
