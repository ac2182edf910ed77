// Restart-detection latency: how long after the restart happened does the waiting test resume?
// The same real-clock supervisor restart, detected by Quiesce's event-driven await and by the
// waits a user would otherwise write. The crash is triggered at a random real-time offset so the
// polling peers' phase is uncorrelated with the event.
import { writeFileSync } from 'node:fs';
import { createTestSystem } from '@quiesce/harness';
import { supervisor, worker, type StartFn } from '@quiesce/runtime';
import { expect, test, vi } from 'vitest';

const SAMPLES = Number(process.env.QUIESCE_BENCH_SAMPLES ?? 15);
const crashy: StartFn = (ctx) =>
  ctx.spawn((msg) => {
    if (msg === 'crash') throw new Error('boom');
  });

type Method = 'quiesce' | 'vi.waitFor' | 'expect.poll' | 'sleep(100) loop';

async function sample(method: Method, offsetMs: number): Promise<number> {
  const system = createTestSystem({ clock: 'real', trapExits: true, testId: `latency-${method}` });
  const pool = await system.start(supervisor({ id: 'pool', intensity: 1_000_000, period: 1, children: [worker('w', crashy)] }));
  let restartedAt = 0;
  system.history.subscribe((e) => {
    if (e.kind === 'child.restart' && restartedAt === 0) restartedAt = performance.now();
  });
  const restarted = () => restartedAt !== 0;
  const timer = setTimeout(() => system.send(pool.child('w')!, 'crash'), offsetMs);
  switch (method) {
    case 'quiesce':
      await system.until('child.restart', { timeout: 5000 });
      break;
    case 'vi.waitFor':
      await vi.waitFor(
        () => {
          if (!restarted()) throw new Error('not yet');
        },
        { timeout: 5000 },
      );
      break;
    case 'expect.poll':
      await expect.poll(restarted, { timeout: 5000 }).toBe(true);
      break;
    case 'sleep(100) loop':
      while (!restarted()) await new Promise((r) => setTimeout(r, 100));
      break;
  }
  const latency = performance.now() - restartedAt;
  clearTimeout(timer);
  await system.teardown();
  return latency;
}

test('restart-detection latency', async () => {
  const methods: Method[] = ['quiesce', 'vi.waitFor', 'expect.poll', 'sleep(100) loop'];
  const samples: Record<string, number[]> = Object.fromEntries(methods.map((m) => [m, []]));
  // Seeded offsets (LCG) so every run sees the same spread; methods alternate per sample.
  let x = 12345;
  for (let i = 0; i < SAMPLES; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const offset = 1 + (x % 40);
    for (const m of methods) samples[m]!.push(await sample(m, offset));
  }
  writeFileSync(process.env.QUIESCE_BENCH_OUT!, JSON.stringify(samples));
});
