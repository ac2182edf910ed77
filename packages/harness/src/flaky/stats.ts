/**
 * The statistics of reruns: a flake rate with its Wilson interval, the exact bound when nothing
 * failed, the runs a bound needs, and how often a test's outcome flips.
 */

/** The standard normal quantile (Acklam's rational approximation, relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: number[], x: number): number => k.reduce((acc, v) => acc * x + v, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** The Wilson score interval of `k` successes in `n` trials at two-sided confidence `confidence`. */
export function wilson(k: number, n: number, confidence = 0.95): [number, number] {
  if (n === 0) return [0, 1];
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exactly 0 and 1 at the ends (rounding would leave 1e-17 where no failure was seen).
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/**
 * With no event in `n` trials, the exact one-sided upper bound on its rate at `confidence`:
 * 1 - (1 - C)^(1/n), about 3/n at 95% (the "rule of three").
 */
export function zeroEventUpperBound(n: number, confidence = 0.95): number {
  return n === 0 ? 1 : 1 - (1 - confidence) ** (1 / n);
}

/** Clean runs needed for the zero-event upper bound to fall below `rate`: the smallest n with 1 - (1 - C)^(1/n) < rate. */
export function runsForBound(rate: number, confidence = 0.95): number {
  let n = Math.max(1, Math.ceil(Math.log(1 - confidence) / Math.log(1 - rate)));
  // The formula can land on the boundary itself; the bound must be strictly under the rate.
  while (zeroEventUpperBound(n, confidence) >= rate) n++;
  return n;
}

/** The share of consecutive pairs of outcomes that differ (0 for fewer than two). */
export function flipRate(outcomes: readonly boolean[]): number {
  if (outcomes.length < 2) return 0;
  let flips = 0;
  for (let i = 1; i < outcomes.length; i++) if (outcomes[i] !== outcomes[i - 1]) flips++;
  return flips / (outcomes.length - 1);
}
