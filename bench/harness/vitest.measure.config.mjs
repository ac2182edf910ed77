// Runs bench measurement files (*.measure.ts) inside Vitest, because the peers measured against
// (vi.waitFor, expect.poll, the fixture itself) only work inside a Vitest worker. Not a test suite:
// these files assert nothing and write their figures to QUIESCE_BENCH_OUT.
import { defineConfig } from 'vitest/config';

// QUIESCE_BENCH_PRESET=1: the project uses the quiesce() preset, as the docs recommend (rows 7d-7f).
const plugins = process.env.QUIESCE_BENCH_PRESET === '1' ? [(await import('@quiesce/harness/plugin')).quiesce()] : [];

export default defineConfig({
  plugins,
  test: {
    include: [process.env.QUIESCE_BENCH_FILE ?? 'bench/harness/*.measure.ts'],
    testTimeout: 120_000,
    reporters: ['dot'],
    pool: 'threads',
    // A user installs the packages under node_modules, where Vitest leaves them to Node's own
    // loader. Here they are workspace links that resolve outside node_modules, which Vitest would
    // transform and run through its module runner (every import a getter: about twice the cost of
    // the harness's own code). Externalised, the measured code runs as it does for a user.
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
  },
});
