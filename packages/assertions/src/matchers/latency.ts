import { InvalidOptionError } from '@quiesce/runtime';
import { round } from '@quiesce/runtime/internal';
import type { LoadStats } from '@quiesce/harness';
import type { MatcherState } from 'vitest';
import type { LatencyBounds } from '../matcher-types.js';
import { knownKeys } from '../options/validate.js';
import { hint, result, type MatcherResult } from '../report.js';

const UPPER = ['mean', 'p50', 'p95', 'p99', 'max'] as const;
const KEYS = [...UPPER, 'errorRate', 'throughput'];

/**
 * The result of `load()` meets every bound given: latency figures (ms) at most their bound, the
 * error rate at most its bound, the throughput (requests/s) at least its bound. For load suites
 * that gate on latency, never unit tests (docs/reporting.md).
 */
export function toMeetLatency(this: MatcherState, received: unknown, bounds: unknown): MatcherResult {
  const stats = loadStats(received);
  const checked = latencyBounds(bounds);
  const verdicts = Object.entries(checked).map(([key, bound]) => judge(stats, key as keyof LatencyBounds, bound));
  const pass = verdicts.every((v) => v.ok);
  const what = `the load "${stats.label}" (${stats.target}, ${stats.requests} requests)`;
  return result(pass, () => [
    hint(this, 'toMeetLatency', 'bounds'),
    '',
    pass ? `Expected ${what} to miss a bound, but it met every one:` : `Expected ${what} to meet every bound, but:`,
    ...verdicts.filter((v) => v.ok === pass).map((v) => `  ${v.line}`),
    '',
    `Measured: ${measured(stats)}`,
  ]);
}

function judge(stats: LoadStats, key: keyof LatencyBounds, bound: number): { ok: boolean; line: string } {
  if (key === 'throughput') {
    const ok = stats.throughput >= bound;
    return { ok, line: `throughput ${round(stats.throughput, 1)} req/s ${ok ? '>=' : '<'} ${bound} req/s` };
  }
  if (key === 'errorRate') {
    const ok = stats.errorRate <= bound;
    return { ok, line: `errorRate ${round(stats.errorRate, 4)} ${ok ? '<=' : '>'} ${bound}` };
  }
  const value = stats.latency[key];
  const ok = value <= bound;
  return { ok, line: `${key} ${round(value, 2)} ms ${ok ? '<=' : '>'} ${bound} ms` };
}

function measured(s: LoadStats): string {
  const l = s.latency;
  const ms = (n: number): string => `${round(n, 2)} ms`;
  const rates = `${round(s.throughput, 1)} req/s; error rate ${round(s.errorRate * 100, 2)}%`;
  return `p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}, mean ${ms(l.mean)}; ${rates}`;
}

function loadStats(received: unknown): LoadStats {
  const s = received as Partial<LoadStats> | null;
  const latency = s?.latency as Partial<Record<string, unknown>> | undefined;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    typeof latency === 'object' &&
    latency !== null &&
    UPPER.every((k) => typeof latency[k] === 'number') &&
    typeof s.errorRate === 'number' &&
    typeof s.throughput === 'number';
  if (!ok) throw new InvalidOptionError('toMeetLatency(received)', received, 'the result of load() from @quiesce/harness');
  return s as LoadStats;
}

function latencyBounds(bounds: unknown): Record<string, number> {
  if (typeof bounds !== 'object' || bounds === null || Array.isArray(bounds)) {
    throw new InvalidOptionError('toMeetLatency(bounds)', bounds, `an object with at least one of ${KEYS.join(', ')}`);
  }
  knownKeys(bounds, KEYS, 'toMeetLatency bounds');
  const entries = Object.entries(bounds).filter(([, v]) => v !== undefined);
  if (entries.length === 0) throw new InvalidOptionError('toMeetLatency(bounds)', bounds, `at least one of ${KEYS.join(', ')}`);
  for (const [key, value] of entries) {
    const rate = key === 'errorRate';
    const fine = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (!rate || value <= 1);
    if (!fine)
      throw new InvalidOptionError(
        `toMeetLatency bounds.${key}`,
        value,
        rate ? 'a rate from 0 to 1' : key === 'throughput' ? 'requests per second (a number >= 0)' : 'milliseconds (a number >= 0)',
      );
  }
  return Object.fromEntries(entries) as Record<string, number>;
}
