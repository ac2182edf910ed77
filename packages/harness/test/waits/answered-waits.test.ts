import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { createTestSystem, test, type WaitError } from '@quiesce/harness';
import { waitsAwaitingTurn } from '@quiesce/harness/internal';

// A wait answered within the macrotask it began in never steps the clock, and is let go at once.
// Vitest can run a whole file of short tests without yielding to the event loop: a finished wait
// kept until the next macrotask would keep every test's system alive until the file ends.
describe('waits answered within their macrotask', () => {
  test('leave nothing behind, even when no macrotask passes between them', async () => {
    const before = waitsAwaitingTurn();
    for (let i = 0; i < 50; i++) {
      const system = createTestSystem({ testId: `answered-${i}` });
      const echo = system.runtime.spawn((message) => system.runtime.send(system.inbox.pid, message));
      system.send(echo, i);
      await expect(system.inbox.receive(i)).resolves.toBe(i);
      await system.teardown();
    }
    expect(waitsAwaitingTurn()).toBe(before);
  });

  test('a wait still unanswered at the end of its macrotask goes on to move the clock', async ({ system, inbox }) => {
    system.runtime.spawn(() => undefined, { init: (self) => void self.sendAfter(1000, 'late') });
    const sender = system.runtime.spawn((message) => system.runtime.send(inbox.pid, message), {
      init: (self) => void self.sendAfter(1500, 'later'),
    });
    expect(await inbox.receive('later')).toBe('later');
    expect(system.now()).toBe(1500);
    system.kill(sender);
  });
});

describe('a receive that fails', () => {
  test('lets go of its pattern: a matching message that comes later waits in the inbox for the next receive', async ({ system, inbox }) => {
    // Nothing can send it: the wait fails at once (deadlock), then refused options, then an interruption.
    await expect(inbox.receive('first')).rejects.toMatchObject({ failure: 'deadlock' });
    await expect(inbox.receive('first', { timout: 1 } as never)).rejects.toThrow(/timout/);
    system.send(inbox.pid, 'first');
    await system.sync(inbox.pid);
    expect(inbox.messages).toEqual(['first']);
    await expect(inbox.receive('first')).resolves.toBe('first');
    expect(inbox.messages).toEqual([]);
  });
});

describe('driving a promise settled outside the runtime', () => {
  const program = ['-e', "process.stdout.write('done')"];

  test('unwrapped, the wait cannot know of it: it fails at once and says how to count it', async ({ system }) => {
    // Settled only by this test, as a third-party pool's result would be: the runtime sees nothing running.
    let settle = (): void => undefined;
    const outside = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const failure = (await system.drive(outside).catch((e: unknown) => e)) as WaitError;
    expect(failure.failure).toBe('deadlock');
    expect(failure.message).toContain('system.drive(system.runtime.external(promise))');
    settle();
  });

  test('wrapped in runtime.external, it is outside work in flight: the wait waits for it', async ({ system }) => {
    const { stdout } = await system.drive(system.runtime.external(promisify(execFile)(process.execPath, program)));
    expect(stdout).toBe('done');
  });
});

describe('a wait whose options are refused', () => {
  test('leaves no unhandled rejection behind when what it would have awaited fails too', async ({ system }) => {
    const gone = system.runtime.spawn(() => undefined);
    system.kill(gone);
    await system.monitor(gone);
    // The call to a dead process rejects (noproc) while the refused options reject the wait: the
    // first must not surface as an unhandled rejection (Vitest fails the run on one).
    await expect(system.call(gone, 'x', { timout: 1 } as never)).rejects.toThrow(/timout/);
    await expect(system.sync(gone, { timout: 1 } as never)).rejects.toThrow(/timout/);
  });
});
