import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { type QuiesceError, type VirtualClock, WORKER_SHUTDOWN_MESSAGE, startSupervisor, supervisor, workerThread } from '@quiesce/runtime';
import { spawnWorkerThread } from '@quiesce/runtime/internal';
import { exitOf, fixture, inbox, nextEvent, ofKind, rejection, world } from './support.js';

// Real worker threads running the fixtures in ../fixtures. Waits are on history events, on a
// proxy's exit or on a message arriving; the only real time is one 200 ms shutdown timeout.

const isReady = (m: unknown): boolean => (m as { type?: string } | null)?.type === 'ready';
const echo = (extra: object = {}) => ({ filename: fixture('worker-echo.mjs'), ready: isReady, ...extra });

test('the start resolves on the ready message, which is consumed; later messages go to forwardTo', async () => {
  const rt = world();
  const box = inbox(rt);
  const pid = await spawnWorkerThread(rt, echo({ workerData: { n: 7 }, forwardTo: box.pid }), { label: 'w' });

  const spawn = rt.history.find(ofKind('thread.spawn'))!;
  expect(spawn.source).toBe('w');
  expect(spawn.data).toEqual({ file: fixture('worker-echo.mjs'), threadId: expect.any(Number) });
  const ready = rt.history.find(ofKind('thread.ready'))!;
  expect(ready.data).toEqual({ threadId: (spawn.data as { threadId: number }).threadId, message: { type: 'ready', workerData: { n: 7 } } });

  rt.send(pid, { hello: 'there' }); // messages to the proxy are posted to the worker
  // The first forwarded message is the echo: the ready message was not forwarded.
  expect(await box.next()).toEqual({ echo: { hello: 'there' } });
});

test('without ready the start resolves when the worker is online; the default label is thread:<basename>', async () => {
  const rt = world();
  const box = inbox(rt);
  const pid = await spawnWorkerThread(rt, { filename: fixture('worker-echo.mjs'), forwardTo: box.pid });
  expect(rt.label(pid)).toBe('thread:worker-echo.mjs');
  expect(rt.history.ofKind('thread.ready')).toEqual([]);
  expect(await box.next()).toEqual({ type: 'ready', workerData: undefined }); // not consumed: there is no ready
});

test('a file: URL (as a string or a URL) works as well as a filename', async () => {
  const rt = world();
  const href = pathToFileURL(fixture('worker-echo.mjs')).href;
  await spawnWorkerThread(rt, { url: href, ready: isReady });
  await spawnWorkerThread(rt, { url: new URL(href), ready: isReady });
  expect(rt.history.ofKind('thread.ready')).toHaveLength(2);
});

test('filename takes a file: URL as the Worker constructor does (docs/runtime.md writes it that way), under a supervisor too', async () => {
  const rt = world();
  const filename = new URL('../fixtures/worker-echo.mjs', import.meta.url);
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', children: [workerThread('hasher', { filename, ready: isReady })] }));
  const spawn = rt.history.find(ofKind('thread.spawn'))!;
  expect(spawn).toMatchObject({ source: 'pool/hasher', data: { file: fixture('worker-echo.mjs') } });
  await sup.stop();
  // Only file: URLs name a file; a data: URL belongs in `url`.
  expect(() => workerThread('w', { filename: new URL('data:text/javascript,1') })).toThrow(
    /workerThread\("w"\)\.filename: got "data:text\/javascript,1"; expected a path or a file: URL \(for a data: URL use the url option\)/,
  );
});

test('shutdown posts { type: "shutdown" }; the proxy exits with shutdown once the worker has exited', async () => {
  const rt = world();
  const box = inbox(rt);
  const pid = await spawnWorkerThread(rt, echo({ forwardTo: box.pid }));
  rt.exit(pid, 'shutdown');
  expect(await box.next()).toEqual({ type: 'bye' });
  expect(await exitOf(rt, pid)).toBe('shutdown');
  expect(rt.history.find(ofKind('thread.exit'))!.data).toMatchObject({ code: 0 });
  expect(WORKER_SHUTDOWN_MESSAGE).toEqual({ type: 'shutdown' });
});

test('exit code 0 → normal, code n → { exit_code: n }, an uncaught exception → { exit_code: 1 } with its error recorded', async () => {
  const rt = world();
  const normal = await spawnWorkerThread(rt, echo());
  rt.send(normal, { type: 'crash', code: 0 });
  expect(await exitOf(rt, normal)).toBe('normal');

  const crashed = await spawnWorkerThread(rt, echo(), { label: 'crashed' });
  rt.send(crashed, { type: 'crash', code: 3 });
  expect(await exitOf(rt, crashed)).toEqual({ exit_code: 3 });

  const thrown = await spawnWorkerThread(rt, echo(), { label: 'thrown' });
  rt.send(thrown, { type: 'throw' });
  expect(await exitOf(rt, thrown)).toEqual({ exit_code: 1 });
  expect(rt.history.find(ofKind('thread.exit', 'thrown'))!.data).toMatchObject({ code: 1, error: 'Error: boom' });
});

test('kill terminates the worker; so does an abnormal exit signal', async () => {
  const rt = world();
  const a = await spawnWorkerThread(rt, { filename: fixture('worker-ignore-shutdown.mjs'), ready: isReady }, { label: 'a' });
  rt.exit(a, 'kill');
  expect(await exitOf(rt, a)).toBe('killed');
  expect((await nextEvent(rt, ofKind('thread.exit', 'a'), 0)).data).toMatchObject({ code: 1 });

  const b = await spawnWorkerThread(rt, echo(), { label: 'b' });
  rt.exit(b, 'boom');
  expect(await exitOf(rt, b)).toBe('boom');
  await nextEvent(rt, ofKind('thread.exit', 'b'), 0);
});

test('a message the worker cannot receive crashes the proxy, which terminates the worker', async () => {
  const rt = world();
  const pid = await spawnWorkerThread(rt, echo());
  rt.send(pid, { f: () => 1 });
  const reason = await exitOf(rt, pid);
  expect(reason).toBeInstanceOf(Error);
  expect((reason as Error).name).toBe('DataCloneError');
  await nextEvent(rt, ofKind('thread.exit'), 0);
});

test('a missing script fails the start with SPAWN_FAILED (ENOENT) and starts nothing', async () => {
  const rt = world();
  const error = await rejection(spawnWorkerThread(rt, { filename: fixture('no-such-worker.mjs') }));
  expect((error as QuiesceError).code).toBe('SPAWN_FAILED');
  expect((error as QuiesceError).details).toMatchObject({ errno: 'ENOENT' });
  expect(rt.history.ofKind('thread.spawn')).toEqual([]);
  expect(rt.processes()).toEqual([]);
});

test('a worker that exits or throws before it is ready fails the start with SPAWN_FAILED', async () => {
  const rt = world();
  const exited = await rejection(spawnWorkerThread(rt, { url: 'data:text/javascript,process.exit(3)', ready: isReady }));
  expect((exited as QuiesceError).code).toBe('SPAWN_FAILED');
  expect((exited as Error).message).toMatch(/worker thread data: URL exited with .*"exit_code":3.* before it was ready/);
  const threw = await rejection(spawnWorkerThread(rt, { url: 'data:text/javascript,throw new Error("no config")', ready: isReady }));
  expect((threw as Error).message).toContain('Error: no config');
  expect(rt.history.find(ofKind('thread.exit', 'thread:data'))!.data).toMatchObject({ code: 3 });
  expect(rt.processes()).toEqual([]);
});

test('a workerData that cannot be cloned fails the start', async () => {
  const rt = world();
  const error = await rejection(spawnWorkerThread(rt, { filename: fixture('worker-echo.mjs'), workerData: { f: () => 1 } }));
  expect((error as QuiesceError).code).toBe('SPAWN_FAILED');
  expect((error as Error).message).toContain('could not be started');
  expect(rt.processes()).toEqual([]);
});

test('readyTimeout fails the start with READY_TIMEOUT on the kernel clock and terminates the worker', async () => {
  const rt = world();
  const start = spawnWorkerThread(rt, { filename: fixture('worker-echo.mjs'), ready: (m) => (m as { type?: string }).type === 'listening', readyTimeout: 500 });
  const failed = rejection(start);
  await nextEvent(rt, ofKind('thread.spawn'));
  (rt.clock as VirtualClock).advanceSync(500);
  const error = await failed;
  expect((error as QuiesceError).code).toBe('READY_TIMEOUT');
  expect(rt.history.find(ofKind('thread.exit'))!.data).toMatchObject({ code: 1 });
  expect(rt.processes()).toEqual([]);
});

test('a ready check that throws fails the start', async () => {
  const rt = world();
  const error = await rejection(
    spawnWorkerThread(rt, {
      filename: fixture('worker-echo.mjs'),
      ready: () => {
        throw new Error('bad check');
      },
    }),
  );
  expect((error as QuiesceError).code).toBe('START_FAILED');
  expect(rt.processes()).toEqual([]);
});

// ---------------------------------------------------------------- under a supervisor

test('a supervisor restarts a crashed worker thread', async () => {
  const rt = world();
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', children: [workerThread('w', echo())] }));
  const first = sup.child('w')!;
  const restarted = nextEvent(rt, ofKind('child.restart'));
  rt.send(first, { type: 'crash', code: 3 });
  await restarted;
  expect(rt.exitReason(first)).toEqual({ exit_code: 3 });
  expect(rt.isAlive(sup.child('w')!)).toBe(true);
  expect(rt.history.ofKind('thread.ready').map((e) => e.source)).toEqual(['pool/w', 'pool/w']);
});

test('a worker that keeps crashing exhausts the intensity (virtual time)', async () => {
  const rt = world();
  const crasher = workerThread('w', {
    url: 'data:text/javascript,import { parentPort } from "node:worker_threads"; parentPort.postMessage("up"); process.exit(2)',
    ready: (m) => m === 'up',
  });
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', intensity: 1, children: [crasher] }));
  expect(await exitOf(rt, sup.pid)).toBe('shutdown');
  expect(rt.history.ofKind('child.restart')).toHaveLength(1);
  expect(rt.history.ofKind('thread.exit')).toHaveLength(2);
});

test('terminateChild stops a worker gracefully', async () => {
  const rt = world();
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', children: [workerThread('w', echo({ shutdown: 1000 }))] }));
  await sup.terminateChild('w');
  expect(rt.history.find(ofKind('child.terminate'))!.data).toMatchObject({ id: 'w', reason: 'shutdown' });
  expect(rt.history.find(ofKind('thread.exit'))!.data).toMatchObject({ code: 0 });
});

test('a worker that ignores the shutdown message is terminated when the shutdown timeout runs out', async () => {
  // A real clock: the 200 ms is the supervisor's shutdown timeout, not a wait in the test.
  const rt = world('real');
  const stubborn = workerThread('w', { filename: fixture('worker-ignore-shutdown.mjs'), ready: isReady, shutdown: 200 });
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', children: [stubborn] }));
  await sup.terminateChild('w');
  expect(rt.history.find(ofKind('child.terminate'))!.data).toMatchObject({ reason: 'killed' });
  expect((await nextEvent(rt, ofKind('thread.exit'), 0)).data).toMatchObject({ code: 1 });
});

test('brutal_kill terminates the worker', async () => {
  const rt = world();
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', children: [workerThread('w', echo({ shutdown: 'brutal_kill' }))] }));
  await sup.stop();
  expect(rt.history.find(ofKind('child.terminate'))!.data).toMatchObject({ reason: 'killed' });
  await nextEvent(rt, ofKind('thread.exit'), 0);
});

test('a worker that cannot start fails the supervisor start', async () => {
  const rt = world();
  const error = await rejection(startSupervisor(rt, supervisor({ id: 'pool', children: [workerThread('w', { filename: fixture('no-such-worker.mjs') })] })));
  expect((error as QuiesceError).code).toBe('START_FAILED');
  expect(rt.history.find(ofKind('child.start_failed'))!.data).toMatchObject({ id: 'w' });
  expect(rt.processes()).toEqual([]);
});

test('workerThread passes restart, shutdown and significant through to the spec', () => {
  expect(workerThread('w', echo({ restart: 'temporary', shutdown: 10, significant: false }))).toMatchObject({
    id: 'w',
    restart: 'temporary',
    shutdown: 10,
    significant: false,
  });
});
