import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { test } from '@quiesce/harness';
import * as tools from '@quiesce/harness/tools';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

// The main entry defines the `test` fixture with Vitest's test.extend, which throws outside a
// Vitest worker; scripts (a suite runner, a CI health check) import the helpers from ./tools.
describe('@quiesce/harness/tools', () => {
  test('is in the exports map and exports the helpers that work outside a test run', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['./tools']).toEqual({ types: './dist/tools.d.ts', import: './dist/bundle/tools.js' });
    expect(Object.keys(tools).sort()).toEqual([
      'ExternalWaitError',
      'LatencyHistogram',
      'MemoryDuplex',
      'PORT_DIR_ENV',
      'awaitExit',
      'awaitHealthy',
      'awaitLine',
      'awaitListening',
      'createPortAllocator',
      'listenOnFreePort',
      'load',
      'memoryDuplex',
    ]);
  });

  test('plain Node (no Vitest) imports it and runs awaitHealthy and load against a server', async ({ system }) => {
    const port = await system.listen(createServer((_req, res) => res.end('ok')));
    const script = [
      "import { awaitHealthy, load } from '@quiesce/harness/tools';",
      `const health = await awaitHealthy('http://127.0.0.1:${port}/health', { timeout: 5000 });`,
      `const stats = await load('http://127.0.0.1:${port}/', { requests: 10, concurrency: 2 });`,
      'console.log(JSON.stringify({ status: health.status, count: stats.latency.count, errors: stats.errors }));',
    ].join('\n');
    const child = await system.spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, lines: true });
    const line = await child.awaitLine(/^\{/);
    expect(JSON.parse(line)).toEqual({ status: 200, count: 10, errors: 0 });
    expect(await child.awaitExit()).toMatchObject({ code: 0 });
  });
});
