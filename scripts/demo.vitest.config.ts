// The config `npm run demo` runs the example suites with: the workspace's own (vitest.config.ts),
// plus Quiesce's reporter writing the JSON and HTML reports under .quiesce/demo/.
import { fileURLToPath } from 'node:url';
import { QuiesceReporter } from '@quiesce/harness/reporter';
import { defineConfig, mergeConfig } from 'vitest/config';
import workspace from '../vitest.config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.env.QUIESCE_DEMO_OUT ?? '.quiesce/demo';

export default mergeConfig(
  workspace,
  defineConfig({
    root,
    test: { reporters: ['default', new QuiesceReporter({ json: `${out}/report.json`, html: `${out}/report.html` })] },
  }),
);
