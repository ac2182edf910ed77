import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { judgeTrend, leastSquaresSlope, memoryTrend, test } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf } from './support.js';

const RULES = { bytesPerOp: 32, minGrowth: 65536, upwardRatio: 0.7 };

// Runs operations thousands of times with forced collections: a slow suite's test (docs/assertions.md).
describe('memory trend', { tags: ['slow'] }, () => {
  test('finds a slow leak of one retained object per operation', async () => {
    const retained: object[] = [];
    const leaky = (i: number): void => void retained.push({ i, tags: [i, i + 1, i + 2, i + 3] });
    const trend = await memoryTrend(leaky, { iterations: 4000, samples: 10 });
    expect(trend.gc).not.toBe('unavailable');
    expect(trend.leak).toBe(true);
    const message = await failureOf(() => expect(trend).not.toLeakMemory());
    expect(message).toContain('Expected memory not to grow with the operation, but all four rules say it does (4000 operations after 400 of warmup):');
    expect(message).toMatch(/leak {3}\s+rate\s+[\d.]+ B\/op \(threshold 32 B\/op\)/);
    expect(message).toMatch(/leak {3}\s+slope/);
    expect(message).toMatch(/samples \(KiB\): [\d.]+(, [\d.]+){10}/);
    expect(retained.length).toBe(4400);
  });

  test('passes an operation that allocates and lets go', async () => {
    const work = (i: number): number => JSON.stringify({ i, tags: [i, i + 1, i + 2, i + 3] }).length;
    await expect(work).not.toLeakMemory({ iterations: 4000, samples: 10 });
  });
});

describe('the four-way rule', () => {
  test('one rule alone is not a leak: a heap that grew once and stayed', () => {
    // +200 KiB in one step, then flat: rate, growth and slope say leak; the upward steps do not.
    const samples = [1_000_000, 1_000_000, 1_204_800, 1_204_800, 1_204_800, 1_204_800];
    const trend = judgeTrend(samples, 1000, 100, 'expose-gc', RULES);
    expect(trend.rules.growth.leak).toBe(true);
    expect(trend.rules.rate.leak).toBe(true);
    expect(trend.rules.upward.leak).toBe(false);
    expect(trend.leak).toBe(false);
  });

  test('a steady climb is a leak by all four', () => {
    const samples = Array.from({ length: 11 }, (_, k) => 1_000_000 + k * 20_000);
    const trend = judgeTrend(samples, 1000, 100, 'v8-flag', RULES);
    expect(trend.rules.slope.value).toBeCloseTo(200, 6);
    expect(trend.leak).toBe(true);
  });

  test('the least-squares slope of points on a line is its slope', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 20 }), (a, b, n) => {
        const points = Array.from({ length: n }, (_, x) => [x, a * x + b] as const);
        expect(leastSquaresSlope(points)).toBeCloseTo(a, 6);
      }),
    );
  });

  test('refuses options it does not accept, naming them', async () => {
    await expect(memoryTrend(() => undefined, { samples: 2 })).rejects.toThrow(/memoryTrend options\.samples: got 2; expected an integer >= 3/);
    await expect(memoryTrend(() => undefined, { iterations: 5, samples: 6 })).rejects.toThrow(/from 3 to iterations \(5\)/);
    await expect(memoryTrend(() => undefined, { iteration: 5 } as never)).rejects.toThrow(/did you mean 'iterations'/);
    await expect(expect(42).toLeakMemory()).rejects.toThrow(/an operation \(i\) => unknown, or the result of memoryTrend\(\)/);
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            iterations: fc.anything(),
            warmup: fc.anything(),
            samples: fc.anything(),
            bytesPerOp: fc.anything(),
            minGrowth: fc.anything(),
            upwardRatio: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        async (options) => {
          const int = (v: unknown, min: number) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= min);
          const bytes = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
          const it = (options.iterations ?? 2000) as number;
          const ok =
            int(options.iterations, 1) &&
            int(options.warmup, 0) &&
            int(options.samples, 3) &&
            ((options.samples ?? 10) as number) <= it &&
            bytes(options.bytesPerOp) &&
            bytes(options.minGrowth) &&
            (options.upwardRatio === undefined || (typeof options.upwardRatio === 'number' && options.upwardRatio > 0 && options.upwardRatio <= 1));
          fc.pre(!ok);
          await expect(memoryTrend(() => undefined, options as never)).rejects.toThrow(QuiesceError);
        },
      ),
      { numRuns: 60 },
    );
  });
});
