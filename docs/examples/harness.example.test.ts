// The runnable version of docs/harness.md's examples. Runs with `npm test`.
import { createTestSystem, expect, test, type TestSystem } from '@quiesce/harness';
import { supervisor, worker, type Pid, type Runtime, type StartFn } from '@quiesce/runtime';
import { afterEach, beforeEach, describe } from 'vitest';

/** A worker that crashes on 'crash'. */
const startWorker: StartFn = (ctx) =>
  ctx.spawn((msg) => {
    if (msg === 'crash') throw new Error('boom');
  });

test('a crashed worker is restarted and the pool keeps serving', async ({ system }) => {
  const pool = await system.start(
    supervisor({ id: 'pool', strategy: 'one_for_one', intensity: 3, period: 5, children: [worker('w1', startWorker), worker('w2', startWorker)] }),
  );
  system.kill(pool.child('w1')!, 'boom');
  await system.until({ kind: 'child.restart', data: { id: 'w1' } });
  expect(pool.countChildren().active).toBe(2);
});

test('a 30-second backoff passes in no real time', async ({ system, inbox }) => {
  const poller = system.runtime.spawn(
    (msg, ctx) => {
      if (msg === 'tick') ctx.send(inbox.pid, { type: 'polled', at: ctx.now() });
    },
    { init: (ctx) => void ctx.sendAfter(30_000, 'tick') },
  );
  expect(poller).toBeDefined();
  await expect(inbox.receive({ type: 'polled' }, { timeout: 60_000 })).resolves.toEqual({ type: 'polled', at: 30_000 });
  await inbox.refute({ type: 'error' });
});

test('a wait for something that can never happen fails at once', async ({ system }) => {
  await system.start(supervisor({ id: 'pool', children: [worker('w1', startWorker)] }));
  await expect(system.until('child.restart', { timeout: 60_000 })).rejects.toThrow(/can never happen/);
});

describe('without fixtures', () => {
  let system: TestSystem;
  beforeEach(() => {
    system = createTestSystem({ testId: 'docs-without-fixtures' });
  });
  afterEach(() => system.teardown());

  test('a tree that gives up fails the test unless it traps exits', async () => {
    system.trapExits();
    const pool = await system.start(supervisor({ id: 'pool', intensity: 0, children: [worker('w1', startWorker)] }));
    system.send(pool.child('w1')!, 'crash');
    expect(await system.monitor(pool)).toBe('shutdown');
  });
});

/** Production code built on the runtime: it takes the runtime it runs on (a real clock in production). */
class PodReaper {
  readonly #rt: Runtime;
  constructor(rt: Runtime) {
    this.#rt = rt;
  }
  /** A pod process that exits once it has been idle for `ttlMs`. */
  launch(id: string, ttlMs: number): Pid {
    return this.#rt.spawn(
      (msg, ctx) => {
        if (msg === 'expire') ctx.exit('normal');
      },
      { label: `pod ${id}`, init: (ctx) => void ctx.sendAfter(ttlMs, 'expire') },
    );
  }
}

test('production code on the test runtime: a ten-minute TTL expires in virtual time', async ({ system }) => {
  const reaper = new PodReaper(system.runtime);
  const pod = reaper.launch('p1', 10 * 60_000);
  // Ten virtual minutes may pass, but no more than five real seconds.
  await system.until({ kind: 'process.exit', data: { pid: pod.toString() } }, { timeout: 15 * 60_000, realTimeout: 5_000 });
  expect(system.now()).toBe(10 * 60_000);
});

test('settle() waits for idle, then moves the clock to the next timer', async ({ system, inbox }) => {
  system.runtime.spawn((msg, ctx) => ctx.send(inbox.pid, msg), { init: (ctx) => void ctx.sendAfter(30_000, 'tick') });
  expect(await system.settle()).toBe(30_000);
  expect(inbox.messages).toEqual(['tick']);
  expect(await system.settle()).toBe(0); // no timer left: the clock stays
});

test('a tagged test', { tags: ['slow'] }, async ({ system }) => {
  expect(system.now()).toBe(0);
});
