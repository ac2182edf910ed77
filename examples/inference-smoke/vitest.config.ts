import { defineConfig } from 'vitest/config';
import { quiesce } from '@quiesce/harness/plugin';
import { QuiesceReporter } from '@quiesce/harness/reporter';

// bin/run-suite.mjs sets INFERENCE_REPORT: then the run also writes Quiesce's JSON report there
// (summary, every test with its seed and replay command, the load figures).
const report = process.env.INFERENCE_REPORT;

export default defineConfig({
  plugins: [quiesce(report ? { reporters: ['default', new QuiesceReporter({ json: report })] } : {})],
  test: {
    name: 'example-inference-smoke',
    include: ['test/**/*.test.ts'],
    sequence: { shuffle: { files: true, tests: true }, concurrent: true },
    testTimeout: 30_000,
  },
});
