// The runnable version of docs/assertions.md's examples. Runs with `npm test`.
import { atMostRestarts, sometimes, sweep } from '@quiesce/assertions';
import { createTestSystem, expect, test } from '@quiesce/harness';
import { Readable } from 'node:stream';
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
  const pool = await system.start(
    supervisor({ id: 'pool', strategy: 'one_for_all', intensity: 5, children: [worker('a', start), worker('b', start), worker('c', start)] }),
  );
  system.send(pool.child('b')!, 'crash');
  await expect(pool).toConverge({ within: '10s' });
  expect(pool).toHaveTerminatedInOrder(['c', 'a']);
  system.send(inbox.pid, { type: 'ready' });
  await expect(inbox).toReceive({ type: 'ready' });
  await expect(inbox).not.toReceive({ type: 'error' });
});

test('a sweep of seeds must reach every declared path', async () => {
  const report = await sweep(
    8,
    async (seed) => {
      const system = createTestSystem({ seed, testId: 'docs-sweep', trapExits: true });
      const pool = await system.start(supervisor({ id: 'pool', intensity: 1, children: [worker('w1', start)] }));
      // The seed decides how many crashes hit the worker: sometimes enough to exceed the intensity.
      const crashes = 1 + system.random.int(2);
      for (let i = 0; i < crashes && pool.isAlive(); i++) {
        system.send(pool.child('w1')!, 'crash');
        await system.settle();
      }
      return system;
    },
    [sometimes('the pool gave up', (h) => h.ofKind('supervisor.intensity').length > 0), atMostRestarts(1).within('5s')],
  );
  expect(report).toBeDefined();
});

test('a stream yields these chunks in this order, then ends', async ({ system, inbox }) => {
  // A producer on the runtime that takes a virtual second per token.
  const tokens = new Readable({ objectMode: true, read: () => undefined });
  system.runtime.spawn(
    async (_msg, ctx) => {
      for (const token of ['Hello', ',', ' world']) {
        await ctx.sleep(1000);
        tokens.push(token);
      }
      tokens.push(null);
    },
    { init: (ctx) => ctx.send(ctx.self, 'go') },
  );
  await expect(tokens).toYield(['Hello', ',', ' world'], { system });
  expect(system.now()).toBe(3000);

  // The same from messages to the inbox: chunks of one stream ref, then its end message.
  system.runtime.spawn(
    (_msg, ctx) => {
      for (const data of ['a', 'b']) ctx.send(inbox.pid, { type: 'chunk', ref: 7, data });
      ctx.send(inbox.pid, { type: 'end', ref: 7 });
    },
    { init: (ctx) => ctx.send(ctx.self, 'go') },
  );
  await expect(inbox).toYield([{ data: 'a' }, { data: 'b' }], { select: { ref: 7 }, until: { type: 'end', ref: 7 } });
});
