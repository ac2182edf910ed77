/** How many times each side repeats an example's test (compare.mjs sets them). */
export function runs(example: 'orchestrator' | 'service'): number[] {
  const n = Number(process.env[`QUIESCE_BENCH_RUNS_${example.toUpperCase()}`] ?? 5);
  return Array.from({ length: n }, (_, i) => i + 1);
}
