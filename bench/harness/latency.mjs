// Row: restart-detection latency, Quiesce's await against vi.waitFor, expect.poll and a sleep
// loop, on the same restart. Runs bench/harness/restart-latency.measure.ts inside Vitest.
import { median } from '../lib.mjs';
import { runMeasureFile } from './run-measure.mjs';

export const id = 'restart-latency';

export async function measure() {
  const samples = await runMeasureFile('bench/harness/restart-latency.measure.ts', {});
  const q = median(samples.quiesce);
  return ['vi.waitFor', 'expect.poll', 'sleep(100) loop'].map((peer, i) => ({
    id: i === 0 ? 'restart-latency' : `restart-latency-${i}`,
    measurement: `restart-detection latency, median (vs ${peer})`,
    unit: 'ms',
    quiesce: q,
    peer: median(samples[peer]),
    ratio: median(samples[peer]) / q,
    better: 'lower-latency',
    peerName: `${peer} on the same real-clock supervisor restart (${samples[peer].length} samples; Quiesce awaits system.until('child.restart'))`,
    target: i === 0 ? 100 : undefined,
  }));
}
