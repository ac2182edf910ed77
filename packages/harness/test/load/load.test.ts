import { createServer as createNetServer } from 'node:net';
import { createServer } from 'node:http';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { LatencyHistogram, load, test, type LoadStats } from '@quiesce/harness';
import { bucketEdge, bucketIndex, bucketPercentile, mergeBuckets } from '../../src/load/histogram.js';
import { resolveLoadOptions } from '../../src/load/options.js';
import { resolveTarget } from '../../src/load/target.js';

/** A target whose requests stay in flight until the test lets them go, counting how many are in flight at once. */
function gated() {
  let inFlight = 0;
  let most = 0;
  let calls = 0;
  return {
    get most() {
      return most;
    },
    get calls() {
      return calls;
    },
    fn: async () => {
      calls++;
      inFlight++;
      most = Math.max(most, inFlight);
      // Let every sender start its request before any finishes.
      await new Promise<void>((resolve) => setImmediate(resolve));
      inFlight--;
    },
  };
}

describe('load() against an async function', () => {
  test('sends exactly `requests` requests, never more than `concurrency` at once, and reports the figures', async () => {
    const target = gated();
    const stats = await load(target.fn, { requests: 40, concurrency: 4, attach: false });
    expect(target.calls).toBe(40);
    expect(target.most).toBe(4);
    expect(stats).toMatchObject({ label: 'load', target: 'function fn', concurrency: 4, requests: 40, errors: 0, errorRate: 0, stoppedBy: 'requests' });
    const { latency } = stats;
    expect(latency.count).toBe(40);
    expect(latency.min).toBeLessThanOrEqual(latency.p50);
    expect(latency.p50).toBeLessThanOrEqual(latency.p95);
    expect(latency.p95).toBeLessThanOrEqual(latency.p99);
    expect(latency.p99).toBeLessThanOrEqual(latency.max);
    expect(stats.histogram.reduce((n, b) => n + b.count, 0)).toBe(40);
    expect(stats.throughput).toBeCloseTo((40 * 1000) / stats.durationMs, 6);
  });

  test('a rejection or a throw is an error; the error rate and distinct messages are kept', async () => {
    const stats = await load(
      ({ index }) => {
        if (index % 4 === 0) throw new Error('sync boom');
        if (index % 4 === 1) return Promise.reject(new Error('async boom'));
        return 'fine';
      },
      { requests: 100, attach: false },
    );
    expect(stats).toMatchObject({ requests: 100, errors: 50, errorRate: 0.5 });
    expect(stats.errorSamples).toEqual([
      { message: 'sync boom', count: 25 },
      { message: 'async boom', count: 25 },
    ]);
  });

  test('a duration-bound load stops sending when the duration has passed', async () => {
    const stats = await load(() => new Promise<void>((resolve) => setImmediate(resolve)), { duration: 30, concurrency: 2, attach: false });
    expect(stats.stoppedBy).toBe('duration');
    expect(stats.requests).toBeGreaterThan(0);
    expect(stats.errors).toBe(0);
  });

  test('with both bounds, whichever comes first ends it', async () => {
    const stats = await load(async () => undefined, { requests: 7, duration: 60_000, attach: false });
    expect(stats).toMatchObject({ requests: 7, stoppedBy: 'requests' });
  });

  test('the timeout bounds the whole load: requests still in flight are aborted and counted as errors', async () => {
    const signals: AbortSignal[] = [];
    const stats = await load(
      ({ signal }) => {
        signals.push(signal);
        return new Promise(() => undefined); // never settles, and ignores its signal
      },
      { requests: 10, concurrency: 3, timeout: 20, attach: false },
    );
    expect(stats).toMatchObject({ requests: 3, errors: 3, errorRate: 1, stoppedBy: 'timeout' });
    expect(stats.errorSamples[0]!.message).toMatch(/still in flight when the load's timeout \(20 ms\) passed/);
    expect(stats.latency.min).toBeGreaterThan(0);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  test('requestTimeout aborts one slow request, counts it as an error, and the load goes on', async () => {
    const stats = await load(
      ({ index, signal }) =>
        index === 0 ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })) : Promise.resolve(),
      { requests: 5, requestTimeout: 10, attach: false },
    );
    expect(stats).toMatchObject({ requests: 5, errors: 1, stoppedBy: 'requests' });
    expect(stats.errorSamples).toEqual([{ message: 'request timed out after 10 ms', count: 1 }]);
  });
});

describe('load() against HTTP', () => {
  test('an in-process server: every request reaches it over one keep-alive pool; statuses >= 400 are errors', async ({ system }) => {
    let seen = 0;
    const server = createServer((req, res) => {
      seen++;
      res.statusCode = req.url === '/broken' ? 503 : 200;
      res.end('ok');
    });
    const sockets = new Set<unknown>();
    server.on('connection', (socket) => sockets.add(socket));
    await system.listen(server);
    const ok = await load(server, { requests: 30, concurrency: 3, attach: false });
    expect(ok).toMatchObject({ requests: 30, errors: 0, concurrency: 3 });
    expect(ok.target).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(seen).toBe(30);
    expect(sockets.size).toBe(3);
    const broken = await load(server, { requests: 4, path: '/broken', attach: false });
    expect(broken).toMatchObject({ requests: 4, errors: 4, errorSamples: [{ message: 'HTTP 503 Service Unavailable', count: 4 }] });
  });

  test('an http:// URL on 127.0.0.1, with a method, headers and a body', async ({ system }) => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.headers['x-probe']} ${body}`);
        res.end();
      });
    });
    const port = await system.listen(server);
    const stats = await load(`http://127.0.0.1:${port}/jobs`, { requests: 3, method: 'post', headers: { 'x-probe': 'yes' }, body: '{"n":1}', attach: false });
    expect(stats).toMatchObject({ requests: 3, errors: 0, target: `POST http://127.0.0.1:${port}/jobs` });
    expect(bodies).toEqual(Array(3).fill('POST yes {"n":1}'));
  });

  test('many concurrent HTTP senders print no MaxListenersExceededWarning (their listeners share one signal)', async ({ system }) => {
    const port = await system.listen(createServer((_req, res) => res.end('ok')));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const stats = await load(`http://127.0.0.1:${port}/`, { requests: 64, concurrency: 16, attach: false });
      expect(stats).toMatchObject({ requests: 64, errors: 0 });
      // A warning is emitted on the next tick: let it land before looking.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  test('a connection the server drops is an error, not a crash', async ({ system }) => {
    // A server that hangs up on every connection: an error each time, whatever else runs on the host.
    const port = await system.listen(createNetServer((socket) => socket.destroy()));
    const stats = await load(`http://127.0.0.1:${port}/`, { requests: 2, attach: false });
    expect(stats).toMatchObject({ requests: 2, errors: 2 });
    expect(stats.errorSamples[0]!.message).toMatch(/socket hang up|ECONNRESET/);
  });
});

describe('load() results in the test metrics', () => {
  test("are attached to the running test's meta for the reporters, in order", async ({ task }) => {
    await load(async () => undefined, { requests: 3, label: 'warm' });
    await load(async () => undefined, { requests: 2, attach: false });
    await load(async () => undefined, { requests: 5, label: 'hot' });
    const attached = task.meta.quiesce?.load ?? [];
    expect(attached.map((s: LoadStats) => [s.label, s.requests])).toEqual([
      ['warm', 3],
      ['hot', 5],
    ]);
    // Plain JSON: it crosses from the worker to the reporter.
    expect(JSON.parse(JSON.stringify(attached))).toEqual(attached);
  });
});

describe('load() input', () => {
  test('bad targets and options are refused before any request is sent, naming what is accepted', () => {
    let calls = 0;
    const fn = async () => void calls++;
    expect(() => load(fn, {} as never)).toThrow('load options: got {}; expected a bound: `requests` (a count), `duration` (ms), or both');
    expect(() => load(fn, { requests: 0 })).toThrow('load options.requests: got 0; expected an integer from 1 to 9007199254740991');
    expect(() => load(fn, { requests: 1, concurrency: 1.5 })).toThrow(/load options\.concurrency: got 1\.5; expected an integer from 1 to 10000/);
    expect(() => load(fn, { requests: 1, concurency: 2 } as never)).toThrow(/load options\.concurency: .* did you mean 'concurrency'\?/);
    expect(() => load(fn, { duration: 100, timeout: 50 })).toThrow('load options.timeout: got 50; expected a number of milliseconds >= duration (100)');
    expect(() => load(fn, { requests: 1, method: 'POST' })).toThrow(
      /load options\.method: got "POST"; expected nothing: HTTP options apply to URL and server targets/,
    );
    expect(() => load('http://example.com/', { requests: 1 })).toThrow(
      /load\(target\): got "http:\/\/example\.com\/"; expected an http:\/\/ URL on 127\.0\.0\.1 or \[::1\]/,
    );
    expect(() => load('https://127.0.0.1:1/', { requests: 1 })).toThrow(QuiesceError);
    expect(() => load('not a url', { requests: 1 })).toThrow(QuiesceError);
    expect(() => load('http://127.0.0.1:1/', { requests: 1, path: '/x' })).toThrow(/load options\.path: .*the URL carries its path/);
    expect(() => load(createServer(), { requests: 1 })).toThrow(/not listening/);
    expect(() => load(42 as never, { requests: 1 })).toThrow(QuiesceError);
    expect(calls).toBe(0);
  });

  test('fuzzed: any options either resolve or throw a QuiesceError naming the option', () => {
    const anything = fc.oneof(fc.anything(), fc.constantFrom(-1, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40, '5s', 'GET', '/', null, [], {}));
    const keys = ['concurrency', 'requests', 'duration', 'timeout', 'requestTimeout', 'label', 'attach', 'method', 'path', 'headers', 'body', 'concurency'];
    const options = fc.oneof(anything, fc.record(Object.fromEntries(keys.map((k) => [k, anything])), { requiredKeys: [] }));
    const targets = fc.oneof(
      anything,
      fc.constantFrom<unknown>(async () => undefined, 'http://127.0.0.1:9/', 'http://[::1]:9/x', { port: 9, host: '127.0.0.1' }),
    );
    fc.assert(
      fc.property(targets, options, (target, given) => {
        try {
          const resolved = resolveLoadOptions(given);
          resolveTarget(target, resolved, given as Record<string, unknown>).close();
          expect(resolved.requests).toBeGreaterThanOrEqual(1);
          expect(resolved.timeout).toBeGreaterThanOrEqual(resolved.duration ?? 0);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
          expect((error as QuiesceError).message).toMatch(/^load (options|\(target\))/);
        }
      }),
    );
  });
});

describe('LatencyHistogram', () => {
  test('percentiles are exact nearest-rank figures over every sample', () => {
    const h = new LatencyHistogram();
    for (let ms = 100; ms >= 1; ms--) h.record(ms); // 1..100, out of order
    expect(h.summary()).toEqual({ count: 100, mean: 50.5, min: 1, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(h.percentile(100)).toBe(100);
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, mean: 0, min: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  test('buckets have edges 2^(k/8) ms, hold every sample, add up across runs, and read percentiles from above', () => {
    const h = new LatencyHistogram();
    for (const ms of [1, 1, 2, 3, 1000, 0]) h.record(ms);
    const buckets = h.buckets();
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(6);
    expect(buckets.find((b) => b.le === 1)?.count).toBe(2); // an edge belongs to its own bucket
    expect(buckets.find((b) => b.le === 2)?.count).toBe(1);
    for (const ms of [0.003, 0.7, 1, 3, 17.2, 999, 123_456]) {
      const k = bucketIndex(ms);
      expect(bucketEdge(k)).toBeGreaterThanOrEqual(ms);
      expect(bucketEdge(k - 1)).toBeLessThan(ms);
    }
    const merged = mergeBuckets([buckets, buckets]);
    expect(merged.reduce((n, b) => n + b.count, 0)).toBe(12);
    expect(bucketPercentile(merged, 50)).toBe(1);
    expect(bucketPercentile(merged, 100)).toBeGreaterThanOrEqual(1000);
    expect(bucketPercentile(merged, 100) / 1000).toBeLessThan(2 ** (1 / 8));
    expect(bucketPercentile([], 50)).toBe(0);
  });
});
