import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QuiesceError } from '@quiesce/runtime';
import { describe, expect } from 'vitest';
import { createTestSystem, test, WaitError, type TestSystem } from '@quiesce/harness';
import { groupState } from '@quiesce/runtime/internal';

const child = fileURLToPath(new URL('../fixtures/os-child.mjs', import.meta.url));
const node = process.execPath;

/** True when no process `pid` exists any more (zombies, dead but not yet reaped, count as existing). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function dataOf(system: TestSystem, kind: string): unknown[] {
  return system.history.ofKind(kind).map((e) => e.data);
}

describe('system.spawn', () => {
  test('resolves when a stdout line matches ready, and records the lifecycle', async ({ system }) => {
    const began = performance.now();
    const proc = await system.spawn(node, [child, 'ready'], { ready: /^ready$/, lines: true });
    const realElapsed = performance.now() - began;
    expect(proc.pid).toBeGreaterThan(1);
    expect(proc.lines).toEqual(['one', 'two', 'ready']);
    expect(dataOf(system, 'os.spawn')).toEqual([{ command: node, args: [child, 'ready'], pid: proc.pid }]);
    expect(dataOf(system, 'os.ready')).toEqual([{ pid: proc.pid, line: 'ready' }]);
    expect(dataOf(system, 'os.stdout')).toEqual(['one', 'two', 'ready'].map((line) => ({ pid: proc.pid, line })));
    expect(proc.alive()).toBe(true);
    expect(proc.external()).toBe(true);
    // While the OS process started, virtual time flowed with real time: it never jumped ahead.
    expect(system.now()).toBeLessThanOrEqual(realElapsed);
  });

  test('without ready it resolves once the program runs; lines are not recorded unless asked', async ({ system }) => {
    const proc = await system.spawn(node, [child, 'exit', '0']);
    expect(system.history.ofKind('os.spawn')).toHaveLength(1);
    await expect(proc.awaitExit()).resolves.toEqual({ code: 0, signal: null });
    expect(proc.lines).toEqual(['bye']);
    expect(system.history.ofKind('os.stdout')).toHaveLength(0);
    expect(dataOf(system, 'os.exit')).toEqual([{ pid: proc.pid, code: 0, signal: null }]);
  });

  test('a ready predicate works like a pattern', async ({ system }) => {
    const proc = await system.spawn(node, [child, 'ready'], { ready: (line) => line === 'two' });
    expect(system.history.ofKind('os.ready')[0]?.data).toEqual({ pid: proc.pid, line: 'two' });
  });

  test('a program that does not exist fails with SPAWN_FAILED and leaves nothing behind', async ({ system }) => {
    const error = await system.spawn('/nonexistent/quiesce-program', ['x'], { ready: /ready/ }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuiesceError);
    expect((error as QuiesceError).code).toBe('SPAWN_FAILED');
    expect((error as QuiesceError).message).toMatch(/"\/nonexistent\/quiesce-program" could not be started: .*ENOENT/);
    expect(system.history.ofKind('os.spawn_failed')[0]?.data).toEqual({ command: '/nonexistent/quiesce-program', error: 'ENOENT' });
    expect(system.leftovers()).toEqual([]);
  });

  test('a program that does not exist fails with SPAWN_FAILED even when its readyTimeout is shorter than the spawn error', async ({ system }) => {
    // A 1 ms ready timer fires before the failed child's 'close' in about half of all spawns (it
    // races node's handle teardown): twenty tries meet that order with near certainty.
    const errors = await Promise.all(
      Array.from({ length: 20 }, () =>
        system.spawn('/nonexistent/quiesce-program', [], { ready: /ready/, readyTimeout: 1 }).then(
          () => undefined,
          (e: unknown) => e as QuiesceError,
        ),
      ),
    );
    expect(errors.map((e) => e?.code)).toEqual(errors.map(() => 'SPAWN_FAILED'));
    expect(system.history.ofKind('os.ready_timeout')).toEqual([]);
    expect(system.history.ofKind('os.spawn_failed')).toHaveLength(20);
  });

  test('a program that exits before it is ready fails with SPAWN_FAILED naming the exit and its stderr', async ({ system }) => {
    const error = (await system.spawn(node, [child, 'stderr'], { ready: /ready/ }).catch((e: unknown) => e)) as QuiesceError;
    expect(error.code).toBe('SPAWN_FAILED');
    expect(error.message).toMatch(/exited with code 3 before printing a line matching \/ready\//);
    expect(error.message).toMatch(/stderr .*:\noops/);
    expect(error.message).toMatch(/os\.exit/); // the timeline
  });

  test('READY_TIMEOUT kills the whole group before failing', async ({ system }) => {
    const grandchildren: number[] = [];
    const off = system.history.subscribe((e) => {
      const line = (e.data as { line?: string }).line;
      if (e.kind === 'os.stdout' && line?.startsWith('grandchild ')) grandchildren.push(Number(line.split(' ')[1]));
    });
    const error = (await system
      .spawn(node, [child, 'grandchild-silent'], { ready: /^ready$/, readyTimeout: 1500, lines: true })
      .catch((e: unknown) => e)) as QuiesceError;
    off();
    expect(error.code).toBe('READY_TIMEOUT');
    expect(error.message).toMatch(/printed no line matching \/\^ready\$\/ within 1500 ms .*its process group was killed/);
    const pgid = (system.history.ofKind('os.spawn')[0]!.data as { pid: number }).pid;
    expect(system.history.ofKind('os.ready_timeout')).toHaveLength(1);
    expect(system.history.ofKind('os.kill')[0]?.data).toMatchObject({ pid: pgid, signal: 'SIGKILL' });
    // Gone already, before the rejection: the leader, its group, and the grandchild if it was started.
    expect(groupState(pgid)).toBe('gone');
    expect(processGone(pgid)).toBe(true);
    for (const pid of grandchildren) expect(processGone(pid)).toBe(true);
    expect(system.leftovers()).toEqual([]);
  });

  test('teardown kills the group: a grandchild dies too', async () => {
    const system = createTestSystem({ testId: 'grandchild' });
    const proc = await system.spawn(node, [child, 'grandchild'], { ready: /^ready$/ });
    const grandchild = Number(proc.lines[0]?.split(' ')[1]);
    expect(grandchild).toBeGreaterThan(1);
    expect(processGone(grandchild)).toBe(false);
    await system.teardown();
    expect(processGone(proc.pid)).toBe(true);
    expect(processGone(grandchild)).toBe(true);
    expect(system.history.ofKind('os.kill')[0]?.data).toEqual({ pid: proc.pid, signal: 'SIGTERM', by: 'teardown' });
    expect(system.history.ofKind('os.exit')[0]?.data).toEqual({ pid: proc.pid, code: null, signal: 'SIGTERM' });
  });

  test('a program that ignores SIGTERM is killed with SIGKILL after killTimeout', async () => {
    const system = createTestSystem({ testId: 'ignore-term' });
    const proc = await system.spawn(node, [child, 'ignore-term'], { ready: /^ready$/, killTimeout: 200 });
    await system.teardown();
    const kills = system.history.ofKind('os.kill').map((e) => (e.data as { signal: string }).signal);
    expect(kills).toEqual(['SIGTERM', 'SIGKILL']);
    expect(proc.exitStatus).toEqual({ code: null, signal: 'SIGKILL' });
    expect(proc.lines).toContain('ignoring SIGTERM');
    expect(processGone(proc.pid)).toBe(true);
  });

  test('kill signals the group and the exit records the signal', async ({ system }) => {
    const proc = await system.spawn(node, [child, 'ready'], { ready: /^ready$/ });
    const exited = proc.awaitExit();
    proc.kill('SIGINT');
    await expect(exited).resolves.toEqual({ code: null, signal: 'SIGINT' });
    expect(system.history.ofKind('os.kill')[0]?.data).toEqual({ pid: proc.pid, signal: 'SIGINT', by: 'test' });
    expect(system.history.ofKind('os.exit')[0]?.data).toEqual({ pid: proc.pid, code: null, signal: 'SIGINT' });
    expect(proc.alive()).toBe(false);
    expect(proc.external()).toBe(false);
    proc.kill(); // a group that is gone: nothing happens
    expect(system.history.ofKind('os.kill')).toHaveLength(1);
  });

  test('exit codes are recorded', async ({ system }) => {
    const proc = await system.spawn(node, [child, 'exit', '7']);
    await expect(proc.awaitExit()).resolves.toEqual({ code: 7, signal: null });
    expect(system.history.ofKind('os.exit')[0]?.data).toEqual({ pid: proc.pid, code: 7, signal: null });
  });

  test('awaitLine sees earlier lines by default, later ones with since: now, and stdin reaches the program', async ({ system }) => {
    const proc = await system.spawn(node, [child, 'echo'], { ready: /^ready$/, stdin: 'pipe' });
    await expect(proc.awaitLine(/^ready$/)).resolves.toBe('ready');
    const echoed = proc.awaitLine(/^echo: hello$/, { since: 'now' });
    proc.stdin!.write('hello\n');
    await expect(echoed).resolves.toBe('echo: hello');
    proc.stdin!.end();
    await expect(proc.awaitExit()).resolves.toEqual({ code: 0, signal: null });
  });

  test('awaitLine fails at once, naming the exit, when the program exits without the line', async ({ system }) => {
    const proc = await system.spawn(node, [child, 'exit', '4']);
    const error = await proc.awaitLine(/never/, { timeout: 3_600_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuiesceError);
    expect((error as QuiesceError).message).toMatch(
      /waiting for a stdout line matching \/never\/ from .*os-child\.mjs exit 4 \(pid \d+\) can never succeed .*exited with code 4 without printing it/,
    );
    expect((error as QuiesceError).message).toMatch(/os\.exit/);
  });

  test('awaitLine times out in real time, naming what it waited for, with the timeline', async ({ system }) => {
    const proc = await system.spawn(node, [child, 'silent']);
    const error = await proc.awaitLine(/never/, { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect((error as WaitError).failure).toBe('timeout');
    expect((error as WaitError).message).toMatch(/waiting for a stdout line matching \/never\/ from .*os-child\.mjs silent \(pid \d+\) timed out/);
    expect((error as WaitError).message).toMatch(/os\.spawn/);
  });

  test('handles are rejected after teardown', async () => {
    const system = createTestSystem({ testId: 'after-teardown' });
    const proc = await system.spawn(node, [child, 'silent']);
    await system.teardown();
    expect(() => system.spawn(node, [child, 'ready'])).toThrow(/torn down/);
    await expect(proc.awaitLine(/x/)).rejects.toThrow(/exited|killed/);
    await expect(proc.awaitExit()).resolves.toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('bad arguments throw an InvalidOptionError naming the option, before anything starts', ({ system }) => {
    expect(() => system.spawn('', [])).toThrow(/spawn\(command\): got ""/);
    expect(() => system.spawn(node, 'x' as never)).toThrow(/spawn\(args\): got "x"; expected an array of strings/);
    expect(() => system.spawn(node, [], { readyTimout: 5 } as never)).toThrow(
      /spawn options\.readyTimout: got 5; no such option, did you mean 'readyTimeout'\?/,
    );
    expect(() => system.spawn(node, [], { readyTimeout: 5 })).toThrow(/readyTimeout: got 5; expected to be given only together with ready/);
    expect(() => system.spawn(node, [], { ready: 'ready' as never })).toThrow(/ready: got "ready"; expected a RegExp or a function/);
    expect(() => system.spawn(node, [], { stdin: 'inherit' as never })).toThrow(/stdin: got "inherit"; expected 'pipe' or 'ignore'/);
    expect(system.history.ofKind('os.spawn')).toHaveLength(0);
    expect(system.leftovers()).toEqual([]);
  });

  test('the program is registered with the reaper while it runs, and unregistered once gone', async () => {
    const { processReaper } = await import('@quiesce/harness');
    const system = createTestSystem({ testId: 'reaper-registration' });
    const proc = await system.spawn(node, [child, 'ready'], { ready: /^ready$/ });
    expect(processReaper().groups).toContain(proc.pid);
    expect(processReaper().pid).toBeGreaterThan(1);
    // The reaper runs detached, in a session of its own, with a pipe from this worker.
    const stat = readFileSync(`/proc/${processReaper().pid}/stat`, 'utf8');
    const [, , pgrp, session] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    expect(pgrp).toBe(processReaper().pid);
    expect(session).toBe(processReaper().pid);
    await system.teardown();
    expect(processReaper().groups).not.toContain(proc.pid);
  });
});
