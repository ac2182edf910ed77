import { tmpdir } from 'node:os';
import { expect, test } from 'vitest';
import { QuiesceError, type VirtualClock, isExitMessage, osProcess, startSupervisor, supervisor, type ExitMessage } from '@quiesce/runtime';
import { osExitReason, spawnOsProcess } from '@quiesce/runtime/internal';
import { exitOf, fixture, isDead, nextEvent, node, ofKind, osPidOf, rejection, world } from './support.js';

// Every OS process here is real. Waits are on history events or on a proxy's exit; the only real
// time in these tests is the 200 ms shutdown timeout given to a program that ignores SIGTERM.

test('the start resolves once a stdout line matches ready; the history has os.spawn then os.ready', async () => {
  const rt = world();
  const opts = node('os-ready.mjs', 'loading', 'still loading');
  const pid = await spawnOsProcess(rt, { ...opts, ready: /^ready$/ }, { label: 'web' });

  expect(rt.isAlive(pid)).toBe(true);
  const spawn = rt.history.find(ofKind('os.spawn'))!;
  expect(spawn.source).toBe('web');
  expect(spawn.data).toEqual({ command: process.execPath, args: opts.args, pid: expect.any(Number) });
  const ready = rt.history.find(ofKind('os.ready'))!;
  expect(ready.data).toEqual({ pid: osPidOf(spawn), line: 'ready' });
  expect(ready.seq).toBeGreaterThan(spawn.seq);
  expect(rt.history.ofKind('os.stdout')).toEqual([]); // lines are recorded only when asked for
  expect(isDead(osPidOf(spawn))).toBe(false);
});

test('stdoutLines records every line in order; a function works as ready', async () => {
  const rt = world();
  const seen: string[] = [];
  await spawnOsProcess(rt, {
    ...node('os-ready.mjs', 'one', 'two'),
    stdoutLines: true,
    ready: (line) => {
      seen.push(line);
      return line === 'ready';
    },
  });
  expect(seen).toEqual(['one', 'two', 'ready']);
  expect(rt.history.ofKind('os.stdout').map((e) => (e.data as { line: string }).line)).toEqual(['one', 'two', 'ready']);
  expect(rt.history.find(ofKind('os.ready'))!.seq).toBeGreaterThan(rt.history.ofKind('os.stdout')[2]!.seq);
});

test('without ready the start resolves as soon as the program runs, with the default label os:<basename>', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, node('os-ready.mjs'));
  expect(rt.label(pid)).toBe('os:node');
  expect(rt.history.find(ofKind('os.spawn'))!.source).toBe('os:node');
  expect(rt.history.ofKind('os.ready')).toEqual([]);
});

test('exit code 0 → normal, code n → { exit_code: n }, a signal → { signal }', async () => {
  const rt = world();
  const ok = await spawnOsProcess(rt, { ...node('os-exit.mjs', '0', 'ready'), ready: /ready/ });
  expect(await exitOf(rt, ok)).toBe('normal');
  const crashed = await spawnOsProcess(rt, { ...node('os-exit.mjs', '3', 'ready'), ready: /ready/ });
  expect(await exitOf(rt, crashed)).toEqual({ exit_code: 3 });

  const signalled = await spawnOsProcess(rt, node('os-ready.mjs'), { label: 'victim' });
  const osPid = osPidOf(rt.history.find(ofKind('os.spawn', 'victim'))!);
  process.kill(osPid, 'SIGKILL');
  expect(await exitOf(rt, signalled)).toEqual({ signal: 'SIGKILL' });
  expect(rt.history.find(ofKind('os.exit', 'victim'))!.data).toEqual({ pid: osPid, code: null, signal: 'SIGKILL' });
  expect(isDead(osPid)).toBe(true);

  expect(osExitReason(0, null)).toBe('normal');
  expect(osExitReason(2, null)).toEqual({ exit_code: 2 });
  expect(osExitReason(null, 'SIGTERM')).toEqual({ signal: 'SIGTERM' });
});

test('os.exit comes after the last stdout line and before the proxy exits', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, { ...node('os-exit.mjs', '0', 'ready', 'last words'), ready: /ready/, stdoutLines: true });
  await exitOf(rt, pid);
  const kinds = rt.history.events
    .filter((e) => e.kind.startsWith('os.') || e.kind === 'process.exit')
    .map((e) => `${e.kind} ${(e.data as { line?: string }).line ?? ''}`.trim());
  expect(kinds).toEqual(['os.spawn', 'os.stdout ready', 'os.ready ready', 'os.stdout last words', 'os.exit', 'process.exit']);
});

test('lines end at \\n or \\r\\n, and a last line without a newline still counts (here as the ready line)', async () => {
  const rt = world();
  const script = 'process.stdout.write("one\\r\\ntwo\\n"); process.stdout.write("up")';
  const pid = await spawnOsProcess(rt, { command: process.execPath, args: ['-e', script], ready: /^up$/, stdoutLines: true });
  expect(rt.history.ofKind('os.stdout').map((e) => (e.data as { line: string }).line)).toEqual(['one', 'two', 'up']);
  expect(await exitOf(rt, pid)).toBe('normal');
});

test('a proxy that dies just as its program becomes ready fails the start', async () => {
  const rt = world();
  const start = rejection(spawnOsProcess(rt, { ...node('os-ready.mjs'), ready: /^ready$/, stdoutLines: true }));
  const proxy = rt.processes()[0]!;
  // os.stdout is recorded before the ready check runs: end the proxy synchronously in between.
  const stop = rt.history.subscribe((e) => {
    if (e.kind === 'os.stdout') rt.exitSelf(proxy, 'gone');
  });
  const error = (await start) as QuiesceError;
  stop();
  expect(error.code).toBe('START_FAILED');
  expect(error.message).toContain('exited with gone before it was ready');
  expect(rt.history.ofKind('os.ready')).toEqual([]);
  expect(isDead(osPidOf(rt.history.find(ofKind('os.exit'))!))).toBe(true);
});

test('a program that exits before it is ready fails the start with SPAWN_FAILED, naming the exit and its stderr', async () => {
  const rt = world();
  const error = await rejection(spawnOsProcess(rt, { ...node('os-exit.mjs', '3'), ready: /ready/ }));
  expect(error).toBeInstanceOf(QuiesceError);
  expect((error as QuiesceError).code).toBe('SPAWN_FAILED');
  expect((error as Error).message).toMatch(/exited with .*"exit_code":3.* before it was ready.*fatal: exiting with 3/);
  expect((error as QuiesceError).details).toMatchObject({ reason: { exit_code: 3 } });
  const exit = rt.history.find(ofKind('os.exit'))!;
  expect(exit.data).toMatchObject({ code: 3, signal: null });
  expect(isDead(osPidOf(exit))).toBe(true);
  expect(rt.processes()).toEqual([]); // no proxy is left behind
  expect(rt.history.ofKind('os.ready')).toEqual([]);
});

test('a program that cannot be found fails the start with SPAWN_FAILED (ENOENT) and leaves nothing', async () => {
  const rt = world();
  const error = await rejection(spawnOsProcess(rt, { command: 'quiesce-no-such-program-4242' }));
  expect((error as QuiesceError).code).toBe('SPAWN_FAILED');
  expect((error as QuiesceError).details).toMatchObject({ command: 'quiesce-no-such-program-4242', errno: 'ENOENT' });
  expect((error as Error).message).toContain('ENOENT');
  expect(rt.history.ofKind('os.spawn')).toEqual([]);
  expect(rt.processes()).toEqual([]);
});

test('a missing working directory is a spawn failure too', async () => {
  const rt = world();
  const error = await rejection(spawnOsProcess(rt, { ...node('os-ready.mjs'), cwd: fixture('no-such-dir') }));
  expect((error as QuiesceError).details).toMatchObject({ errno: 'ENOENT' });
});

test('cwd and env are passed to the program (env replaces the environment)', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, { ...node('os-env.mjs'), cwd: tmpdir(), env: { QUIESCE_FIXTURE: 'yes' }, stdoutLines: true });
  await exitOf(rt, pid);
  expect(rt.history.ofKind('os.stdout').map((e) => (e.data as { line: string }).line)).toEqual([`cwd=${tmpdir()}`, 'env=yes']);
});

test('readyTimeout fails the start with READY_TIMEOUT on the kernel clock and kills the program', async () => {
  const rt = world();
  const start = spawnOsProcess(rt, { ...node('os-ready.mjs'), ready: /^listening/, readyTimeout: 1000 });
  const spawned = await nextEvent(rt, ofKind('os.spawn'));
  // The start is external, so the system is never idle meanwhile: move the virtual clock by hand.
  expect((rt.clock as VirtualClock).advanceSync(999)).toBe(0);
  expect((rt.clock as VirtualClock).advanceSync(1)).toBe(1);
  const error = await rejection(start);
  expect((error as QuiesceError).code).toBe('READY_TIMEOUT');
  expect((error as Error).message).toContain('was not ready within 1000 ms');
  expect(rt.history.find(ofKind('os.exit'))!.data).toMatchObject({ signal: 'SIGKILL' });
  expect(isDead(osPidOf(spawned))).toBe(true);
  expect(rt.processes()).toEqual([]);
  expect(rt.clock.pendingTimers()).toBe(0);
});

test('a READY_TIMEOUT names the ready pattern and the last line the program printed: a pattern that does not match is the usual cause', async () => {
  const rt = world();
  const start = spawnOsProcess(rt, { ...node('os-ready.mjs', 'starting up'), ready: /^listening/, readyTimeout: 1000, stdoutLines: true });
  // Its `ready` line is out before the clock moves, so the error can name it.
  await nextEvent(rt, (e) => e.kind === 'os.stdout' && (e.data as { line: string }).line === 'ready');
  (rt.clock as VirtualClock).advanceSync(1000);
  const error = await rejection(start);
  expect((error as QuiesceError).code).toBe('READY_TIMEOUT');
  expect((error as Error).message).toContain(
    'was not ready within 1000 ms (readyTimeout): no stdout line matching /^listening/; its last stdout line was "ready"; it was stopped',
  );
});

test('a virtual clock does not advance while a start is in flight', async () => {
  const rt = world();
  const start = spawnOsProcess(rt, { ...node('os-ready.mjs'), ready: /ready/, readyTimeout: 1000 });
  const advanced = rt.advance(10_000); // waits for durable idleness, which the start prevents
  const pid = await start;
  await advanced;
  expect(rt.history.find(ofKind('os.ready'))!.time).toBe(0);
  expect(rt.now()).toBe(10_000);
  expect(rt.isAlive(pid)).toBe(true);
});

test('the exit signal shutdown sends SIGTERM; the proxy exits with shutdown once the program has exited', async () => {
  const rt = world();
  // With ready, the start completes after the program has installed its SIGTERM handler.
  const pid = await spawnOsProcess(rt, { ...node('os-ready.mjs'), ready: /^ready$/, stdoutLines: true });
  rt.exit(pid, 'shutdown');
  expect(await exitOf(rt, pid)).toBe('shutdown');
  const lines = rt.history.ofKind('os.stdout').map((e) => (e.data as { line: string }).line);
  expect(lines).toEqual(['ready', 'bye']);
  const exit = rt.history.find(ofKind('os.exit'))!;
  expect(exit.data).toMatchObject({ code: 0, signal: null });
  expect(exit.seq).toBeLessThan(rt.history.find((e) => e.kind === 'process.exit' && (e.data as { pid: string }).pid === pid.toString())!.seq);
  expect(isDead(osPidOf(exit))).toBe(true);
});

test('{ shutdown: term } is a graceful stop too, and the proxy exits with that reason', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, node('os-ready.mjs'));
  rt.exit(pid, { shutdown: 'rolling' });
  rt.exit(pid, 'shutdown'); // a second stop request while stopping changes nothing
  expect(await exitOf(rt, pid)).toEqual({ shutdown: 'rolling' });
});

test('a normal exit signal is ignored and messages to the proxy go nowhere', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, node('os-ready.mjs'));
  rt.exit(pid, 'normal');
  rt.send(pid, 'hello');
  await rt.sync(pid);
  expect(rt.isAlive(pid)).toBe(true);
});

test('an abnormal exit signal kills the group at once and the proxy exits with that reason', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, node('os-ready.mjs'));
  rt.exit(pid, 'boom');
  expect(await exitOf(rt, pid)).toBe('boom');
  const exit = await nextEvent(rt, ofKind('os.exit'), 0);
  expect(exit.data).toMatchObject({ signal: 'SIGKILL' });
  expect(isDead(osPidOf(exit))).toBe(true);
});

test('kill kills the proxy at once, and its death sends SIGKILL to the group', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, { ...node('os-ignore-term.mjs'), ready: /^ready$/ });
  rt.exit(pid, 'kill');
  expect(await exitOf(rt, pid)).toBe('killed');
  const exit = await nextEvent(rt, ofKind('os.exit'), 0);
  expect(exit.data).toMatchObject({ code: null, signal: 'SIGKILL' });
  expect(isDead(osPidOf(exit))).toBe(true);
});

test('shutting the runtime down kills its OS processes', async () => {
  const rt = world();
  await spawnOsProcess(rt, node('os-ignore-term.mjs'));
  await rt.shutdown();
  const exit = await nextEvent(rt, ofKind('os.exit'), 0);
  expect(exit.data).toMatchObject({ signal: 'SIGKILL' });
  expect(isDead(osPidOf(exit))).toBe(true);
});

test('a proxy killed during the start fails the start and the program dies', async () => {
  const rt = world();
  const failed = rejection(spawnOsProcess(rt, { ...node('os-ready.mjs'), ready: /^listening/ }));
  const spawned = await nextEvent(rt, ofKind('os.spawn'));
  await rt.shutdown(); // waits for the start to end: it is an external operation
  const error = await failed;
  expect((error as QuiesceError).code).toBe('START_FAILED');
  expect((error as Error).message).toMatch(/exited with killed before it was ready/);
  expect(isDead(osPidOf(spawned))).toBe(true);
});

test('a shutdown during the start stops the program and fails the start', async () => {
  const rt = world();
  const start = spawnOsProcess(rt, { ...node('os-ready.mjs'), ready: /^listening/ });
  const proxy = rt.processes()[0]!;
  await nextEvent(rt, ofKind('os.spawn'));
  rt.exit(proxy, 'shutdown');
  const error = await rejection(start);
  expect((error as QuiesceError).code).toBe('SPAWN_FAILED');
  // Before its SIGTERM handler is installed os-ready dies of the signal; after, it exits 0.
  expect((error as Error).message).toMatch(/exited with .+ before it was ready/);
});

test('a ready check that throws fails the start and kills the program', async () => {
  const rt = world();
  const error = await rejection(
    spawnOsProcess(rt, {
      ...node('os-ready.mjs'),
      ready: () => {
        throw new Error('bad check');
      },
    }),
  );
  expect((error as QuiesceError).code).toBe('START_FAILED');
  expect((error as Error).message).toContain('its ready check threw Error: bad check');
  expect(isDead(osPidOf(rt.history.find(ofKind('os.exit'))!))).toBe(true);
});

test('link: the linked process gets the proxy exit signal when the program exits', async () => {
  const rt = world();
  const got: ExitMessage[] = [];
  const watcher = rt.spawn((m) => void (isExitMessage(m) && got.push(m)), { trapExit: true });
  const pid = await spawnOsProcess(rt, { ...node('os-exit.mjs', '4', 'ready'), ready: /ready/ }, { link: watcher });
  await exitOf(rt, pid);
  await rt.sync(watcher);
  expect(got).toEqual([{ type: 'EXIT', from: pid, reason: { exit_code: 4 } }]);
});

test('linking to a process that is already dead ends the proxy with noproc and kills the program', async () => {
  const rt = world();
  const dead = rt.spawn(() => undefined);
  rt.exit(dead, 'kill');
  await exitOf(rt, dead);
  const pid = await spawnOsProcess(rt, node('os-ready.mjs'), { link: dead });
  expect(await exitOf(rt, pid)).toBe('noproc');
  const exit = await nextEvent(rt, ofKind('os.exit'), 0);
  expect(isDead(osPidOf(exit))).toBe(true);
});

// ---------------------------------------------------------------- process groups

async function grandchildReady(rt: ReturnType<typeof world>, source: string): Promise<{ leader: number; grandchild: number }> {
  const ready = await nextEvent(rt, ofKind('os.ready', source), 0);
  const grandchild = Number(/^grandchild (\d+) ready$/.exec((ready.data as { line: string }).line)![1]);
  return { leader: osPidOf(ready), grandchild };
}

test('a graceful stop takes the whole group down, even a grandchild that ignores SIGTERM', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, { ...node('os-grandchild.mjs'), ready: /^grandchild \d+ ready$/ }, { label: 'tree' });
  const { leader, grandchild } = await grandchildReady(rt, 'tree');
  expect(isDead(grandchild)).toBe(false);
  rt.exit(pid, 'shutdown');
  expect(await exitOf(rt, pid)).toBe('shutdown');
  expect(rt.history.find(ofKind('os.exit', 'tree'))!.data).toMatchObject({ signal: 'SIGTERM' });
  expect(isDead(leader)).toBe(true);
  expect(isDead(grandchild)).toBe(true);
});

test('kill takes the whole group down', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, { ...node('os-grandchild.mjs'), ready: /^grandchild \d+ ready$/ }, { label: 'tree' });
  const { leader, grandchild } = await grandchildReady(rt, 'tree');
  rt.exit(pid, 'kill');
  await nextEvent(rt, ofKind('os.exit', 'tree'), 0);
  expect(isDead(leader)).toBe(true);
  expect(isDead(grandchild)).toBe(true);
});

test('when the leader dies on its own, what it left in its group is killed', async () => {
  const rt = world();
  const pid = await spawnOsProcess(rt, { ...node('os-grandchild.mjs'), ready: /^grandchild \d+ ready$/ }, { label: 'tree' });
  const { leader, grandchild } = await grandchildReady(rt, 'tree');
  process.kill(leader, 'SIGKILL'); // the leader only, not the group
  expect(await exitOf(rt, pid)).toEqual({ signal: 'SIGKILL' });
  expect(isDead(grandchild)).toBe(true);
});

// ---------------------------------------------------------------- under a supervisor

test('a supervisor restarts a crashed OS child, which is ready again before the restart is recorded', async () => {
  const rt = world();
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', children: [osProcess('web', { ...node('os-ready.mjs'), ready: /^ready$/ })] }));
  const first = sup.child('web')!;
  const firstOs = osPidOf(rt.history.find(ofKind('os.ready', 'pool/web'))!);
  const restarted = nextEvent(rt, ofKind('child.restart'));
  process.kill(firstOs, 'SIGKILL');
  await restarted;

  expect(rt.exitReason(first)).toEqual({ signal: 'SIGKILL' });
  const second = sup.child('web')!;
  expect(second).not.toBe(first);
  expect(rt.isAlive(second)).toBe(true);
  const readies = rt.history.ofKind('os.ready').filter((e) => e.source === 'pool/web');
  expect(readies).toHaveLength(2);
  expect(osPidOf(readies[1]!)).not.toBe(firstOs);
  expect(isDead(firstOs)).toBe(true);
  expect(rt.history.find((e) => e.kind === 'child.exit')!.data).toMatchObject({ id: 'web', reason: { signal: 'SIGKILL' } });
});

test('a child that keeps crashing exhausts the intensity (virtual time: every crash is at t=0)', async () => {
  const rt = world();
  const sup = await startSupervisor(
    rt,
    supervisor({ id: 'pool', intensity: 2, period: 5, children: [osProcess('crasher', { ...node('os-exit.mjs', '3', 'ready'), ready: /ready/ })] }),
  );
  expect(await exitOf(rt, sup.pid)).toBe('shutdown');
  expect(rt.history.ofKind('child.restart')).toHaveLength(2);
  expect(rt.history.ofKind('child.exit').map((e) => (e.data as { reason: unknown }).reason)).toEqual([{ exit_code: 3 }, { exit_code: 3 }, { exit_code: 3 }]);
  expect(rt.history.ofKind('supervisor.intensity')).toHaveLength(1);
  expect(rt.history.ofKind('os.exit')).toHaveLength(3);
});

test('terminateChild stops an OS child gracefully with SIGTERM', async () => {
  const rt = world();
  const sup = await startSupervisor(
    rt,
    supervisor({ id: 'pool', children: [osProcess('web', { ...node('os-ready.mjs'), ready: /^ready$/, stdoutLines: true })] }),
  );
  await sup.terminateChild('web');
  expect(rt.history.find(ofKind('child.terminate'))!.data).toMatchObject({ id: 'web', reason: 'shutdown' });
  expect(rt.history.ofKind('os.stdout').map((e) => (e.data as { line: string }).line)).toContain('bye');
  const exit = rt.history.find(ofKind('os.exit'))!;
  expect(exit.data).toMatchObject({ code: 0 });
  expect(isDead(osPidOf(exit))).toBe(true);
});

test('on a virtual clock the shutdown timeout does not run while a graceful stop is in flight', async () => {
  const rt = world();
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', children: [osProcess('web', { ...node('os-ready.mjs'), shutdown: 1000 })] }));
  const terminated = sup.terminateChild('web');
  await rt.advance(60_000);
  await terminated;
  expect(rt.history.find(ofKind('child.terminate'))!.data).toMatchObject({ reason: 'shutdown' });
});

test('a program that ignores SIGTERM is killed when the shutdown timeout runs out', async () => {
  // A real clock: the 200 ms is the supervisor's shutdown timeout, not a wait in the test.
  const rt = world('real');
  const sup = await startSupervisor(
    rt,
    supervisor({ id: 'pool', children: [osProcess('stubborn', { ...node('os-ignore-term.mjs'), ready: /^ready$/, shutdown: 200 })] }),
  );
  await sup.terminateChild('stubborn');
  expect(rt.history.find(ofKind('child.terminate'))!.data).toMatchObject({ id: 'stubborn', reason: 'killed' });
  const exit = await nextEvent(rt, ofKind('os.exit'), 0);
  expect(exit.data).toMatchObject({ code: null, signal: 'SIGKILL' });
  expect(isDead(osPidOf(exit))).toBe(true);
});

test('brutal_kill sends SIGKILL to the group', async () => {
  const rt = world();
  const sup = await startSupervisor(rt, supervisor({ id: 'pool', children: [osProcess('web', { ...node('os-ready.mjs'), shutdown: 'brutal_kill' })] }));
  await sup.stop();
  const exit = await nextEvent(rt, ofKind('os.exit'), 0);
  expect(exit.data).toMatchObject({ signal: 'SIGKILL' });
  expect(isDead(osPidOf(exit))).toBe(true);
});

test('an OS child that cannot start fails the supervisor start with its SPAWN_FAILED reason', async () => {
  const rt = world();
  const error = await rejection(startSupervisor(rt, supervisor({ id: 'pool', children: [osProcess('ghost', { command: 'quiesce-no-such-program-4242' })] })));
  expect((error as QuiesceError).code).toBe('START_FAILED');
  const failed = rt.history.find(ofKind('child.start_failed'))!;
  expect(failed.data).toMatchObject({ id: 'ghost', reason: { error: 'QuiesceError', message: expect.stringContaining('ENOENT') } });
  expect(rt.processes()).toEqual([]);
});

test('osProcess passes restart, shutdown and significant through to the spec', () => {
  const spec = osProcess('web', { ...node('os-ready.mjs'), restart: 'transient', shutdown: 'brutal_kill', significant: true });
  expect(spec).toMatchObject({ id: 'web', restart: 'transient', shutdown: 'brutal_kill', significant: true });
  expect(Object.keys(osProcess('web', node('os-ready.mjs'))).sort()).toEqual(['id', 'start']);
});
