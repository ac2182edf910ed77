// The inference service's streaming test written the way teams write it today: a port picked at
// random from the range everyone uses, a sleep for "the server is up", vi.waitFor for the stream.
import { expect, test, vi } from 'vitest';
import { createInferenceService } from '../../examples/inference-smoke/src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 1) }, (_, i) => i);

test.each(runs)('health, then a streamed completion ends with [DONE] (sleeps, random ports) #%i', async () => {
  const port = 3000 + Math.floor(Math.random() * 100);
  const { server } = createInferenceService();
  server.listen(port, '127.0.0.1');
  await sleep(50); // "the server is up by now"
  try {
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const events: string[] = [];
    const res = await fetch(`http://127.0.0.1:${port}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Tell me a story', max_tokens: 12, stream: true }),
    });
    void res.text().then((text) => events.push(...text.split('\n\n').filter(Boolean)));
    await vi.waitFor(() => expect(events.at(-1)).toBe('data: [DONE]'), { timeout: 1000, interval: 20 });
    expect(events).toHaveLength(14);
  } finally {
    server.close();
  }
});
