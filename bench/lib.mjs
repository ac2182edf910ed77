// Small helpers shared by the measurements: clocks, medians, bounded timing loops.
// Plain ESM, no dependencies: `npm run bench` needs only a built packages/runtime/dist.

/** Wall milliseconds (monotonic). */
export const now = () => performance.now();

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Resolves after the current macrotask (lets pending I/O callbacks and timers of the previous rep drain). */
export const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Run `batch()` (which performs `batchSize` operations and may be async) until at least
 * `minMs` of wall time have passed or `maxOps` operations are done; returns ops per second.
 */
export async function rate(batch, { batchSize, minMs, maxOps = Number.POSITIVE_INFINITY }) {
  let ops = 0;
  const start = now();
  let elapsed = 0;
  do {
    await batch();
    ops += batchSize;
    elapsed = now() - start;
  } while (elapsed < minMs && ops < maxOps);
  return (ops * 1000) / elapsed;
}

/**
 * Alternate the two sides rep by rep (A B A B ...) so both see the same machine conditions
 * (the machine is shared), then take the median of each side.
 */
export async function sideBySide(reps, sides) {
  const samples = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let i = 0; i < reps; i++) {
    for (const [name, run] of Object.entries(sides)) {
      samples[name].push(await run(i));
      await turn();
    }
  }
  return { samples, medians: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) };
}

/** Force a full collection (twice: the first may only schedule finalisation work). Needs --expose-gc. */
export function fullGc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc (bench/run.mjs does this for its children)');
  globalThis.gc();
  globalThis.gc();
}
