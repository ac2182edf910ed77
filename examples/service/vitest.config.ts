import { defineConfig } from 'vitest/config';
import { quiesce } from '@quiesce/harness/plugin';

// What a project using Quiesce writes: the preset (run seed, tags — `live` excluded unless asked
// for — and the matchers), shuffled order, files in parallel.
export default defineConfig({
  plugins: [quiesce()],
  test: {
    include: ['test/**/*.test.ts'],
    sequence: { shuffle: { files: true, tests: true } },
  },
});
