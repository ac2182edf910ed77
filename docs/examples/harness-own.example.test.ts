// The runnable version of docs/harness.md's section on `system.own`: a third-party pool the test
// starts, handed to the system to dispose of at teardown and to check for leaks. Runs with `npm test`.
import { Piscina } from 'piscina';
import { createTestSystem, expect, LeakError, test, type TestSystem } from '@quiesce/harness';

const multiply = new URL('./fixtures/multiply.mjs', import.meta.url).href;

/** A pool owned by `system`: destroyed at teardown, and a leak if a thread is still up after that. */
function ownedPool(system: TestSystem): Piscina {
  const pool = new Piscina({ filename: multiply, minThreads: 1, maxThreads: 2 });
  system.own({
    kind: 'pool',
    label: 'piscina (multiply.mjs)',
    dispose: () => pool.destroy(), // at teardown, newest first; destroy() may be called twice
    alive: () => pool.threads.length > 0, // asked after dispose: true is a leak
  });
  return pool;
}

test('a third-party pool, owned by the test', async ({ system }) => {
  const pool = ownedPool(system);
  expect(await pool.run({ a: 6, b: 7 })).toBe(42);
  // Before teardown, the dry run lists what would outlive the test if it ended now.
  expect(system.leftovers()).toContainEqual(expect.objectContaining({ kind: 'pool', label: 'piscina (multiply.mjs)' }));
});

test('teardown disposes it; a resource still alive after dispose fails the test as a leak', async () => {
  const system = createTestSystem({ testId: 'docs-own' });
  const pool = ownedPool(system);
  await pool.run({ a: 2, b: 3 });
  await system.teardown();
  expect(pool.threads).toHaveLength(0);

  // A dispose that forgets to stop the threads: teardown names the leak and the line that owned it.
  const careless = createTestSystem({ testId: 'docs-own-leak' });
  const leaky = new Piscina({ filename: multiply, minThreads: 1, maxThreads: 1 });
  careless.own({ kind: 'pool', label: 'leaky piscina', dispose: () => undefined, alive: () => leaky.threads.length > 0 });
  try {
    await expect(careless.teardown()).rejects.toThrow(LeakError);
    await expect(careless.teardown()).rejects.toThrow(/pool leaky piscina, created at .*harness-own\.example\.test\.ts/);
  } finally {
    await leaky.destroy();
  }
});
