import { defineConfig } from 'vitest/config';
import { quiesce } from '@quiesce/harness/plugin';

export default defineConfig({
  // A run seed per run (printed, replayable), the chaos/slow/live tags, the matchers registered.
  plugins: [quiesce()],
  test: {
    name: 'example-pool',
    include: ['test/**/*.test.ts'],
    // Random order every run, files in parallel: no test may depend on another.
    sequence: { shuffle: { files: true, tests: true } },
    testTimeout: 30_000,
  },
});
