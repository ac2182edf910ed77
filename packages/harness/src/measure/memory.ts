import { InvalidOptionError } from '@quiesce/runtime';
import { checkOptions, isPromise } from '@quiesce/runtime/internal';
import { forceGc, type GcSource } from './gc.js';

/**
 * Whether memory grows with an operation repeated many times: a warmup, then samples taken after
 * forced full collections, and a leak reported only when four rules agree (growth per operation,
 * absolute growth, the share of upward steps, the least-squares slope). One rule alone is noise:
 * a single pair of samples, or a heap that grew once and stayed, is not a trend. Belongs in a
 * `slow`-tagged suite: it runs the operation thousands of times and its figures depend on the machine.
 */

export interface MemoryTrendOptions {
  /** Operations measured (after the warmup). Default 2000. */
  iterations?: number;
  /** Operations run first and not measured (caches fill, code is compiled). Default: a tenth of `iterations`. */
  warmup?: number;
  /** Samples after the first (one per batch of iterations / samples). Default 10; at least 3. */
  samples?: number;
  /** Bytes per operation at or above which the rate and the slope say "leak". Default 32. */
  bytesPerOp?: number;
  /** Bytes of growth, first sample to last, at or above which the absolute rule says "leak". Default 65536. */
  minGrowth?: number;
  /** Share of steps between consecutive samples that must go up for the step rule to say "leak". Default 0.7. */
  upwardRatio?: number;
  /**
   * What is measured, in bytes. Default: this thread's used heap (`process.memoryUsage().heapUsed`).
   * Give a gauge of one part to measure it alone: a worker thread's heap, a server's state size.
   */
  measure?: () => number | Promise<number>;
}

/** One rule's figure, its threshold and whether it says "leak". */
export interface TrendRule {
  readonly value: number;
  readonly threshold: number;
  readonly leak: boolean;
}

export interface MemoryTrend {
  /** Bytes measured after each batch (the first after the warmup), each after a forced collection where available. */
  readonly samples: readonly number[];
  /** Operations run between the first and the last sample. */
  readonly iterations: number;
  readonly warmup: number;
  /** How collections were forced: `expose-gc`, `v8-flag`, or `unavailable` (the figures are noisier). */
  readonly gc: GcSource;
  readonly rules: {
    /** (last - first) / iterations, bytes per operation. */
    readonly rate: TrendRule;
    /** last - first, bytes. */
    readonly growth: TrendRule;
    /** Share of consecutive samples that went up. */
    readonly upward: TrendRule;
    /** Least-squares slope of bytes against operations, bytes per operation. */
    readonly slope: TrendRule;
  };
  /** All four rules say "leak". */
  readonly leak: boolean;
}

const KEYS = ['iterations', 'warmup', 'samples', 'bytesPerOp', 'minGrowth', 'upwardRatio', 'measure'] as const;

interface Resolved {
  iterations: number;
  warmup: number;
  samples: number;
  bytesPerOp: number;
  minGrowth: number;
  upwardRatio: number;
  measure: () => number | Promise<number>;
}

/** Run `operation` warmup + iterations times (awaiting each) and judge the trend of memory. */
export async function memoryTrend(operation: (i: number) => unknown, options: MemoryTrendOptions = {}): Promise<MemoryTrend> {
  if (typeof operation !== 'function') throw new InvalidOptionError('memoryTrend(operation)', operation, 'a function (i) => unknown (sync or async)');
  const o = memoryTrendOptions(options);
  let i = 0;
  const run = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++) {
      const result = operation(i++);
      if (isPromise(result)) await result;
    }
  };
  await run(o.warmup);
  const gc = forceGc();
  const samples = [await gauge(o.measure)];
  const batch = Math.floor(o.iterations / o.samples);
  const remainder = o.iterations - batch * o.samples;
  for (let s = 0; s < o.samples; s++) {
    await run(batch + (s < remainder ? 1 : 0));
    forceGc();
    samples.push(await gauge(o.measure));
  }
  return judgeTrend(samples, o.iterations, o.warmup, gc, o);
}

/** The four rules over `samples` taken evenly across `iterations` operations. */
export function judgeTrend(
  samples: readonly number[],
  iterations: number,
  warmup: number,
  gc: GcSource,
  t: Pick<Resolved, 'bytesPerOp' | 'minGrowth' | 'upwardRatio'>,
): MemoryTrend {
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const growth = last - first;
  const steps = samples.length - 1;
  let up = 0;
  for (let k = 1; k < samples.length; k++) if (samples[k]! > samples[k - 1]!) up++;
  const rate = iterations > 0 ? growth / iterations : 0;
  const slope = leastSquaresSlope(samples.map((bytes, k) => [(k * iterations) / steps, bytes] as const));
  const rules = {
    rate: { value: rate, threshold: t.bytesPerOp, leak: rate >= t.bytesPerOp },
    growth: { value: growth, threshold: t.minGrowth, leak: growth >= t.minGrowth },
    upward: { value: steps > 0 ? up / steps : 0, threshold: t.upwardRatio, leak: steps > 0 && up / steps >= t.upwardRatio },
    slope: { value: slope, threshold: t.bytesPerOp, leak: slope >= t.bytesPerOp },
  };
  return { samples, iterations, warmup, gc, rules, leak: Object.values(rules).every((r) => r.leak) };
}

/** The slope of the least-squares line through `points` (0 for fewer than two distinct x). */
export function leastSquaresSlope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) * (x - mx);
  }
  return den === 0 ? 0 : num / den;
}

/** Whether `value` is a trend made by `memoryTrend`. */
export function isMemoryTrend(value: unknown): value is MemoryTrend {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<MemoryTrend>;
  return Array.isArray(t.samples) && typeof t.leak === 'boolean' && typeof t.rules === 'object' && t.rules !== null;
}

/** Validate memoryTrend's options (InvalidOptionError naming the option); defaults filled in. */
export function memoryTrendOptions(options: unknown): Resolved {
  checkOptions('memoryTrend options', options, KEYS);
  const o = options as MemoryTrendOptions;
  const iterations = integer('iterations', o.iterations ?? 2000, 1);
  const warmup = integer('warmup', o.warmup ?? Math.floor(iterations / 10), 0);
  const samples = integer('samples', o.samples ?? 10, 3);
  if (samples > iterations) throw new InvalidOptionError('memoryTrend options.samples', samples, `an integer from 3 to iterations (${iterations})`);
  const bytesPerOp = nonNegative('bytesPerOp', o.bytesPerOp ?? 32);
  const minGrowth = nonNegative('minGrowth', o.minGrowth ?? 65536);
  const upwardRatio = o.upwardRatio ?? 0.7;
  if (!(typeof upwardRatio === 'number' && upwardRatio > 0 && upwardRatio <= 1))
    throw new InvalidOptionError('memoryTrend options.upwardRatio', upwardRatio, 'a share greater than 0, at most 1');
  const measure = o.measure ?? (() => process.memoryUsage().heapUsed);
  if (typeof measure !== 'function')
    throw new InvalidOptionError('memoryTrend options.measure', measure, 'a function () => bytes (a number, or a promise of one)');
  return { iterations, warmup, samples, bytesPerOp, minGrowth, upwardRatio, measure };
}

function integer(name: string, value: unknown, min: number): number {
  if (Number.isSafeInteger(value) && (value as number) >= min) return value as number;
  throw new InvalidOptionError(`memoryTrend options.${name}`, value, `an integer >= ${min}`);
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new InvalidOptionError(`memoryTrend options.${name}`, value, 'a finite number of bytes >= 0');
}

async function gauge(measure: () => number | Promise<number>): Promise<number> {
  const bytes = await measure();
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) throw new InvalidOptionError('memoryTrend options.measure()', bytes, 'a finite number of bytes');
  return bytes;
}
