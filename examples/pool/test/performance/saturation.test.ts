import { describe, expect } from 'vitest';
import { isKind } from '@quiesce/runtime';
import { load, test } from '@quiesce/harness';
import { startTestPool } from '../support/pool.js';

// Load figures are reported (the test's metrics, the JSON/HTML reports), never asserted against a
// wall-clock threshold here: a busy machine would make such a gate flaky. What is asserted is what
// holds on any machine: every request answered, the queue used exactly when demand exceeds slots.
describe('pool saturation and throughput', () => {
  test('throughput at 1, 2 and 8 concurrent clients on 2 workers; beyond 2 the queue absorbs the excess', async ({ system }) => {
    const pool = await startTestPool(system, { size: 2 });
    const runs = [];
    for (const concurrency of [1, 2, 8]) {
      const stats = await load(({ index }) => pool.execute({ op: 'compute', fn: 'sum', args: [index, 1] }), {
        concurrency,
        requests: 60,
        label: `compute x${concurrency}`,
      });
      expect(stats.errors).toBe(0);
      expect(stats.latency.count).toBe(60);
      runs.push({ concurrency, throughput: Math.round(stats.throughput), p50: stats.latency.p50, p95: stats.latency.p95, peakQueue: pool.peakQueue });
    }
    console.log('[pool] saturation', JSON.stringify(runs));
    // With 2 slots, 1 and 2 clients never wait; 8 clients queue up to 6 requests.
    expect(runs.map((r) => r.peakQueue)).toEqual([0, 0, 6]);
    // The history shows the pool never put more than one request at a time on a worker (capacity 1).
    const inFlight = new Map<string, number>();
    for (const e of system.history.events) {
      if (isKind(e, 'pypool.dispatch')) {
        const n = (inFlight.get(e.data.worker) ?? 0) + 1;
        inFlight.set(e.data.worker, n);
        expect(n).toBe(1);
      } else if (isKind(e, 'pypool.reply')) inFlight.set(e.data.worker, inFlight.get(e.data.worker)! - 1);
    }
  });

  test('a full queue answers POOL_SATURATED (429) at once instead of piling up', async ({ system }) => {
    const pool = await startTestPool(system, { size: 1, queueLimit: 2 });
    const held = pool.stream({ op: 'hold' }); // occupies the only slot
    expect((await held.next()).value).toBe('holding');
    const queued = [pool.execute({ op: 'ping' }), pool.execute({ op: 'ping' })];
    await expect(pool.execute({ op: 'ping' })).rejects.toMatchObject({ code: 'POOL_SATURATED', status: 429 });
    // Free the slot the hard way: the worker holding it is killed and restarted; the queue drains.
    system.kill(pool.supervisor.child('w1')!, 'kill');
    await expect(held.next()).rejects.toMatchObject({ code: 'WORKER_DISCONNECTED' });
    expect((await Promise.all(queued)).map((r) => r.result)).toEqual(['pong', 'pong']);
  });
});
