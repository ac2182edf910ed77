// The runnable version of docs/events.md's examples. Runs with `npm test`.
import { expect, test } from '@quiesce/harness';
import { isKind, supervisor, worker, type StartFn } from '@quiesce/runtime';

// A project's own kinds, declared once: recorded and read like the runtime's, checked the same way.
declare module '@quiesce/runtime' {
  interface QuiesceEvents {
    /**
     * An order was placed.
     * @writer the shop
     */
    'order.placed': { orderId: string; total: number };
  }
}

const startWorker: StartFn = (ctx) =>
  ctx.spawn((msg) => {
    if (msg === 'crash') throw new Error('boom');
  });

test("the runtime's events are typed: a restart's data is { id, pid }", async ({ system }) => {
  const pool = await system.start(supervisor({ id: 'pool', children: [worker('w1', startWorker)] }));
  system.send(pool.child('w1')!, 'crash');
  const restart = await system.until({ kind: 'child.restart', data: { id: 'w1' } });
  expect(restart.data.pid).toBe(String(pool.child('w1')));
  expect(system.history.ofKind('child.exit').map((e) => e.data.restart)).toEqual(['permanent']);
  expect(system.history.events.filter((e) => isKind(e, 'child.start', 'child.restart')).map((e) => e.data.id)).toEqual(['w1', 'w1']);
});

test('a declared kind of your own is checked like ours', async ({ system }) => {
  system.record('order.placed', 'shop', { orderId: 'o-1', total: 12 });
  const [placed] = system.history.ofKind('order.placed');
  expect(placed?.data.total).toBe(12);
});

test('a custom kind, outside the declared namespaces, takes any data', async ({ system }) => {
  const marked = system.until('test.marker', { since: 'start' });
  system.record('test.marker', 'test', { step: 1 });
  expect((await marked).data).toEqual({ step: 1 });
});
