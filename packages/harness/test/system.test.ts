import { QuiesceError, supervisor, worker, type StartFn } from '@quiesce/runtime';
import { describe, expect } from 'vitest';
import { createTestSystem, test, WaitError } from '@quiesce/harness';
import { sleepingServer } from './teardown/fixtures/sleeping-server.js';

/** A worker that crashes on 'crash', and after `crashAfter` ms of virtual time if given. */
const crashy =
  (crashAfter?: number): StartFn =>
  (ctx) =>
    ctx.spawn(
      (msg) => {
        if (msg === 'crash') throw new Error('boom');
      },
      { init: (self) => void (crashAfter !== undefined && self.sendAfter(crashAfter, 'crash')) },
    );

describe('TestSystem', () => {
  test('waits for a restart by event, not by time', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 3, children: [worker('w1', crashy()), worker('w2', crashy())] }));
    const before = pool.child('w1')!;
    system.send(before, 'crash');
    const restart = await system.until({ kind: 'child.restart', data: { id: 'w1' } });
    expect(restart.source).toBe('pool');
    expect(pool.child('w1')).not.toEqual(before);
    expect(system.now()).toBe(0);
  });

  test('virtual time advances while the system is idle, to the next timer', async ({ system }) => {
    await system.start(supervisor({ id: 'pool', intensity: 5, children: [worker('w1', crashy(10_000))] }));
    const restart = await system.until({ kind: 'child.restart' }, { timeout: 60_000 });
    expect(restart.time).toBe(10_000);
  });

  test('a wait that can never be satisfied fails at once with a deadlock, not after a timeout', async ({ system }) => {
    await system.start(supervisor({ id: 'pool', children: [worker('w1', crashy())] }));
    const error = await system.until('child.restart', { timeout: 3_600_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect((error as WaitError).failure).toBe('deadlock');
    expect((error as WaitError).message).toMatch(/can never happen/);
    expect((error as WaitError).message).toMatch(/child\.start/);
  });

  test('a wait whose timer lies beyond its timeout times out in virtual time', async ({ system }) => {
    await system.start(supervisor({ id: 'pool', intensity: 5, children: [worker('w1', crashy(10_000))] }));
    const error = (await system.until('child.restart', { timeout: 1000 }).catch((e: unknown) => e)) as WaitError;
    expect(error.failure).toBe('timeout');
    expect(error.virtualElapsed).toBe(1000);
  });

  test('the inbox receives by pattern and decides "no message" at idle', async ({ system, inbox }) => {
    const echo = system.runtime.spawn((msg: unknown) => {
      const m = msg as { reply: typeof inbox.pid; n: number };
      system.runtime.send(m.reply, { type: 'echo', n: m.n });
    });
    system.send(echo, { reply: inbox.pid, n: 1 });
    system.send(echo, { reply: inbox.pid, n: 2 });
    await expect(inbox.receive({ type: 'echo', n: 2 })).resolves.toEqual({ type: 'echo', n: 2 });
    await inbox.refute({ type: 'error' });
    await expect(inbox.refute({ n: 1 })).rejects.toThrow(/expected no message/);
  });

  test('monitor resolves with the exit reason', async ({ system }) => {
    const pid = system.runtime.spawn(() => undefined);
    const exited = system.monitor(pid);
    system.kill(pid, 'boom');
    await expect(exited).resolves.toBe('boom');
  });

  test('stop shuts a tree down right to left', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('a', crashy()), worker('b', crashy()), worker('c', crashy())] }));
    await system.stop(pool);
    const order = system.history.ofKind('child.terminate').map((e) => (e.data as { id: string }).id);
    expect(order).toEqual(['c', 'b', 'a']);
    expect(pool.isAlive()).toBe(false);
  });
});

describe('TestSystem without fixtures', () => {
  test('a started tree that gives up fails the test, unless the test traps exits', async () => {
    const system = createTestSystem({ testId: 'linked' });
    const pool = await system.start(supervisor({ id: 'pool', intensity: 0, children: [worker('w1', crashy())] }));
    system.send(pool.child('w1')!, 'crash');
    const error = await system.until('never.happens').catch((e: unknown) => e);
    expect((error as WaitError).failure).toBe('linked-exit');
    await expect(system.teardown()).rejects.toThrow(/pool .* linked to the test, exited with "shutdown"/);

    const trapping = createTestSystem({ testId: 'trapping', trapExits: true });
    const pool2 = await trapping.start(supervisor({ id: 'pool', intensity: 0, children: [worker('w1', crashy())] }));
    trapping.send(pool2.child('w1')!, 'crash');
    await expect(trapping.monitor(pool2)).resolves.toBe('shutdown');
    await trapping.teardown();
  });

  test('activity after teardown is rejected with a clear error', async () => {
    const system = createTestSystem();
    await system.teardown();
    await system.teardown(); // idempotent
    expect(() => system.kill(system.self)).toThrow(QuiesceError);
    expect(() => system.until('x')).toThrow(/torn down/);
    expect(() => system.runtime.spawn(() => undefined)).toThrow(/activity after teardown/);
  });

  test('the same seed gives the same history', async () => {
    const run = async () => {
      const system = createTestSystem({ testId: 'same-seed', seed: 7 });
      await system.start(supervisor({ id: 'pool', intensity: 10, children: [worker('w1', crashy(1500)), worker('w2', crashy(2500))] }));
      await system.advance(10_000);
      await system.teardown();
      return system.history.toJSONLines();
    };
    expect(await run()).toBe(await run());
  });

  test("a wait that names no timeout takes the system's default: the inbox's, the history's and a call's alike", async () => {
    // A timer far beyond the default: each wait runs out of time at the default, not at 5 s.
    const system = createTestSystem({ testId: 'default-timeout', timeout: 40 });
    const server = system.runtime.spawn(() => undefined, { init: (self) => void self.sendAfter(60_000, 'late') });
    const failures = [
      await system.inbox.receive('never').catch((e: unknown) => e),
      await system.until('test.never').catch((e: unknown) => e),
      await system.drive(new Promise(() => undefined)).catch((e: unknown) => e),
    ] as WaitError[];
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(WaitError);
      expect(failure.failure).toBe('timeout');
      expect(failure.virtualElapsed).toBe(40);
    }
    system.kill(server);
    await system.teardown();
  });

  test('bad options throw QuiesceError naming the option', () => {
    expect(() => createTestSystem({ clock: 'wall' as never })).toThrow(/clock: got "wall"; expected 'virtual' or 'real'/);
    expect(() => createTestSystem({ seed: -1 })).toThrow(/seed: got -1/);
  });
});

describe('the inbox after teardown', () => {
  test('receive and refute throw AFTER_TEARDOWN', async () => {
    const system = createTestSystem({ testId: 'inbox-after-teardown' });
    const inbox = system.inbox;
    await system.teardown();
    expect(() => inbox.receive({ type: 'x' })).toThrow(/inbox\.receive: the test's system has been torn down/);
    await expect(inbox.refute()).rejects.toMatchObject({ code: 'AFTER_TEARDOWN' });
  });
});

describe('timer leaks', () => {
  test('a runtime timer set outside any process and still pending fails teardown, on a virtual clock too', async () => {
    const system = createTestSystem({ testId: 'timer-leak' });
    system.runtime.setTimer(60_000, () => undefined);
    await expect(system.teardown()).rejects.toThrow(/timer 1 runtime timer\(s\) still pending, created at the runtime's virtual clock/);
  });

  test('timers owned by processes die with them and are no leak', async () => {
    const system = createTestSystem({ testId: 'owned-timer' });
    system.runtime.spawn(() => undefined, { init: (ctx) => void ctx.sendAfter(60_000, 'tick') });
    await system.teardown();
  });
});

describe('waits and the test signal', () => {
  test('many concurrent waits add no listener of their own to the test signal: no MaxListenersExceededWarning', async ({ system, signal }) => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const waits = Array.from({ length: 25 }, (_, i) => system.until(`test.tick.${i}`));
      for (let i = 0; i < 25; i++) system.record(`test.tick.${i}`, 'test', {});
      await Promise.all(waits);
      // Warnings are emitted on a later tick: let one pass before looking.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(signal.aborted).toBe(false);
  });

  test('an aborted test signal interrupts a pending wait with an aborted WaitError', async () => {
    const controller = new AbortController();
    const system = createTestSystem({ testId: 'abort-interrupts', signal: controller.signal });
    system.trapExits();
    const waiting = system.until('test.never', { timeout: 60_000 });
    // Aborted in the same turn: the interruption wins over the wait's own verdict.
    controller.abort(new Error('test timed out'));
    const error = (await waiting.catch((e: unknown) => e)) as WaitError;
    expect(error).toBeInstanceOf(WaitError);
    expect(error.failure).toBe('aborted');
    await system.teardown();
  });
});

describe('a stalled test', () => {
  test('the hint gives virtual times rounded, as a person reads them', async () => {
    const system = createTestSystem({ testId: 'stall hint rounded' });
    await system.advance(1 / 3);
    const timer = system.runtime.setTimer(1000, () => undefined);
    await system.runtime.idle();
    expect(system.stallHint()).toMatch(/sat idle at 0\.3 ms virtual with 1 timer\(s\) pending \(the next at 1000\.3 ms\)/);
    system.runtime.clearTimer(timer);
    await system.teardown();
  });

  test('the failure hint says when the system sat idle with timers pending and no wait drove it', async () => {
    const system = createTestSystem({ testId: 'stall hint' });
    // Production code awaiting kernel time: a server that sleeps, called directly, not through a wait.
    const server = await system.startServer(sleepingServer, undefined);
    const undriven = system.runtime.call(server, 'work', 'infinity');
    await system.runtime.idle();
    expect(system.stallHint()).toMatch(
      /sat idle at 0 ms virtual with 1 timer\(s\) pending \(the next at 5000 ms\) while no Quiesce wait drove its clock.*system\.drive\(promise\)/,
    );
    // Driven, it settles: five virtual seconds in no real time.
    await expect(system.drive(undriven)).resolves.toBe('done');
    expect(system.now()).toBe(5_000);
    expect(system.stallHint()).toBeUndefined();
    await system.teardown();
  });
});
