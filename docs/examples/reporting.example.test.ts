// The runnable version of docs/reporting.md's load example. Runs with `npm test`.
// The latency bound is loose on purpose: latency gates belong in a load suite on a known machine.
import { createServer } from 'node:http';
import { expect } from 'vitest';
import { load, test } from '@quiesce/harness';
import '@quiesce/assertions';

test('the health endpoint holds 4 concurrent clients', async ({ system, task }) => {
  const server = createServer((_req, res) => res.end('ok'));
  await system.listen(server); // tier 2: bound to 127.0.0.1:0, closed at teardown
  const stats = await load(server, { concurrency: 4, requests: 500, path: '/health' });
  expect(stats.errors).toBe(0);
  expect(stats).toMeetLatency({ p95: 30_000, errorRate: 0.01 });
  // The result is in the test's metrics: QuiesceReporter writes it to the JSON and HTML reports.
  expect(task.meta.quiesce?.load?.[0]).toMatchObject({ requests: 500, concurrency: 4 });
});
