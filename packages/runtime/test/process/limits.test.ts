import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { QuiesceError, Runtime, SystemLimitError, startDynamicSupervisor, worker } from '@quiesce/runtime';
import { spawnWorkerThread } from '@quiesce/runtime/internal';

describe('watchMailbox', () => {
  test('reports every enqueue and dequeue, then 0 at exit; unwatch stops it', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const p = rt.spawn(() => undefined);
    const seen: number[] = [];
    const unwatch = rt.watchMailbox(p, (n) => seen.push(n));
    for (let i = 0; i < 3; i++) rt.send(p, i);
    await rt.idle();
    expect(seen).toEqual([1, 2, 3, 2, 1, 0]);
    rt.send(p, 'x');
    rt.exit(p, 'kill');
    await rt.idle();
    expect(seen.slice(6)).toEqual([1, 0]);
    unwatch();
    const q = rt.spawn(() => undefined);
    const again: number[] = [];
    const off = rt.watchMailbox(q, (n) => again.push(n));
    off();
    rt.send(q, 1);
    await rt.idle();
    expect(again).toEqual([]);
    expect(rt.watchMailbox(p, () => undefined)).toBeTypeOf('function');
    expect(() => rt.watchMailbox(q, 'no' as never)).toThrow(/watchMailbox\(listener\)/);
    await rt.shutdown();
  });

  test('a watcher that throws is removed and recorded; the send, the delivery and the exit it was told of all go on', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const handled: unknown[] = [];
    const p = rt.spawn((message) => void handled.push(message), { name: 'watched', label: 'watched' });
    const down: unknown[] = [];
    const watcher = rt.spawn((message) => void down.push(message));
    rt.monitor(watcher, p);
    const good: number[] = [];
    rt.watchMailbox(p, () => {
      throw new Error('a bug in the watcher');
    });
    rt.watchMailbox(p, (n) => good.push(n));
    expect(() => rt.send(p, 'first')).not.toThrow();
    await rt.idle();
    expect(handled).toEqual(['first']);
    expect(good).toEqual([1, 0]);
    expect(rt.history.ofKind('runtime.listener_error').map((e) => [e.source, e.data])).toEqual([
      ['watched', { listener: 'watchMailbox', pid: p.toString(), error: { error: 'Error', message: 'a bug in the watcher' } }],
    ]);
    // Removed: it is not called again, so it records nothing more.
    rt.send(p, 'second');
    await rt.idle();
    expect(rt.history.ofKind('runtime.listener_error')).toHaveLength(1);

    // A watcher that throws at the exit: the exit still completes (name freed, monitors told, event recorded).
    rt.watchMailbox(p, () => {
      throw new Error('again');
    });
    expect(() => rt.exit(p, 'shutdown')).not.toThrow();
    await rt.idle();
    expect(rt.isAlive(p)).toBe(false);
    expect(rt.whereis('watched')).toBeUndefined();
    expect(down).toEqual([expect.objectContaining({ type: 'DOWN', pid: p, reason: 'shutdown' })]);
    expect(rt.history.ofKind('process.exit').filter((e) => e.data.pid === p.toString())).toHaveLength(1);
    expect(rt.history.ofKind('runtime.listener_error')).toHaveLength(2);
    await expect(rt.shutdown()).resolves.toBeUndefined();
  });
});

describe('limitProcesses', () => {
  test('a spawn at the cap throws system_limit and records it; lifting the cap lets spawns through', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    rt.spawn(() => undefined);
    expect(rt.processCount).toBe(1);
    expect(rt.limitProcesses(2)).toBeUndefined();
    expect(rt.processLimit).toBe(2);
    rt.spawn(() => undefined);
    expect(() => rt.spawn(() => undefined, { label: 'third' })).toThrow(SystemLimitError);
    expect(rt.history.ofKind('process.system_limit').map((e) => [e.source, e.data])).toEqual([['third', { limit: 2, live: 2 }]]);
    expect(rt.limitProcesses(undefined)).toBe(2);
    rt.spawn(() => undefined);
    expect(rt.processCount).toBe(3);
    await rt.shutdown();
    expect(rt.processCount).toBe(0);
  });

  test('a process that exits makes room', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const p = rt.spawn(() => undefined);
    rt.limitProcesses(1);
    rt.exit(p, 'kill');
    await rt.idle();
    expect(() => rt.spawn(() => undefined)).not.toThrow();
    await rt.shutdown();
  });

  test('refuses a limit that is not an integer >= 0', () => {
    const rt = new Runtime({ clock: 'virtual' });
    fc.assert(
      fc.property(fc.anything(), (limit) => {
        if (limit === undefined || (Number.isSafeInteger(limit) && (limit as number) >= 0)) rt.limitProcesses(limit as number);
        else expect(() => rt.limitProcesses(limit as number)).toThrow(QuiesceError);
      }),
    );
  });
});

describe("a dynamic supervisor's setMaxChildren", () => {
  test('a lowered limit refuses new children (recorded); raising it again lets them start', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const dyn = await startDynamicSupervisor(rt, { label: 'pool' });
    const idle = worker('w', (ctx) => ctx.spawn(() => undefined));
    await dyn.startChild(idle);
    expect(dyn.setMaxChildren(1)).toBe(Number.POSITIVE_INFINITY);
    await expect(dyn.startChild(idle)).rejects.toMatchObject({ code: 'MAX_CHILDREN' });
    expect(rt.history.ofKind('supervisor.max_children').map((e) => e.data)).toEqual([{ maxChildren: 1, children: 1 }]);
    dyn.setMaxChildren(Number.POSITIVE_INFINITY);
    await dyn.startChild(idle);
    expect(dyn.children()).toHaveLength(2);
    expect(() => dyn.setMaxChildren(-1)).toThrow(/setMaxChildren\(max\): got -1/);
    await rt.shutdown();
  });
});

describe("a worker thread's resourceLimits", () => {
  test('are checked: known limits, positive MB', () => {
    const rt = new Runtime({ clock: 'virtual' });
    const url = 'data:text/javascript,';
    expect(() => spawnWorkerThread(rt, { url, resourceLimits: { maxOldGenerationSizeMb: 0 } })).toThrow(
      /resourceLimits\.maxOldGenerationSizeMb: got 0; expected a positive number of MB/,
    );
    expect(() => spawnWorkerThread(rt, { url, resourceLimits: { heapMb: 3 } as never })).toThrow(/resourceLimits\.heapMb: got 3; expected no such limit/);
    expect(() => spawnWorkerThread(rt, { url, resourceLimits: 16 as never })).toThrow(/resourceLimits: got 16/);
  });
});
