import { Piscina } from 'piscina';
import { describe, expect } from 'vitest';
import { test, type TestSystem } from '@quiesce/harness';

// A real worker-thread pool from npm that knows nothing about Quiesce: the test learns what
// happens inside it only from the pool's own events, observed into the history.
const filename = new URL('../fixtures/piscina-task.mjs', import.meta.url).href;

interface PiscinaWorker {
  readonly id: number;
}
type ThreadEvent = { threadId: number };

/** A one-thread pool, owned by the test (destroyed at teardown), with its events observed. */
function observedPool(system: TestSystem): Piscina {
  const pool = new Piscina({ filename, minThreads: 1, maxThreads: 1 });
  let destroyed = false;
  system.own({
    kind: 'pool',
    label: 'piscina (1 thread)',
    dispose: async () => {
      if (destroyed) return;
      destroyed = true;
      await pool.destroy();
    },
    alive: () => !destroyed,
  });
  system.observe(
    pool,
    {
      workerCreate: (worker: PiscinaWorker) => ({ kind: 'pool.workerCreate', data: { threadId: worker.id } }),
      // No thread id here: piscina reports the destroy after the thread has exited, when Node
      // already reports its threadId as -1.
      workerDestroy: 'pool.workerDestroy',
      error: (error: Error) => ({ kind: 'pool.error', data: { message: error.message } }),
    },
    { source: 'piscina' },
  );
  return pool;
}

// Real threads start in real time: the bound is generous, and only a failure ever waits it out.
const realTime = { timeout: 30_000 };

describe('observing piscina', () => {
  test('a thread that exits mid-task is replaced; the test waits for the replacement by event', async ({ system }) => {
    const pool = observedPool(system);
    const first = (await system.until('pool.workerCreate', { since: 'start', ...realTime })) as { data: ThreadEvent };

    const crash = system.history.length;
    await expect(pool.run({ exit: 7 })).rejects.toThrow('worker exited with code: 7');
    const destroyed = await system.until('pool.workerDestroy', { since: crash, ...realTime });
    const replacement = (await system.until('pool.workerCreate', { since: crash, ...realTime })) as { seq: number; data: ThreadEvent };

    expect(replacement.seq).toBeGreaterThan(destroyed.seq);
    expect(replacement.data.threadId).not.toBe(first.data.threadId);
    // The recovered pool serves, on the replacement thread, its only one.
    expect(pool.threads.map((thread) => thread.threadId)).toEqual([replacement.data.threadId]);
    await expect(pool.run({ echo: 'after' })).resolves.toEqual({ echo: 'after', threadId: replacement.data.threadId });
    expect(system.history.ofKind('pool.workerCreate').map((e) => e.source)).toEqual(['piscina', 'piscina']);
  });

  test('an uncaught exception kills the thread: the task fails with it and the pool recovers', async ({ system }) => {
    const pool = observedPool(system);
    const first = (await system.until('pool.workerCreate', { since: 'start', ...realTime })) as { data: ThreadEvent };

    const crash = system.history.length;
    await expect(pool.run({ throwUncaught: 'boom in the thread' })).rejects.toThrow('boom in the thread');
    const replacement = (await system.until('pool.workerCreate', { since: crash, ...realTime })) as { data: ThreadEvent };

    expect(replacement.data.threadId).not.toBe(first.data.threadId);
    expect(system.history.find((e) => e.kind === 'pool.workerDestroy', crash)).toBeDefined();
    await expect(pool.run({ echo: 2 })).resolves.toEqual({ echo: 2, threadId: replacement.data.threadId });
    // The failure reached the task, so the pool had no reason to emit 'error'.
    expect(system.history.ofKind('pool.error')).toEqual([]);
  });

  test('waiting for a second replacement that never comes times out in real time, not as a deadlock', async ({ system }) => {
    observedPool(system);
    await system.until('pool.workerCreate', { since: 'start', ...realTime });
    const error = await system.until('pool.workerDestroy', { timeout: 200 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WaitError', failure: 'timeout' });
  });
});
