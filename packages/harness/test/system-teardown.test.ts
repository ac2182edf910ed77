import { osProcess, QuiesceError, startServer, supervisor, type ServerBehaviour } from '@quiesce/runtime';
import { groupState } from '@quiesce/runtime/internal';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createTestSystem, TeardownError, WaitError, type OwnedResource, type TestSystem } from '@quiesce/harness';

/** A server that notes its terminate (after 100 ms of shutdown work), and crashes on 'crash'. */
function noting(log: string[], name: string): ServerBehaviour<null> {
  return {
    init: (_args, ctx) => {
      ctx.trapExit(true);
      return { state: null };
    },
    handleInfo: (msg, state) => {
      if (msg === 'crash') throw new Error(`${name} crashed`);
      return { state };
    },
    terminate: async (reason, _state, ctx) => {
      await ctx.sleep(100);
      log.push(`${name} terminate ${typeof reason === 'string' ? reason : 'error'}`);
    },
  };
}

/** An owned resource that reports real-time activity until disposed, and may throw when disposed. */
function resource(label: string, options: { throws?: string; leaks?: boolean } = {}): OwnedResource {
  let alive = true;
  return {
    kind: 'socket',
    label,
    dispose() {
      if (!options.leaks) alive = false;
      if (options.throws !== undefined) throw new Error(options.throws);
    },
    alive: () => alive,
    external: () => alive,
  };
}

describe('TestSystem teardown', () => {
  test('after a linked crash, the other started trees are still stopped with their own shutdown (terminate runs)', async () => {
    const system = createTestSystem({ testId: 'teardown-after-linked-crash' });
    const log: string[] = [];
    await system.startServer(noting(log, 'a'), undefined, { label: 'a' });
    const b = await system.startServer(noting(log, 'b'), undefined, { label: 'b' });
    system.send(b, 'crash');
    await expect(system.settle()).rejects.toThrow(/b .*linked to the test, exited/);
    await expect(system.teardown()).rejects.toThrow(/b .*linked to the test, exited/);
    expect(log).toEqual(['b terminate error', 'a terminate shutdown']);
  });

  test('a wait pending when teardown begins rejects at once as aborted, naming the teardown', async () => {
    const system = createTestSystem({ testId: 'teardown-pending-wait' });
    system.own(resource('a socket that may still speak'));
    const pending = system.until('never.happens', { timeout: 3_600_000 }).catch((e: unknown) => e);
    await system.teardown();
    const error = (await pending) as WaitError;
    expect(error).toBeInstanceOf(WaitError);
    expect(error.failure).toBe('aborted');
    expect(error.cause).toMatchObject({ code: 'AFTER_TEARDOWN' });
  });

  test('a pending settle() rejects with AFTER_TEARDOWN too', async () => {
    const system = createTestSystem({ testId: 'teardown-pending-settle', clock: 'real' });
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    system.runtime.spawn(
      async () => {
        started();
        await new Promise<void>((r) => (release = r));
      },
      { init: (ctx) => ctx.send(ctx.self, 'go') },
    );
    await running;
    const pending = system.settle().catch((e: unknown) => e);
    await system.teardown();
    release();
    expect(await pending).toMatchObject({ code: 'AFTER_TEARDOWN' });
  });

  test('every problem is reported in one error: dispose failures, leaks and a linked crash', async () => {
    const system = createTestSystem({ testId: 'teardown-all-problems' });
    const log: string[] = [];
    const b = await system.startServer(noting(log, 'b'), undefined, { label: 'b' });
    system.own(resource('first', { throws: 'first dispose failed' }));
    system.own(resource('second', { throws: 'second dispose failed' }));
    system.own(resource('leaky', { leaks: true }));
    system.send(b, 'crash');
    await system.settle().catch(() => undefined);
    const error = (await system.teardown().catch((e: unknown) => e)) as TeardownError;
    expect(error).toBeInstanceOf(TeardownError);
    expect(error).toBeInstanceOf(QuiesceError);
    // The most important problem leads (and gives the code); the message names them all.
    expect(error.code).toBe('CALL_EXIT');
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(/b .*linked to the test, exited/);
    expect(error.message).toMatch(/leaky/);
    expect(error.message).toMatch(/first dispose failed/);
    expect(error.message).toMatch(/second dispose failed/);
  });

  test('a single problem is thrown as it is', async () => {
    const system = createTestSystem({ testId: 'teardown-one-problem' });
    system.own(resource('first', { throws: 'only this' }));
    await expect(system.teardown()).rejects.toThrow(/^only this$/);
  });

  test('a mailbox watcher that threw fails the test at teardown, naming it (the runtime went on without it)', async () => {
    const system = createTestSystem({ testId: 'watcher-throws' });
    const echo = system.runtime.spawn((message) => system.runtime.send(system.inbox.pid, message), { label: 'echo' });
    system.runtime.watchMailbox(echo, (length) => {
      if (length > 0) throw new Error('watcher bug');
    });
    system.send(echo, 'hello');
    await expect(system.inbox.receive('hello')).resolves.toBe('hello');
    const failure = await system.teardown().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(QuiesceError);
    expect(failure).toMatchObject({ code: 'LISTENER_ERROR' });
    expect((failure as Error).message).toMatch(
      /^a watchMailbox listener of echo \(<\d+\.\d+>\) threw \{"error":"Error","message":"watcher bug"\}; the runtime removed it \(event #\d+\)$/,
    );
  });

  test('stop() of a process the system did not start stops it', async () => {
    const system = createTestSystem({ testId: 'teardown-stop-foreign' });
    const pid = await startServer(system.runtime, { init: () => ({ state: null }) }, undefined);
    await system.stop(pid);
    expect(system.runtime.isAlive(pid)).toBe(false);
    await system.teardown();
  });

  test('double teardown while the first is running returns the same outcome', async () => {
    const system = createTestSystem({ testId: 'teardown-double' });
    const log: string[] = [];
    await system.startServer(noting(log, 'a'), undefined);
    const first = system.teardown();
    const second = system.teardown();
    await Promise.all([first, second]);
    expect(log).toEqual(['a terminate shutdown']);
  });
});

describe('teardown from an afterEach hook, on the virtual clock', () => {
  const tcpWorker = new URL('./fixtures/tcp-worker.mjs', import.meta.url).pathname;
  let system: TestSystem;
  beforeEach(() => {
    system = createTestSystem({ testId: 'afterEach teardown' });
  });
  // The hook's own timeout bounds the teardown: the child's shutdown time (500 ms) plus a margin.
  afterEach(async () => {
    await system.teardown();
    const exits = system.history.ofKind('os.exit');
    expect(exits).toHaveLength(1);
    expect(exits[0]!.data).toMatchObject({ signal: 'SIGKILL' });
    expect(groupState((exits[0]!.data as { pid: number }).pid)).not.toBe('alive');
    expect(system.runtime.externalActors()).toEqual([]);
  }, 4_000);

  test('a supervised OS child that ignores SIGTERM is stopped with SIGKILL once its shutdown time has passed', async () => {
    await system.start(
      supervisor({
        id: 'sup',
        children: [osProcess('stubborn', { command: process.execPath, args: [tcpWorker, '0', '--ignore-term'], ready: /^ready \d+$/, shutdown: 500 })],
      }),
    );
    expect(system.runtime.externalActors()).toHaveLength(1);
  });
});

describe('activity after teardown names the test that made it', () => {
  test('a forgotten handler that calls after its test ended gets AFTER_TEARDOWN naming that test, not NOPROC', async () => {
    const system = createTestSystem({ testId: 'the forgetful test' });
    const server = await system.startServer({ init: () => ({ state: null }), handleCall: () => ({ reply: 'pong', state: null }) }, undefined, { name: 'srv' });
    // A process whose handler will act later, after the test's end: nobody awaits it.
    let later: (() => Promise<unknown>) | undefined;
    system.runtime.spawn((_msg, ctx) => {
      later = () => ctx.call(server, 'ping');
    });
    system.send(system.runtime.processes().at(-1)!, 'go');
    await system.settle();
    await system.teardown();
    const error = (await Promise.resolve()
      .then(() => later!())
      .catch((e: unknown) => e)) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe('AFTER_TEARDOWN');
    expect(error.message).toMatch(/call: the runtime of test "the forgetful test" has been shut down/);
    const direct = (await system.runtime.call(server, 'ping').catch((e: unknown) => e)) as QuiesceError;
    expect(direct.code).toBe('AFTER_TEARDOWN');
  });
});
