// The Quiesce way (examples/orchestrator/test/orchestrator.test.ts): virtual time, a monitor, the inbox.
import { test } from '@quiesce/harness';
import { expect } from 'vitest';
import { MockProvider, Orchestrator } from '../../examples/orchestrator/src/index.js';

const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 1) }, (_, i) => i + 1);

test.for(runs)('a failed compute is reported and its tracker exits (run %i)', async (_run, { system, inbox }) => {
  const provider = new MockProvider();
  const supervisor = await system.startDynamic({ maxChildren: 4 });
  const orchestrator = await Orchestrator.start(system.runtime, { provider, supervisor, pollInterval: 1_000 });
  orchestrator.subscribe(inbox.pid);
  const compute = await orchestrator.spawn({ gpu: 'a100', image: 'trainer:1' });
  const exit = system.monitor(orchestrator.trackerOf(compute.id)!);

  provider.setStatus(compute.id, 'failed');

  await inbox.receive({ type: 'compute.status', id: compute.id, status: 'failed' });
  expect(await exit).toBe('normal');
  expect(orchestrator.computes()).toEqual([]);
});
