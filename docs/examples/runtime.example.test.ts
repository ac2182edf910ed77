// The runnable version of docs/runtime.md's examples. Runs with `npm test`.
import {
  NoProcError,
  QuiesceError,
  Registry,
  Runtime,
  serverChild,
  startDynamicSupervisor,
  startServer,
  startSupervisor,
  supervisor,
  worker,
  type ServerBehaviour,
  type StartFn,
} from '@quiesce/runtime';
import { expect, test } from 'vitest';

const startWorker: StartFn = (ctx) =>
  ctx.spawn((msg) => {
    if (msg === 'crash') throw new Error('boom');
  });

test('a supervised pool restarts a crashed worker', async () => {
  const rt = new Runtime({ clock: 'virtual', seed: 1 });
  const pool = await startSupervisor(
    rt,
    supervisor({ id: 'pool', strategy: 'one_for_one', intensity: 3, period: 5, children: [worker('w1', startWorker), worker('w2', startWorker)] }),
  );
  const before = pool.child('w1')!;
  rt.send(before, 'crash');
  await rt.idle();
  expect(pool.child('w1')).toBeDefined();
  expect(pool.child('w1')!.equals(before)).toBe(false);
  expect(rt.history.ofKind('child.restart').map((e) => e.data)).toEqual([{ id: 'w1', pid: pool.child('w1')!.toString() }]);
  await rt.shutdown();
});

const counter: ServerBehaviour<number, number> = {
  init: (start) => ({ state: start }),
  handleCall: (_req, _from, n) => ({ reply: n, state: n }),
  handleCast: (_msg, n) => ({ state: n + 1 }),
};

test('a server: cast, then a barrier, then call', async () => {
  const rt = new Runtime({ clock: 'virtual' });
  const pid = await startServer(rt, counter, 40, { name: 'counter' });
  rt.cast('counter', 'inc');
  rt.cast(pid, 'inc');
  await rt.sync(pid);
  expect(await rt.getState(pid)).toBe(42);
  expect(await rt.call(pid, 'get')).toBe(42);
  await rt.shutdown();
});

test('signal order: a call after a kill from the same sender finds the server dead (OTP: noproc)', async () => {
  const rt = new Runtime({ clock: 'virtual' });
  const pid = await startServer(rt, counter, 0);
  rt.exit(pid, 'kill'); // both travel external -> pid, in this order
  await expect(rt.call(pid, 'get')).rejects.toBeInstanceOf(NoProcError);
  const inbox: unknown[] = [];
  const watcher = rt.spawn((msg, ctx) => {
    if (msg !== 'go') return void inbox.push(msg);
    const victim = ctx.spawn(() => undefined);
    ctx.kill(victim, 'kill');
    ctx.monitor(victim); // arrives after the kill: DOWN noproc
  });
  rt.send(watcher, 'go');
  await rt.idle();
  expect(inbox).toMatchObject([{ type: 'DOWN', reason: 'noproc' }]);
  await rt.shutdown();
});

test('intensity: OTP defaults allow 1 restart in 5 s; the second within the window stops the pool', async () => {
  const rt = new Runtime({ clock: 'virtual' });
  const pool = await startSupervisor(rt, supervisor({ id: 'pool', children: [serverChild('c', counter, 0), worker('w', startWorker)] }));
  rt.send(pool.child('w')!, 'crash');
  await rt.idle();
  expect(pool.isAlive()).toBe(true);
  await rt.advance(4_000);
  rt.send(pool.child('w')!, 'crash');
  await rt.idle();
  expect(pool.isAlive()).toBe(false);
  expect(rt.exitReason(pool.pid)).toBe('shutdown');
  expect(rt.history.ofKind('child.terminate').map((e) => (e.data as { id: string }).id)).toEqual(['c']);
});

test('dynamic supervisor with maxChildren, and a registry', async () => {
  const rt = new Runtime({ clock: 'virtual' });
  const dyn = await startDynamicSupervisor(rt, { maxChildren: 1 });
  const pid = await dyn.startChild({ start: startWorker });
  await expect(dyn.startChild({ start: startWorker })).rejects.toMatchObject({ code: 'MAX_CHILDREN' });
  const registry = new Registry(rt, 'sessions');
  registry.register('session-42', pid!, undefined);
  expect(registry.whereis('session-42')).toBe(pid);
  await dyn.terminateChild(pid!);
  expect(registry.lookup('session-42')).toBeUndefined();
  await rt.shutdown();
});

test('invalid specs are rejected before anything starts', async () => {
  const rt = new Runtime({ clock: 'virtual' });
  const bad = supervisor({ id: 'pool', children: [worker('w', startWorker, { restart: 'permanent', significant: true })], autoShutdown: 'any_significant' });
  await expect(startSupervisor(rt, bad)).rejects.toThrow(QuiesceError);
  await expect(startSupervisor(rt, bad)).rejects.toThrow(/significant: got true; expected false for a 'permanent' child/);
  expect(rt.processes()).toEqual([]);
});
