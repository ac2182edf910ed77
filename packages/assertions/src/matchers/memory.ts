import { InvalidOptionError } from '@quiesce/runtime';
import { round } from '@quiesce/runtime/internal';
import { isMemoryTrend, memoryTrend, type MemoryTrend, type MemoryTrendOptions, type TrendRule } from '@quiesce/harness';
import { memoryTrendOptions } from '@quiesce/harness/internal';
import type { MatcherState } from 'vitest';
import { hint, result, type MatcherResult } from '../report.js';

/**
 * The operation leaks: repeated `iterations` times after a warmup, memory sampled after forced
 * collections grows by all four rules (per operation, in total, step by step, and by the
 * least-squares slope). Use it negated, `await expect(op).not.toLeakMemory()`, in a slow-tagged
 * suite. The received value is the operation (`(i) => unknown`) or a `memoryTrend()` result.
 */
export async function toLeakMemory(this: MatcherState, received: unknown, options?: unknown): Promise<MatcherResult> {
  let trend: MemoryTrend;
  if (isMemoryTrend(received)) {
    if (options !== undefined) throw new InvalidOptionError('toLeakMemory(options)', options, 'nothing: the received trend is already measured');
    trend = received;
  } else if (typeof received === 'function') {
    memoryTrendOptions(options ?? {});
    trend = await memoryTrend(received as (i: number) => unknown, (options ?? {}) as MemoryTrendOptions);
  } else {
    throw new InvalidOptionError('expect(received).toLeakMemory(): received', received, 'an operation (i) => unknown, or the result of memoryTrend()');
  }
  const pass = trend.leak;
  return result(pass, () => [
    hint(this, 'toLeakMemory', 'options'),
    '',
    pass
      ? `Expected memory not to grow with the operation, but all four rules say it does (${trend.iterations} operations after ${trend.warmup} of warmup):`
      : `Expected memory to grow with the operation, but not every rule says so (${trend.iterations} operations after ${trend.warmup} of warmup):`,
    ...describeTrend(trend).map((line) => `  ${line}`),
  ]);
}

/** The trend's figures, one rule per line, then the samples. */
export function describeTrend(t: MemoryTrend): string[] {
  const rule = (name: string, r: TrendRule, value: string, threshold: string): string =>
    `${r.leak ? 'leak   ' : 'no leak'}  ${name.padEnd(8)} ${value} (threshold ${threshold})`;
  return [
    rule('rate', t.rules.rate, `${round(t.rules.rate.value, 2)} B/op`, `${t.rules.rate.threshold} B/op`),
    rule('growth', t.rules.growth, kib(t.rules.growth.value), kib(t.rules.growth.threshold)),
    rule('upward', t.rules.upward, `${round(t.rules.upward.value * 100, 1)}% of steps`, `${round(t.rules.upward.threshold * 100, 1)}%`),
    rule('slope', t.rules.slope, `${round(t.rules.slope.value, 2)} B/op`, `${t.rules.slope.threshold} B/op`),
    `samples (KiB): ${t.samples.map((b) => round(b / 1024, 1)).join(', ')}`,
    `collections forced: ${t.gc === 'unavailable' ? 'no (figures are noisier; run with --expose-gc)' : `yes (${t.gc})`}`,
  ];
}

function kib(bytes: number): string {
  return `${round(bytes / 1024, 1)} KiB`;
}
