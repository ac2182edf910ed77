import { stripVTControlCharacters } from 'node:util';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { load, test, type LoadStats } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf } from './support.js';

/** A load result with chosen figures (what load() returns, with numbers a test can reason about). */
function stats(latency: Partial<LoadStats['latency']>, rest: Partial<LoadStats> = {}): LoadStats {
  return {
    label: 'checkout',
    target: 'GET http://127.0.0.1:4000/checkout',
    concurrency: 4,
    requests: 200,
    errors: 0,
    errorRate: 0,
    durationMs: 16_000,
    throughput: 12.5,
    latency: { count: 200, mean: 140, min: 20, p50: 120, p95: 350, p99: 500, max: 610, ...latency },
    histogram: [],
    stoppedBy: 'requests',
    errorSamples: [],
    ...rest,
  };
}

describe('toMeetLatency', () => {
  test('passes when every bound is met, on a real load', async () => {
    const result = await load(async () => undefined, { requests: 20, attach: false });
    expect(result).toMeetLatency({ p95: 60_000, max: 60_000, errorRate: 0, throughput: 0 });
  });

  test('names each missed bound with the measured figure, then every figure', async () => {
    const message = await failureOf(() =>
      expect(stats({}, { errorRate: 0.02, errors: 4 })).toMeetLatency({ p50: 200, p95: 200, errorRate: 0.01, throughput: 20 }),
    );
    expect(message).toBe(
      [
        'expect(received).toMeetLatency(bounds)',
        '',
        'Expected the load "checkout" (GET http://127.0.0.1:4000/checkout, 200 requests) to meet every bound, but:',
        '  p95 350 ms > 200 ms',
        '  errorRate 0.02 > 0.01',
        '  throughput 12.5 req/s < 20 req/s',
        '',
        'Measured: p50 120 ms, p95 350 ms, p99 500 ms, max 610 ms, mean 140 ms; 12.5 req/s; error rate 2%',
      ].join('\n'),
    );
  });

  test('.not fails when every bound is met, listing them', async () => {
    expect(stats({})).not.toMeetLatency({ p95: 200 });
    const message = await failureOf(() => expect(stats({})).not.toMeetLatency({ p99: 500, mean: 150.5 }));
    expect(message).toContain('Expected the load "checkout" (GET http://127.0.0.1:4000/checkout, 200 requests) to miss a bound, but it met every one:');
    expect(message).toContain('  p99 500 ms <= 500 ms\n  mean 140 ms <= 150.5 ms');
  });

  test('refuses what is not a load result and bounds it does not know', () => {
    expect(() => expect({ p95: 3 }).toMeetLatency({ p95: 200 })).toThrow(
      /toMeetLatency\(received\): got .*; expected the result of load\(\) from @quiesce\/harness/,
    );
    expect(() => expect(stats({})).toMeetLatency({})).toThrow(
      /toMeetLatency\(bounds\): got \{\}; expected at least one of mean, p50, p95, p99, max, errorRate, throughput/,
    );
    expect(() => expect(stats({})).toMeetLatency({ p96: 200 } as never)).toThrow(/toMeetLatency bounds\.p96: .*did you mean 'p95'\?/);
    expect(() => expect(stats({})).toMeetLatency({ errorRate: 2 })).toThrow(/toMeetLatency bounds\.errorRate: got 2; expected a rate from 0 to 1/);
    expect(() => expect(stats({})).toMeetLatency({ p95: '200ms' } as never)).toThrow(QuiesceError);
  });
});

test('fuzzed bounds: the assertion passes, fails as an assertion, or throws a QuiesceError naming the input', () => {
  const value = fc.oneof(fc.anything(), fc.double(), fc.integer({ min: -5, max: 1000 }), fc.constantFrom(0, 0.5, 1, 200, '200ms'));
  const keys = ['mean', 'p50', 'p95', 'p99', 'max', 'errorRate', 'throughput', 'p96'];
  const sane = fc.record({ p95: fc.integer({ min: 0, max: 1000 }), errorRate: fc.double({ min: 0, max: 1, noNaN: true }) }, { requiredKeys: [] });
  const bounds = fc.oneof(fc.anything(), sane, fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] }));
  const seen = new Set<string>();
  fc.assert(
    fc.property(bounds, fc.boolean(), (given, negate) => {
      try {
        (negate ? expect(stats({})).not : expect(stats({}))).toMeetLatency(given as never);
        seen.add('pass');
      } catch (error) {
        if (error instanceof QuiesceError) seen.add('invalid');
        else if (error instanceof Error && stripVTControlCharacters(error.message).startsWith('expect(received).')) seen.add('assertion');
        else throw error;
      }
    }),
    { numRuns: 300 },
  );
  expect([...seen].sort()).toEqual(['assertion', 'invalid', 'pass']);
});
