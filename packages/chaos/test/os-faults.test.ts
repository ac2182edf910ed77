import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { createTestSystem, test, type TestSystem, type TrackedProcess } from '@quiesce/harness';
import { Runtime } from '@quiesce/runtime';
import { groupState } from '@quiesce/runtime/internal';
import { chaos, FAULT_KINDS, FAULTY_CHILD } from '@quiesce/chaos';

/** The faulty-child fixture, ready, with a stdin to command it. */
function faultyChild(system: TestSystem, ...flags: string[]): Promise<TrackedProcess> {
  return system.spawn(process.execPath, [FAULTY_CHILD, ...flags], { ready: /^ready$/, stdin: 'pipe', killTimeout: 300 });
}

/** The kernel's state letter of a process: 'T' while stopped (SIGSTOP), 'Z' as a zombie, 'S' or 'R' while it runs. */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}

describe('signals to the process group', () => {
  test('kill: SIGKILL to the group; the fault comes before the os.kill it caused', async ({ system }) => {
    const proc = await faultyChild(system);
    expect(chaos(system).os.kill(proc)).toBe(true);
    expect(await proc.awaitExit()).toEqual({ code: null, signal: 'SIGKILL' });
    const fault = system.history.ofKind(FAULT_KINDS.osSignal)[0]!;
    const kill = system.history.find((e) => e.kind === 'os.kill', fault.seq)!;
    expect(fault.data).toEqual({ pid: proc.pid, signal: 'SIGKILL' });
    expect(kill.data).toMatchObject({ signal: 'SIGKILL', by: 'chaos' });
  });

  test('term: SIGTERM ends a program that honours it', async ({ system }) => {
    const proc = await faultyChild(system);
    chaos(system).os.term(proc);
    expect(await proc.awaitExit()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('pause stops the group (it handles nothing); heal resumes it and it answers what it was sent meanwhile', async ({ system }) => {
    const proc = await faultyChild(system);
    const c = chaos(system);
    const pause = c.os.pause(proc);
    expect(c.os.isPaused(proc)).toBe(true);
    c.os.command(proc, 'echo while paused');
    // Nothing comes while it is stopped: decided after a quiet period of real time (a negative).
    await system.quiescence();
    expect(proc.lines).not.toContain('while paused');
    pause.heal();
    expect(await proc.awaitLine(/^while paused$/)).toBe('while paused');
    expect(c.os.isPaused(proc)).toBe(false);
    expect(system.history.ofKind(FAULT_KINDS.osSignal).map((e) => e.data)).toEqual([
      { fault: pause.id, pid: proc.pid, signal: 'SIGSTOP' },
      { pid: proc.pid, signal: 'SIGCONT' },
    ]);
  });

  test('a pause left active is resumed at teardown, so teardown can stop the program', async () => {
    const system = createTestSystem({ testId: 'pause at teardown' });
    const proc = await faultyChild(system);
    chaos(system).os.pause(proc);
    await system.teardown();
    expect(proc.exitStatus).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

describe('faults the program cooperates in (the faulty-child fixture)', () => {
  test('exit with a code', async ({ system }) => {
    const proc = await faultyChild(system);
    chaos(system).os.exit(proc, 3);
    expect(await proc.awaitExit()).toEqual({ code: 3, signal: null });
    expect(system.history.ofKind(FAULT_KINDS.osCommand)[0]!.data).toEqual({ pid: proc.pid, command: 'exit 3' });
  });

  test('crash on start: the spawn fails, naming the exit', async ({ system }) => {
    await expect(system.spawn(process.execPath, [FAULTY_CHILD, '--crash-on-start', '4'], { ready: /^ready$/ })).rejects.toMatchObject({
      code: 'SPAWN_FAILED',
      message: expect.stringContaining('exited with code 4'),
    });
  });

  test('a program that ignores SIGTERM: the fault does not end it; teardown escalates to SIGKILL', async () => {
    const system = createTestSystem({ testId: 'ignore sigterm' });
    const proc = await faultyChild(system, '--ignore-sigterm');
    chaos(system).os.term(proc);
    await proc.awaitLine(/^ignoring SIGTERM$/);
    expect(proc.alive()).toBe(true);
    await system.teardown();
    expect(proc.exitStatus).toEqual({ code: null, signal: 'SIGKILL' });
    const kills = system.history.ofKind('os.kill').map((e) => e.data as { signal: string; by: string });
    expect(kills.map((k) => `${k.by} ${k.signal}`)).toEqual(['chaos SIGTERM', 'teardown SIGTERM', 'teardown SIGKILL']);
  });

  test('a surviving grandchild: the program exits, its grandchild lives on in the group, teardown kills the group', async () => {
    const system = createTestSystem({ testId: 'grandchild' });
    const proc = await faultyChild(system, '--grandchild');
    const grandchild = Number((await proc.awaitLine(/^grandchild \d+$/)).split(' ')[1]);
    chaos(system).os.exit(proc, 0);
    await proc.awaitExit();
    expect(proc.alive()).toBe(true); // the group is not empty: the grandchild ignores SIGTERM and outlived it
    expect(procState(grandchild)).not.toBe('Z');
    await system.teardown();
    expect(groupState(proc.pid)).toBe('gone');
  });

  test('close stdin: the program reads end-of-file and keeps running', async ({ system }) => {
    const proc = await faultyChild(system);
    const c = chaos(system);
    c.os.closeStdin(proc);
    expect(() => c.os.command(proc, 'echo late')).toThrow(/stdin is still open/);
    expect(proc.alive()).toBe(true);
    expect(system.history.ofKind(FAULT_KINDS.osCommand).map((e) => e.data.command)).toEqual(['close stdin']);
  });
});

describe('ownership', () => {
  test("another system's process, a bare pid, or chaos on a bare Runtime: refused, never signalled", async ({ system }) => {
    const other = createTestSystem({ testId: 'other owner' });
    const theirs = await faultyChild(other);
    const c = chaos(system);
    const notOwned = expect.objectContaining({ code: 'NOT_OWNED', message: expect.stringContaining("this test's system did not spawn it") });
    expect(() => c.os.kill(theirs)).toThrow(notOwned);
    expect(() => c.os.kill(theirs.pid as never)).toThrow(expect.objectContaining({ code: 'NOT_OWNED' }));
    const rt = new Runtime({ clock: 'virtual' });
    expect(() => chaos(rt).os.pause(theirs)).toThrow(/bare Runtime owns no OS processes/);
    expect(theirs.alive()).toBe(true);
    expect(procState(theirs.pid)).not.toBe('T');
    await rt.shutdown();
    await other.teardown();
  });
});
