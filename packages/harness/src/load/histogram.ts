/**
 * Latencies of a load run: every sample kept (a load is bounded in count), so percentiles are
 * exact; plus log-spaced buckets that several runs can add up (the report's combined figures and
 * its histogram plot).
 */
import type { LatencyBucket, LatencySummary } from '../core/task-meta.js';

export type { LatencyBucket, LatencySummary };

/** Buckets per doubling: edges at 2^(k/8) ms, so a bucket is about 9% wide. */
export const BUCKETS_PER_DOUBLING = 8;

export class LatencyHistogram {
  #samples = new Float64Array(1024);
  #count = 0;
  #sum = 0;
  #sorted: Float64Array | undefined;

  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = ms;
    this.#sum += ms;
    this.#sorted = undefined;
  }

  /** The nearest-rank percentile `p` (0 < p <= 100) in ms; 0 without samples. */
  percentile(p: number): number {
    const sorted = this.#sortedSamples();
    if (sorted.length === 0) return 0;
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
    return sorted[rank - 1]!;
  }

  summary(): LatencySummary {
    const sorted = this.#sortedSamples();
    const n = sorted.length;
    return {
      count: n,
      mean: n === 0 ? 0 : this.#sum / n,
      min: n === 0 ? 0 : sorted[0]!,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: n === 0 ? 0 : sorted[n - 1]!,
    };
  }

  /** The non-empty buckets, smallest edge first. */
  buckets(): LatencyBucket[] {
    const counts = new Map<number, number>();
    for (let i = 0; i < this.#count; i++) {
      const k = bucketIndex(this.#samples[i]!);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([k, count]) => ({ le: bucketEdge(k), count }));
  }

  #sortedSamples(): Float64Array {
    this.#sorted ??= this.#samples.slice(0, this.#count).sort();
    return this.#sorted;
  }
}

/** The index k of the bucket holding `ms`: the smallest k with 2^(k/8) >= ms (samples under 1 µs share one bucket). */
export function bucketIndex(ms: number): number {
  const floor = -10 * BUCKETS_PER_DOUBLING;
  if (!(ms > 2 ** (floor / BUCKETS_PER_DOUBLING))) return floor;
  let k = Math.ceil(Math.log2(ms) * BUCKETS_PER_DOUBLING);
  // Guard the float edge: the edge itself belongs to its own bucket, never the next one.
  if (bucketEdge(k - 1) >= ms) k -= 1;
  return k;
}

/** The upper edge of bucket k, in ms. */
export function bucketEdge(k: number): number {
  return 2 ** (k / BUCKETS_PER_DOUBLING);
}

/** Several runs' buckets added up (their edges are shared). */
export function mergeBuckets(lists: ReadonlyArray<readonly LatencyBucket[]>): LatencyBucket[] {
  const counts = new Map<number, number>();
  for (const list of lists) for (const b of list) counts.set(b.le, (counts.get(b.le) ?? 0) + b.count);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

/**
 * A percentile read from buckets: the upper edge of the bucket holding the nearest-rank sample,
 * so it is at most one bucket (about 9%) above the exact figure, never below it.
 */
export function bucketPercentile(buckets: readonly LatencyBucket[], p: number): number {
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0) return 0;
  const rank = Math.min(total, Math.max(1, Math.ceil((p / 100) * total)));
  let seen = 0;
  for (const b of buckets) {
    seen += b.count;
    if (seen >= rank) return b.le;
  }
  return buckets[buckets.length - 1]!.le;
}
