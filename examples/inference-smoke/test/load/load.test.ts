import { expect } from 'vitest';
import { load, test } from '@quiesce/harness';
import { serviceUnderTest } from '../support/service.js';

// Load: throughput, p50/p95/p99 and the error rate, attached to the test's metrics (the runner's
// JSON report carries them under `load`). No latency gate here: a figure depends on the machine.
test('completions under 8 concurrent clients: every request answered, figures reported', async ({ system }) => {
  const base = await serviceUnderTest(system);
  const stats = await load(`${base}/v1/completions`, {
    concurrency: 8,
    requests: 200,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'load', max_tokens: 16 }),
    label: 'completions x8',
  });
  expect(stats).toMatchObject({ requests: 200, errors: 0, errorRate: 0, stoppedBy: 'requests' });
  expect(stats.latency.count).toBe(200);
  expect(stats.latency.p50).toBeLessThanOrEqual(stats.latency.p95);
  expect(stats.latency.p95).toBeLessThanOrEqual(stats.latency.p99);
  console.log(
    `[inference] ${stats.label}: ${stats.throughput.toFixed(0)} req/s, p50 ${stats.latency.p50.toFixed(1)} ms, p95 ${stats.latency.p95.toFixed(1)} ms, p99 ${stats.latency.p99.toFixed(1)} ms`,
  );
});
