import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { createPool, type Pool } from 'generic-pool';
import { describe, expect } from 'vitest';
import { test, type TestSystem } from '@quiesce/harness';

// generic-pool from npm, pooling real worker threads. The pool itself only tells the world about
// factory failures (factoryCreateError, factoryDestroyError); the resources tell it when they
// come up and when they die. The test observes both and waits on them; nothing here polls.
const fixture = new URL('../fixtures/resource-thread.mjs', import.meta.url);
const realTime = { timeout: 30_000 };

interface Thread {
  readonly n: number;
  readonly worker: Worker;
  exited: boolean;
}

/**
 * The application's side: a factory of worker-thread resources. Each resource is observed as it
 * is created (source `thread:<n>`), the way an application would wire its own resources. The
 * first `failStarts` creations fail while starting.
 */
function threadPool(system: TestSystem, options: { min: number; failStarts?: number }): { pool: Pool<Thread>; threads: Thread[] } {
  const threads: Thread[] = [];
  const factory = {
    async create(): Promise<Thread> {
      const n = threads.length + 1;
      const worker = new Worker(fixture, { workerData: { failStart: n <= (options.failStarts ?? 0) } });
      const thread: Thread = { n, worker, exited: false };
      threads.push(thread);
      worker.once('exit', () => (thread.exited = true));
      system.observe(
        worker,
        {
          message: (message: { ready?: number }) => (message.ready !== undefined ? { kind: 'resource.ready', data: { threadId: message.ready } } : undefined),
          exit: (code: number) => ({ kind: 'resource.exit', data: { code } }),
        },
        { source: `thread:${n}` },
      );
      await once(worker, 'message'); // the ready line; rejects if the thread throws first
      return thread;
    },
    async destroy(thread: Thread): Promise<void> {
      // Like closing a connection that already dropped: the factory reports it.
      if (thread.exited) throw new Error(`thread:${thread.n} is already dead`);
      await thread.worker.terminate();
    },
    async validate(thread: Thread): Promise<boolean> {
      return !thread.exited;
    },
  };
  const pool = createPool(factory, { min: options.min, max: 1, testOnBorrow: true });
  system.own({
    kind: 'pool',
    label: 'generic-pool of worker threads',
    dispose: async () => {
      await pool.drain();
      await pool.clear();
    },
    // A thread the pool never destroyed is a leak.
    alive: () => threads.some((t) => !t.exited),
  });
  system.observe(
    pool,
    {
      factoryCreateError: (error: Error) => ({ kind: 'pool.factoryCreateError', data: { message: error.message } }),
      factoryDestroyError: (error: Error) => ({ kind: 'pool.factoryDestroyError', data: { message: error.message } }),
    },
    { source: 'generic-pool' },
  );
  return { pool, threads };
}

function echo(thread: Thread, value: unknown): Promise<unknown> {
  thread.worker.postMessage({ echo: value });
  return once(thread.worker, 'message').then(([reply]) => reply);
}

describe('observing generic-pool', () => {
  test('a pooled resource that dies is dropped on borrow and replaced; the test waits for the replacement', async ({ system }) => {
    const { pool } = threadPool(system, { min: 1 });
    await system.until({ kind: 'resource.ready', source: 'thread:1' }, { since: 'start', ...realTime });

    const first = await pool.acquire();
    await expect(echo(first, 'one')).resolves.toMatchObject({ echo: 'one' });
    await pool.release(first);

    // The resource dies while idle in the pool; the pool cannot know.
    first.worker.postMessage({ exit: 3 });
    await system.until({ kind: 'resource.exit', source: 'thread:1', data: { code: 3 } }, realTime);

    // The next borrow validates it, fails to destroy it (already dead), and creates a replacement.
    const borrow = system.history.length;
    const borrowing = pool.acquire();
    const destroyError = await system.until('pool.factoryDestroyError', { since: borrow, ...realTime });
    expect(destroyError).toMatchObject({ source: 'generic-pool', data: { message: 'thread:1 is already dead' } });
    await system.until({ kind: 'resource.ready', source: 'thread:2' }, { since: destroyError.seq, ...realTime });

    const second = await borrowing;
    expect(second.n).toBe(2);
    await expect(echo(second, 'two')).resolves.toMatchObject({ echo: 'two' });
    await pool.release(second);
    expect(system.history.ofKind('pool.factoryCreateError')).toEqual([]);
  });

  test('a resource that fails to start is reported by the pool, which retries until one starts', async ({ system }) => {
    const { pool, threads } = threadPool(system, { min: 0, failStarts: 1 });
    const borrowing = pool.acquire();

    const createError = await system.until('pool.factoryCreateError', realTime);
    expect(createError.data).toEqual({ message: expect.stringMatching(/thread \d+ failed to start/) });
    await system.until({ kind: 'resource.exit', source: 'thread:1', data: { code: 1 } }, { since: 'start', ...realTime });
    await system.until({ kind: 'resource.ready', source: 'thread:2' }, { since: createError.seq, ...realTime });

    const thread = await borrowing;
    expect(thread.n).toBe(2);
    expect(threads).toHaveLength(2);
    await expect(echo(thread, 'up')).resolves.toMatchObject({ echo: 'up' });
    await pool.release(thread);
  });
});
