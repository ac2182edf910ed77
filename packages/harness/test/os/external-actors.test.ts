import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
import { osProcess, QuiesceError, supervisor, workerThread, type SupervisorRef } from '@quiesce/runtime';
import { createTestSystem, type TestSystem } from '@quiesce/harness';

// The rule for time with live external actors (docs/architecture.md, "Time"), under both clocks:
// a wait for an OS child's or a thread's exit waits for the real event instead of declaring it
// impossible, and timers that guard external work (shutdown, readiness) fire after their duration.

const node = process.execPath;
const worker = fileURLToPath(new URL('../fixtures/tcp-worker.mjs', import.meta.url));
const thread = fileURLToPath(new URL('../fixtures/resource-thread.mjs', import.meta.url));

function systemFor(clock: 'virtual' | 'real', name: string): TestSystem {
  const system = createTestSystem({ testId: `external-actors ${clock} ${name}`, clock });
  onTestFinished(() => system.teardown());
  return system;
}

/** Send one line to 127.0.0.1:port (a job over TCP); resolves once it is written. */
function sendLine(port: number, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(`${line}\n`, () => resolve()));
    socket.on('error', reject);
  });
}

function portOf(system: TestSystem, id: string): number {
  const ready = system.history.events.filter((e) => e.kind === 'os.ready' && e.source.endsWith(id)).at(-1);
  return Number((ready!.data as { line: string }).line.split(' ')[1]);
}

describe.each(['virtual', 'real'] as const)('%s clock', (clock) => {
  test('the restart of a supervised OS child that crashes on its own is awaited, not declared impossible', async () => {
    const system = systemFor(clock, 'crash on its own');
    const ref = await system.start(
      supervisor({
        id: 'sup',
        intensity: 5,
        children: [osProcess('w', { command: node, args: ['-e', 'console.log("ready"); setTimeout(() => process.exit(1), 300)'], ready: /^ready$/ })],
      }),
    );
    const restart = await system.until({ kind: 'child.restart', source: ref.label, data: { id: 'w' } });
    expect(restart.data).toMatchObject({ id: 'w' });
    expect(system.history.ofKind('os.exit')[0]?.data).toMatchObject({ code: 1, signal: null });
  });

  test('a job over TCP that crashes a worker: the restart is counted from a mark taken before the job', async () => {
    const system = systemFor(clock, 'crash by job');
    const ref = await system.start(
      supervisor({ id: 'pool', intensity: 5, children: [osProcess('w1', { command: node, args: [worker, '0'], ready: /^ready \d+$/ })] }),
    );
    const mark = system.mark();
    await sendLine(portOf(system, 'w1'), 'crash');
    // The restart may land before this line runs; `since: mark` counts it either way.
    await system.until({ kind: 'child.restart', data: { id: 'w1' } }, { since: mark });
    expect(system.history.ofKind('os.exit').map((e) => e.data)).toContainEqual(expect.objectContaining({ code: 1 }));
    expect(ref.child('w1')).toBeDefined();
  });

  test("until('os.exit') waits for an OS child's real exit", async () => {
    const system = systemFor(clock, 'os.exit');
    await system.start(osProcess('solo', { command: node, args: ['-e', 'console.log("ready"); setTimeout(() => process.exit(0), 200)'], ready: /^ready$/ }));
    const exit = await system.until('os.exit', { since: 'start' });
    expect(exit.data).toMatchObject({ code: 0, signal: null });
  });

  test("a worker thread child's exit is awaited, not declared impossible", async () => {
    const system = systemFor(clock, 'thread');
    system.trapExits();
    const pid = await system.start(
      workerThread('t', { filename: thread, ready: (m) => typeof (m as { ready?: unknown }).ready === 'number', restart: 'temporary' }),
    );
    // The thread leaves by itself when told; the wait is for its real exit.
    system.send(pid, { exit: 0 });
    const exit = await system.until('thread.exit', { since: 'start' });
    expect(exit.data).toMatchObject({ code: 0 });
  });

  test('a shutdown timeout fires for an OS child that ignores SIGTERM: SIGTERM, then SIGKILL after the timeout', async () => {
    const system = systemFor(clock, 'shutdown timeout');
    const ref: SupervisorRef = await system.start(
      supervisor({
        id: 'sup',
        children: [osProcess('stubborn', { command: node, args: [worker, '0', '--ignore-term'], ready: /^ready \d+$/, shutdown: 500 })],
      }),
    );
    const stopBegan = system.now();
    await system.stop(ref);
    // The proxy dies with the kill; the OS process's exit follows as its own event.
    await system.until('os.exit', { since: 'start' });
    const kills = system.history.ofKind('os.kill');
    expect(kills.map((e) => (e.data as { signal: string }).signal)).toEqual(['SIGTERM', 'SIGKILL']);
    // The supervisor's own timer escalated, no earlier than its duration after the stop began, on the
    // system's clock (the timer starts when the supervisor sends `shutdown`, at or after that).
    // Compared as the clock computes a deadline (start + duration): flowing with real time, times
    // are fractional, and (a + 500) - a can read 499.99999999999994.
    expect(kills[1]!.time).toBeGreaterThanOrEqual(stopBegan + 500);
    expect(system.history.ofKind('os.exit').at(-1)?.data).toMatchObject({ signal: 'SIGKILL' });
  });

  test('readyTimeout fails the start with READY_TIMEOUT, naming readiness, after its duration', async () => {
    const system = systemFor(clock, 'ready timeout');
    const started = system.start(osProcess('mute', { command: node, args: [worker, '0', '--never-ready'], ready: /^ready/, readyTimeout: 300 }));
    const error = (await started.catch((e: unknown) => e)) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe('READY_TIMEOUT');
    expect(error.message).toMatch(/was not ready within 300 ms/);
    expect(system.now()).toBeGreaterThanOrEqual(300);
    expect(system.runtime.externalActors()).toEqual([]);
  });
});
