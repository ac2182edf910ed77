// The runnable version of docs/assertions.md's examples. Runs with `npm test`.
import { atMostRestarts, sometimes, sweep } from '@quiesce/assertions';
import { createTestSystem, expect, test } from '@quiesce/harness';
import { supervisor, worker, type StartFn } from '@quiesce/runtime';

const start: StartFn = (ctx) =>
  ctx.spawn((msg) => {
    if (msg === 'crash') throw new Error('boom');
  });

test('a crashed worker is restarted', async ({ system }) => {
  const pool = await system.start(supervisor({ id: 'pool', intensity: 3, children: [worker('w1', start), worker('w2', start)] }));
  expect(pool).toHaveChildren(['w1', 'w2']);

  system.kill(pool.child('w1')!, 'boom');
  await expect(pool).toRestart('w1');
  await expect(pool).not.toRestart('w2');
  expect(pool).toHaveRestarted(1);
  expect(system.history).toSatisfy(atMostRestarts(3).within('5s'));
});

test('the inbox, convergence and a stop order', async ({ system, inbox }) => {
  const pool = await system.start(supervisor({ id: 'pool', strategy: 'one_for_all', intensity: 5, children: [worker('a', start), worker('b', start), worker('c', start)] }));
  system.send(pool.child('b')!, 'crash');
  await expect(pool).toConverge({ within: '10s' });
  expect(pool).toHaveTerminatedInOrder(['c', 'a']);
  system.send(inbox.pid, { type: 'ready' });
  await expect(inbox).toReceive({ type: 'ready' });
  await expect(inbox).not.toReceive({ type: 'error' });
});

test('a sweep of seeds must reach every declared path', async () => {
  const report = await sweep(8, async (seed) => {
    const system = createTestSystem({ seed, testId: 'docs-sweep', trapExits: true });
    const pool = await system.start(supervisor({ id: 'pool', intensity: 1, children: [worker('w1', start)] }));
    // The seed decides how many crashes hit the worker: sometimes enough to exceed the intensity.
    const crashes = 1 + system.random.int(2);
    for (let i = 0; i < crashes && pool.isAlive(); i++) {
      system.send(pool.child('w1')!, 'crash');
      await system.settle();
    }
    return system;
  }, [sometimes('the pool gave up', (h) => h.ofKind('supervisor.intensity').length > 0), atMostRestarts(1).within('5s')]);
  expect(report).toBeDefined();
});
