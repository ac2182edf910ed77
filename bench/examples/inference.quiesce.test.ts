// The same test on Quiesce: the server bound to port 0 by the harness (closed at teardown), health
// awaited with bounded probes, the stream read to its end.
import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import { createInferenceService } from '../../examples/inference-smoke/src/index.js';

const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 1) }, (_, i) => i);

test.for(runs)('health, then a streamed completion ends with [DONE] (Quiesce) #%i', async (_run, { system }) => {
  const port = await system.listen(createInferenceService().server);
  await system.awaitHealthy(`http://127.0.0.1:${port}/health`);
  const res = await fetch(`http://127.0.0.1:${port}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Tell me a story', max_tokens: 12, stream: true }),
  });
  const events = (await res.text()).split('\n\n').filter(Boolean);
  expect(events.at(-1)).toBe('data: [DONE]');
  expect(events).toHaveLength(14);
});
