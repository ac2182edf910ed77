// The runnable version of docs/runtime.md's examples. Runs with `npm test`.
import {
  DuplicateRegistry,
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
  workerThread,
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

test('a registry with duplicate keys: subscribers of a topic, a dispatch to all of them, cleanup on exit', async () => {
  const rt = new Runtime({ clock: 'virtual' });
  const topics = new DuplicateRegistry<{ gpu: string }>(rt, 'pod-events');
  const seen: string[] = [];
  const subscriber = (name: string) => rt.spawn((event) => void seen.push(`${name} got ${String(event)}`));
  const [alice, bob] = [subscriber('alice'), subscriber('bob')];
  topics.register('pod.ready', alice, { gpu: 'h100' });
  topics.register('pod.ready', bob, { gpu: 'a100' });

  // Publish: one call hands every subscriber of the key to the callback.
  topics.dispatch('pod.ready', (entries) => {
    for (const { pid } of entries) rt.send(pid, 'pod-1');
  });
  await rt.idle();
  expect(seen.sort()).toEqual(['alice got pod-1', 'bob got pod-1']);
  expect(topics.match('pod.ready', { gpu: 'h100' }).map((e) => e.pid)).toEqual([alice]);

  // A subscriber that exits leaves the registry.
  rt.exit(bob, 'kill');
  await rt.idle();
  expect(topics.lookup('pod.ready').map((e) => e.pid)).toEqual([alice]);
  expect(topics.count()).toBe(1);
  await rt.shutdown();
});

test('invalid specs are rejected before anything starts', async () => {
  const rt = new Runtime({ clock: 'virtual' });
  const bad = supervisor({ id: 'pool', children: [worker('w', startWorker, { restart: 'permanent', significant: true })], autoShutdown: 'any_significant' });
  await expect(startSupervisor(rt, bad)).rejects.toThrow(QuiesceError);
  await expect(startSupervisor(rt, bad)).rejects.toThrow(/significant: got true; expected false for a 'permanent' child/);
  expect(rt.processes()).toEqual([]);
});

test('a misspelt option is an error where it is written, naming the closest accepted key', () => {
  expect(() => supervisor({ id: 'pool', intensty: 5, children: [] } as never)).toThrow(
    /supervisor\.intensty: got 5; no such option, did you mean 'intensity'\?/,
  );
});

test('a worker thread child from a file: URL', async () => {
  const rt = new Runtime({ clock: 'virtual' });
  const hasher = workerThread('hasher', { filename: new URL('./fixtures/hasher.mjs', import.meta.url), ready: (m) => m === 'ready' });
  const pool = await startSupervisor(rt, supervisor({ id: 'workers', children: [hasher] }));
  expect(rt.history.ofKind('thread.ready')).toHaveLength(1);
  await pool.stop();
  expect(rt.history.ofKind('thread.exit')).toMatchObject([{ source: 'workers/hasher', data: { code: 0 } }]);
});
