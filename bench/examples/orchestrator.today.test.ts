// The same test written the way teams write it today: a real clock, a short poll interval so the
// test is not too slow, a sleep "long enough" for one poll, then vi.waitFor for the exit.
import { Runtime } from '@quiesce/runtime';
import { expect, test, vi } from 'vitest';
import { type ComputeEvent, MockProvider, Orchestrator } from '../../examples/orchestrator/src/index.js';

const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 1) }, (_, i) => i + 1);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.for(runs)('a failed compute is reported and its tracker exits (run %i)', async () => {
  const rt = new Runtime();
  try {
    const provider = new MockProvider();
    const orchestrator = await Orchestrator.start(rt, { provider, pollInterval: 50 });
    const events: ComputeEvent[] = [];
    orchestrator.subscribe(rt.spawn((message) => void events.push(message as ComputeEvent)));
    const compute = await orchestrator.spawn({ gpu: 'a100', image: 'trainer:1' });

    provider.setStatus(compute.id, 'failed');

    await sleep(75); // one poll and a half
    expect(events).toContainEqual({ type: 'compute.status', id: compute.id, from: 'running', status: 'failed' });
    await vi.waitFor(() => expect(orchestrator.computes()).toEqual([]), { timeout: 200, interval: 20 });
  } finally {
    await rt.shutdown();
  }
});
