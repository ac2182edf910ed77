import { describe, expect } from 'vitest';
import { test, createTestSystem, type TestSystem } from '@quiesce/harness';
import { CallTimeoutError, type QuiesceError, Runtime, supervisor, worker, type Pid, type ServerBehaviour, type StartFn } from '@quiesce/runtime';
import { chaos, FAULT_KINDS, InjectedFault } from '@quiesce/chaos';

/** A process that records every message it handles, with the virtual time. */
function collector(system: TestSystem, name?: string): { pid: Pid; got: Array<{ message: unknown; at: number }> } {
  const got: Array<{ message: unknown; at: number }> = [];
  const pid = system.runtime.spawn((message) => void got.push({ message, at: system.now() }), name ? { name } : {});
  return { pid, got };
}

/** A process that forwards each message it gets (`{ to, message }`) to `to`: sends between two processes. */
function sender(system: TestSystem): Pid {
  return system.runtime.spawn((m, ctx) => {
    const { to, message } = m as { to: Pid; message: unknown };
    ctx.send(to, message);
  });
}

/** Replies with the request; counts what it handled (calls and casts). */
const echo: ServerBehaviour<number> = {
  init: () => ({ state: 0 }),
  handleCall: (request, _from, n) => ({ reply: request, state: n + 1 }),
  handleCast: (_message, n) => ({ state: n + 1 }),
};

const idleWorker: StartFn = (ctx) => ctx.spawn(() => undefined);

describe('one-shot faults', () => {
  test('kill: a supervised worker is killed and restarted; the fault is in the history at its virtual time', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('w1', idleWorker)] }));
    await system.advance(250);
    const victim = pool.child('w1')!;
    chaos(system).kill(victim);
    const restart = await system.until('child.restart');
    const fault = system.history.ofKind(FAULT_KINDS.kill)[0]!;
    expect(fault).toMatchObject({ time: 250, source: 'pool/w1', data: { fault: 'f1', pid: victim.toString() } });
    expect(system.runtime.exitReason(victim)).toBe('killed');
    expect(restart.seq).toBeGreaterThan(fault.seq);
  });

  test('exit: the process exits with the given reason, as a crash would', async ({ system }) => {
    system.trapExits();
    const pid = await system.startServer(echo, undefined);
    const c = chaos(system);
    c.exit(pid, { shutdown: 'maintenance' });
    await system.settle();
    expect(system.runtime.exitReason(pid)).toEqual({ shutdown: 'maintenance' });
    expect(c.counts()).toEqual({ [FAULT_KINDS.exit]: 1 });
  });
});

describe('per-message faults', () => {
  test('crashOn: the Nth message crashes the process; the ones before it are handled', async ({ system }) => {
    const { pid, got } = collector(system);
    const fault = chaos(system).crashOn(pid, { message: 3 });
    for (const m of ['a', 'b', 'c', 'd']) system.send(pid, m);
    await system.settle();
    expect(got.map((g) => g.message)).toEqual(['a', 'b']);
    const reason = system.runtime.exitReason(pid);
    expect(reason).toBeInstanceOf(InjectedFault);
    expect(fault).toMatchObject({ type: 'crash', fired: 1, active: false });
    expect(system.history.ofKind(FAULT_KINDS.crash)).toHaveLength(1);
  });

  test('hang: calls to a hung server time out in virtual time; heal resumes it with what it queued', async ({ system }) => {
    const pid = await system.startServer(echo, undefined);
    const fault = chaos(system).hang(pid);
    const call = system.runtime.call(pid, 'first', 1000);
    const timedOut = expect(system.drive(call)).rejects.toBeInstanceOf(CallTimeoutError);
    await timedOut;
    expect(system.now()).toBe(1000);
    expect(system.runtime.messageQueueLength(pid)).toBe(0);
    system.runtime.cast(pid, 'queued');
    expect(system.runtime.messageQueueLength(pid)).toBe(0);
    await system.settle();
    expect(system.runtime.messageQueueLength(pid)).toBe(1);
    fault.heal();
    expect(await system.call(pid, 'after')).toBe('after');
    expect(await system.runtime.getState(pid)).toBe(3);
    expect(system.history.ofKind(FAULT_KINDS.heal)[0]!.data).toEqual({ fault: fault.id, type: 'hang' });
  });

  test('slow: each message waits its virtual delay before the handler runs', async ({ system }) => {
    const pid = await system.startServer(echo, undefined);
    chaos(system).slow(pid, { delay: 500 });
    const before = system.now();
    expect(await system.call(pid, 'x')).toBe('x');
    expect(system.now() - before).toBe(500);
    expect(system.history.ofKind(FAULT_KINDS.slow)[0]!.data).toMatchObject({ delay: 500 });
  });
});

describe('faults between two processes', () => {
  test('drop with a count: the first message is lost, later ones arrive', async ({ system }) => {
    const a = sender(system);
    const b = collector(system);
    const fault = chaos(system).drop(a, b.pid, { count: 1 });
    for (const m of [1, 2, 3]) system.send(a, { to: b.pid, message: m });
    await system.settle();
    expect(b.got.map((g) => g.message)).toEqual([2, 3]);
    expect(fault.active).toBe(false);
    expect(system.history.ofKind(FAULT_KINDS.drop)[0]!.data).toMatchObject({ kind: 'message', payload: '1' });
  });

  test('delay keeps the pair in order: later messages of the pair wait behind the delayed one; other senders go first', async ({ system }) => {
    const a = sender(system);
    const c = sender(system);
    const b = collector(system);
    chaos(system).delay(a, b.pid, { delay: 300, count: 1 });
    for (const m of ['a1', 'a2', 'a3']) system.send(a, { to: b.pid, message: m });
    system.send(c, { to: b.pid, message: 'c1' });
    await system.advance(1000);
    expect(b.got).toEqual([
      { message: 'c1', at: 0 },
      { message: 'a1', at: 300 },
      { message: 'a2', at: 300 },
      { message: 'a3', at: 300 },
    ]);
  });

  test('duplicate: the receiver handles the message twice', async ({ system }) => {
    const a = sender(system);
    const b = collector(system);
    chaos(system).duplicate(a, b.pid, { count: 1 });
    system.send(a, { to: b.pid, message: 'once' });
    system.send(a, { to: b.pid, message: 'next' });
    await system.settle();
    expect(b.got.map((g) => g.message)).toEqual(['once', 'once', 'next']);
  });

  test('reorder (the default) moves a delivery behind other senders only: the pair keeps its order', async ({ system }) => {
    const a = sender(system);
    const c = sender(system);
    const b = collector(system);
    chaos(system).reorder(a, b.pid, { count: 1 });
    system.send(a, { to: b.pid, message: 'a1' });
    system.send(a, { to: b.pid, message: 'a2' });
    system.send(c, { to: b.pid, message: 'c1' });
    await system.settle();
    expect(b.got.map((g) => g.message)).toEqual(['c1', 'a1', 'a2']);
  });

  test('reorder withinPair swaps a delivery with the next of its pair: the guarantee it says it breaks', async ({ system }) => {
    const a = sender(system);
    const b = collector(system);
    chaos(system).reorder(a, b.pid, { count: 1, withinPair: true });
    for (const m of ['a1', 'a2', 'a3']) system.send(a, { to: b.pid, message: m });
    await system.settle();
    expect(b.got.map((g) => g.message)).toEqual(['a2', 'a1', 'a3']);
  });

  test('a registered name as an end follows the process across restarts', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('db', (ctx) => ctx.spawn(() => undefined, { name: 'db' }))] }));
    const a = sender(system);
    chaos(system).drop(a, 'db');
    system.kill(pool.child('db')!);
    await system.until('child.restart');
    system.send(a, { to: 'db', message: 'lost' });
    await system.settle();
    expect(system.history.ofKind(FAULT_KINDS.drop)).toHaveLength(1);
  });

  test('a dropped call request makes the call time out; a dropped reply too', async ({ system }) => {
    const server = await system.startServer(echo, undefined);
    const client = system.runtime.spawn(async (m, ctx) => {
      try {
        await ctx.call(server, m, 200);
      } catch (error) {
        ctx.send('results', (error as QuiesceError).code);
      }
    });
    const results = collector(system, 'results');
    const c = chaos(system);
    c.drop(server, client, { kinds: ['reply'], count: 1 });
    system.send(client, 'ping');
    await system.advance(500);
    expect(results.got.map((g) => g.message)).toEqual(['CALL_TIMEOUT']);
    expect(system.history.ofKind(FAULT_KINDS.drop)[0]!.data).toMatchObject({ kind: 'reply' });
  });
});

describe('supervision faults', () => {
  test('failStart error: the tree fails to start and the fault says why', async ({ system }) => {
    const c = chaos(system);
    const spec = c.failStart(worker('w1', idleWorker));
    await expect(system.start(supervisor({ id: 'pool', children: [spec] }))).rejects.toMatchObject({ code: 'START_FAILED' });
    expect(system.history.ofKind(FAULT_KINDS.failStart)[0]).toMatchObject({ source: 'pool/w1', data: { child: 'w1', mode: 'error' } });
  });

  test("failStart ignore: the child's spec is kept with no process; the next start runs the real one", async ({ system }) => {
    const c = chaos(system);
    const pool = await system.start(supervisor({ id: 'pool', children: [c.failStart(worker('w1', idleWorker), { mode: 'ignore' })] }));
    expect(pool.child('w1')).toBeUndefined();
    expect(await pool.restartChild('w1')).toBeDefined();
    expect(system.history.ofKind('child.ignore')).toHaveLength(1);
  });

  test('crashLoop at the intensity boundary: intensity crashes are survived, one more stops the supervisor', async () => {
    for (const [times, survives] of [
      [3, true],
      [4, false],
    ] as const) {
      const system = createTestSystem({ testId: `crash loop ${times}`, trapExits: true });
      const pool = await system.start(supervisor({ id: 'pool', intensity: 3, period: 5, children: [worker('w1', idleWorker)] }));
      const loop = chaos(system).crashLoop(pool, 'w1', { every: 1000, times });
      await system.advance(6000);
      expect(pool.isAlive()).toBe(survives);
      expect(loop.fired).toBe(times);
      expect(system.history.ofKind(FAULT_KINDS.crashLoop).map((e) => e.time)).toEqual([1000, 2000, 3000, 4000].slice(0, times));
      await system.teardown();
    }
  });

  test('planted bug: a hand-rolled restarter that allows one restart too many is caught by a crash loop at its boundary', async () => {
    // "At most 3 restarts in 5 s" — the buggy one compares with > instead of >=.
    const restarter =
      (buggy: boolean): StartFn =>
      (ctx) =>
        ctx.spawn(
          (m, c) => {
            if ((m as { type?: string }).type !== 'EXIT') return;
            const now = c.now();
            restarts.push(now);
            const recent = restarts.filter((t) => now - t < 5000).length;
            if (buggy ? recent > 4 : recent > 3) c.exit('shutdown');
            else child = c.spawnLink(() => undefined, { name: 'child' });
          },
          {
            trapExit: true,
            init: (c) => {
              child = c.spawnLink(() => undefined, { name: 'child' });
            },
          },
        );
    let restarts: number[] = [];
    let child: Pid | undefined;
    const survivesFourCrashes = async (buggy: boolean): Promise<boolean> => {
      restarts = [];
      const system = createTestSystem({ testId: `restarter ${buggy}`, trapExits: true });
      const top = await system.start(supervisor({ id: 'top', intensity: 0, children: [worker('restarter', restarter(buggy))] }));
      const r = top.child('restarter') as Pid;
      const c = chaos(system);
      for (let i = 0; i < 4; i++) {
        await system.advance(1000);
        c.kill('child');
      }
      await system.settle();
      const alive = system.runtime.isAlive(r);
      await system.teardown();
      return alive;
    };
    expect(await survivesFourCrashes(true)).toBe(true); // the bug: a fourth restart within 5 s
    expect(await survivesFourCrashes(false)).toBe(false); // fixed: it gives up, as OTP would
    expect(child).toBeDefined();
  });

  test('throwInTerminate: a stopping server exits with the error its terminate threw, not shutdown', async ({ system }) => {
    system.trapExits();
    const c = chaos(system);
    let terminated = false;
    // A server runs terminate on its parent's exit signal only when it traps exits (as in OTP).
    const trapping: ServerBehaviour<number> = {
      ...echo,
      init: (_args, ctx) => {
        ctx.trapExit(true);
        return { state: 0 };
      },
      terminate: () => void (terminated = true),
    };
    const pid = await system.startServer(c.throwInTerminate(trapping), undefined);
    system.runtime.exit(pid, 'shutdown', system.self);
    await system.settle();
    expect(terminated).toBe(true);
    expect(system.runtime.exitReason(pid)).toBeInstanceOf(InjectedFault);
    expect(system.history.ofKind(FAULT_KINDS.terminateThrow)).toHaveLength(1);
  });
});

describe('ownership', () => {
  test('a process of another runtime, the test itself, or a foreign supervisor is refused with NOT_OWNED; nothing is armed', async ({ system }) => {
    const other = createTestSystem({ testId: 'other' });
    const foreign = other.runtime.spawn(() => undefined);
    const foreignPool = await other.start(supervisor({ id: 'p', children: [worker('w', idleWorker)] }));
    const c = chaos(system);
    const refused = [
      () => c.kill(foreign),
      () => c.hang(foreign),
      () => c.drop(foreign, '*'),
      () => c.kill(system.self),
      () => c.crashLoop(foreignPool, 'w', { every: 10, times: 1 }),
    ];
    for (const attempt of refused) expect(attempt).toThrow(expect.objectContaining({ code: 'NOT_OWNED' }));
    expect(() => c.kill(foreign)).toThrow(/another runtime/);
    expect(c.faults).toHaveLength(0);
    expect(system.history.events.filter((e) => e.kind.startsWith('fault.'))).toHaveLength(0);
    expect(other.runtime.isAlive(foreign)).toBe(true);
    await other.teardown();
  });

  test('chaos runs on a bare Runtime too (a script): the seed is the runtime seed', async () => {
    const rt = new Runtime({ clock: 'virtual', seed: 7 });
    const c = chaos(rt);
    const pid = rt.spawn(() => undefined);
    c.kill(pid);
    await rt.idle();
    expect(c.seed).toBe(7);
    expect(rt.exitReason(pid)).toBe('killed');
    c.dispose();
    expect(() => c.kill(pid)).toThrow(expect.objectContaining({ code: 'AFTER_TEARDOWN' }));
    await rt.shutdown();
  });
});

describe('determinism', () => {
  /** Many rate-driven faults over a small system: everything they do depends on the seed. */
  async function scenario(seed: number): Promise<string> {
    const system = createTestSystem({ testId: 'determinism', seed, trapExits: true });
    const pool = await system.start(supervisor({ id: 'pool', intensity: 100, period: 5, children: [worker('w1', idleWorker), worker('w2', idleWorker)] }));
    const server = await system.startServer(echo, undefined, { name: 'echo' });
    const clients = [sender(system), sender(system)];
    const sink = collector(system);
    const c = chaos(system);
    c.drop(clients[0]!, sink.pid, { rate: 0.3 });
    c.delay(clients[1]!, sink.pid, { delay: 50, jitter: 100, rate: 0.5 });
    c.duplicate('*', sink.pid, { rate: 0.2 });
    c.slow(server, { delay: 10, jitter: 40, rate: 0.5 });
    c.crashLoop(pool, 'w2', { every: 700, times: 3 });
    for (let i = 0; i < 40; i++) {
      system.send(clients[i % 2]!, { to: sink.pid, message: i });
      void system.runtime.call(server, i, 'infinity');
      await system.advance(37);
    }
    await system.advance(2000);
    const lines = system.history.toJSONLines();
    await system.teardown();
    return lines;
  }

  test('one seed, twice: byte-identical histories, fault events included; another seed differs', async () => {
    const first = await scenario(1234);
    const second = await scenario(1234);
    expect(second).toBe(first);
    const kinds = [FAULT_KINDS.drop, FAULT_KINDS.delay, FAULT_KINDS.duplicate, FAULT_KINDS.slow, FAULT_KINDS.crashLoop];
    for (const kind of kinds) expect(first).toContain(`"kind":"${kind}"`);
    expect(await scenario(4321)).not.toBe(first);
  });
});
