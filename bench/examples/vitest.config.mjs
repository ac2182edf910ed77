// The side-by-side tests of bench/examples/compare.mjs: each example's test written the usual way
// (sleeps, vi.waitFor, random ports) next to the same test on Quiesce. Not part of `npm test`.
import { defineConfig } from 'vitest/config';
import { quiesce } from '@quiesce/harness/plugin';

export default defineConfig({
  plugins: [quiesce({ tags: false })],
  test: { include: ['bench/examples/*.test.ts'], testTimeout: 30_000, sequence: { shuffle: false } },
});
