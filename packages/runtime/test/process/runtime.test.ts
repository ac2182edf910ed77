import { describe, expect, test } from 'vitest';
import { History, QuiesceError, RealClock, Runtime, VERSION, VirtualClock, isNormalExit, serialiseReason, type Clock } from '@quiesce/runtime';
import { rejection, thrown, vrt } from '../support/helpers.js';

describe('Runtime construction', () => {
  test('defaults: real clock, seed 0, FIFO, no message recording, a fresh history', () => {
    const rt = new Runtime();
    expect(rt.clock).toBeInstanceOf(RealClock);
    expect(rt.random.seed).toBe(0);
    expect(rt.scheduler.policy.name).toBe('fifo');
    expect(rt.recordMessages).toBe(false);
    expect(rt.history.length).toBe(0);
    expect(rt.stopped).toBe(false);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Runtime({ clock: 'real' }).clock.kind).toBe('real');
  });

  test('a clock of your own is used as is; history events take its time', async () => {
    const clock = new VirtualClock(5000);
    const rt = new Runtime({ clock: clock as Clock, seed: 17 });
    expect(rt.clock).toBe(clock);
    expect(rt.now()).toBe(5000);
    expect(rt.random.seed).toBe(17);
    rt.spawn(() => undefined);
    expect(rt.history.events[0]!.time).toBe(5000);
    await rt.advance(10);
    expect(rt.now()).toBe(5010);
  });

  test('each runtime has its own node, so pids never collide across runtimes', () => {
    const a = vrt();
    const b = vrt();
    expect(a.node).not.toBe(b.node);
    expect(a.spawn(() => undefined).equals(b.spawn(() => undefined))).toBe(false);
  });
});

describe('spawn', () => {
  test('records the spawn with pid, name, parent and label', () => {
    const rt = vrt();
    const parent = rt.spawn(() => undefined);
    const child = rt.spawn(() => undefined, { link: parent, name: 'kid', label: 'pool/kid' });
    expect(rt.history.events.map((e) => [e.kind, e.source, e.data])).toEqual([
      ['process.spawn', String(parent), { pid: String(parent) }],
      ['process.spawn', 'pool/kid', { pid: String(child), name: 'kid', parent: String(parent) }],
    ]);
    expect(rt.label(child)).toBe('pool/kid');
    rt.setLabel(child, 'renamed');
    expect(rt.label(child)).toBe('renamed');
    expect(rt.processes()).toEqual([parent, child]);
  });

  test('init runs before any message; a message sent during an async init waits for it', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = rt.spawn((m) => void log.push(`msg ${String(m)}`), {
      init: async (ctx) => {
        log.push('init start');
        await ctx.sleep(100);
        log.push('init end');
      },
    });
    rt.send(pid, 'early');
    await rt.idle();
    expect(log).toEqual(['init start']);
    await rt.advance(100);
    expect(log).toEqual(['init start', 'init end', 'msg early']);
  });

  test('a throwing or rejecting init makes the process exit with the error', async () => {
    const rt = vrt();
    const err = new Error('init failed');
    const a = rt.spawn(() => undefined, {
      init: () => {
        throw err;
      },
    });
    const b = rt.spawn(() => undefined, { init: async () => Promise.reject(err) });
    await rt.idle();
    expect(rt.exitReason(a)).toBe(err);
    expect(rt.exitReason(b)).toBe(err);
  });

  test('trapExit option traps from the start', async () => {
    const rt = vrt();
    const inbox: unknown[] = [];
    const pid = rt.spawn((m) => void inbox.push(m), { trapExit: true });
    rt.exit(pid, 'boom');
    await rt.idle();
    expect(rt.isAlive(pid)).toBe(true);
    expect(inbox).toHaveLength(1);
  });

  test('spawnLink from inside a process links the child to it', async () => {
    const rt = vrt();
    let kid!: ReturnType<Runtime['spawn']>;
    const parent = rt.spawn((m, ctx) => {
      if (m === 'spawn') {
        kid = ctx.spawnLink(() => undefined);
        ctx.spawn(() => undefined, { name: 'unlinked' });
      } else ctx.exit('boom');
    });
    rt.send(parent, 'spawn');
    rt.send(parent, 'die');
    await rt.idle();
    expect(rt.exitReason(kid)).toBe('boom');
    expect(rt.isAlive('unlinked')).toBe(true);
  });

  test('an async handler handles one message at a time, in order', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = rt.spawn(async (m, ctx) => {
      log.push(`start ${String(m)}`);
      await ctx.sleep(10);
      log.push(`end ${String(m)}`);
    });
    rt.send(pid, 1);
    rt.send(pid, 2);
    await rt.idle();
    expect(rt.messageQueueLength(pid)).toBe(1);
    await rt.advance(20);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(rt.messageQueueLength(pid)).toBe(0);
  });

  test('a rejected async handler makes the process exit with the rejection', async () => {
    const rt = vrt();
    const pid = rt.spawn(async () => {
      await Promise.resolve();
      throw new RangeError('late');
    });
    rt.send(pid, 'x');
    await rt.idle();
    expect(rt.exitReason(pid)).toBeInstanceOf(RangeError);
  });

  test('ctx.exit inside an async handler ends the process; code after it has no effect on others', async () => {
    const rt = vrt();
    const inbox: unknown[] = [];
    const other = rt.spawn((m) => void inbox.push(m));
    const pid = rt.spawn(async (_m, ctx) => {
      ctx.exit();
      await Promise.resolve();
      try {
        ctx.send(other, 'after exit');
      } catch {
        // expected: a dead process cannot act
      }
    });
    rt.send(pid, 'x');
    await rt.idle();
    expect(rt.exitReason(pid)).toBe('normal');
    expect(inbox).toEqual([]);
  });
});

describe('timers', () => {
  test('sendAfter delivers in virtual time; cancelTimer stops it', async () => {
    const rt = vrt();
    const inbox: Array<[unknown, number]> = [];
    const pid = rt.spawn((m, ctx) => {
      if (m === 'arm') {
        ctx.sendAfter(100, 'tick');
        ctx.cancelTimer(ctx.sendAfter(50, 'cancelled'));
      } else inbox.push([m, ctx.now()]);
    });
    rt.send(pid, 'arm');
    await rt.advance(99);
    expect(inbox).toEqual([]);
    await rt.advance(1);
    expect(inbox).toEqual([['tick', 100]]);
  });

  test("a process's timers are cancelled when it exits", async () => {
    const rt = vrt();
    const pid = rt.spawn((m, ctx) => {
      if (m === 'arm') {
        ctx.sendAfter(100, 'a');
        ctx.sendAfter(200, 'b');
      } else ctx.exit('boom');
    });
    rt.send(pid, 'arm');
    await rt.idle();
    expect(rt.clock.pendingTimers()).toBe(2);
    rt.send(pid, 'die');
    await rt.idle();
    expect(rt.clock.pendingTimers()).toBe(0);
  });

  test('advance fires timers set by reactions to earlier timers, each at its own deadline', async () => {
    const rt = vrt();
    const times: number[] = [];
    const pid = rt.spawn((_m, ctx) => {
      times.push(ctx.now());
      ctx.sendAfter(100, 'again');
    });
    rt.send(pid, 'start');
    await rt.advance(350);
    expect(times).toEqual([0, 100, 200, 300]);
    expect(rt.now()).toBe(350);
    expect(rt.history.ofKind('clock.advance').map((e) => e.data)).toEqual([{ from: 0, to: 350 }]);
  });

  test('runTimers fires pending timers until none is left or the limit passes', async () => {
    const rt = vrt();
    const fired: number[] = [];
    for (const d of [30, 10, 20]) rt.setTimer(d, () => fired.push(d));
    expect(await rt.runTimers(15)).toBe(1);
    expect(fired).toEqual([10]);
    expect(await rt.runTimers()).toBe(2);
    expect(fired).toEqual([10, 20, 30]);
    expect(rt.now()).toBe(30);
    expect(await rt.runTimers()).toBe(0);
  });

  test('setTimer without an owner survives process exits; clearTimer cancels it', async () => {
    const rt = vrt();
    const fired: string[] = [];
    const keep = rt.setTimer(10, () => fired.push('kept'));
    const drop = rt.setTimer(10, () => fired.push('dropped'));
    expect(keep.deadline).toBe(10);
    expect(rt.clearTimer(drop)).toBe(true);
    await rt.advance(10);
    expect(fired).toEqual(['kept']);
  });

  test('sleep holds the process but not the system', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = rt.spawn(async (m, ctx) => {
      if (m === 'nap') {
        await ctx.sleep(1000);
        log.push(`woke at ${ctx.now()}`);
      } else log.push(String(m));
    });
    rt.send(pid, 'nap');
    rt.send(pid, 'after');
    await rt.idle();
    expect(log).toEqual([]);
    await rt.advance(1000);
    expect(log).toEqual(['woke at 1000', 'after']);
  });

  test('advance and runTimers need a virtual clock', async () => {
    const rt = new Runtime();
    for (const p of [rt.advance(10), rt.runTimers()]) {
      const error = (await rejection(p)) as QuiesceError;
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toContain("clock: 'virtual'");
    }
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined])('advance(%s) is rejected with INVALID_OPTION and time does not move', async (ms) => {
    const rt = vrt();
    const error = (await rejection(rt.advance(ms as number))) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain('advance(ms)');
    expect(rt.now()).toBe(0);
    expect(rt.history.length).toBe(0);
  });
});

describe('idleness', () => {
  test('idle waits for external operations in flight', async () => {
    const rt = vrt();
    const order: string[] = [];
    let finish!: (v: string) => void;
    const op = rt.external(new Promise<string>((r) => (finish = r))).then((v) => order.push(v));
    expect(rt.isQuiet()).toBe(false);
    const idle = rt.idle().then(() => order.push('idle'));
    finish('external done');
    await Promise.all([op, idle]);
    expect(order).toEqual(['external done', 'idle']);
    expect(rt.isQuiet()).toBe(true);
  });

  test('a failed external operation is no longer counted', async () => {
    const rt = vrt();
    const error = await rejection(rt.external(Promise.reject(new Error('spawn failed'))));
    expect((error as Error).message).toBe('spawn failed');
    expect(rt.isQuiet()).toBe(true);
    await rt.idle();
  });

  test('a busy handler keeps the system from being idle until it finishes', async () => {
    const rt = vrt();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const pid = rt.spawn(async () => {
      started();
      await gate; // not a kernel event: the handler counts as working
      order.push('handled');
    });
    rt.send(pid, 'x');
    await running;
    expect(rt.isQuiet()).toBe(false);
    const idle = rt.idle().then(() => order.push('idle'));
    release();
    await idle;
    expect(order).toEqual(['handled', 'idle']);
  });
});

describe('shutdown', () => {
  test('kills every live process newest first and refuses new work', async () => {
    const rt = vrt();
    const a = rt.spawn(() => undefined);
    const b = rt.spawn(() => undefined, { trapExit: true });
    const c = rt.spawn(() => undefined);
    rt.exit(a, 'kill');
    await rt.idle();
    const from = rt.history.length;
    await rt.shutdown();
    expect(rt.stopped).toBe(true);
    expect(rt.processes()).toEqual([]);
    expect(rt.history.events.slice(from).map((e) => [e.kind, (e.data as { pid: string }).pid, (e.data as { reason: unknown }).reason])).toEqual([
      ['process.exit', String(c), 'killed'],
      ['process.exit', String(b), 'killed'],
    ]);
    const error = thrown(() => rt.spawn(() => undefined)) as QuiesceError;
    expect(error.code).toBe('RUNTIME_STOPPED');
    expect(error.message).toContain('spawn');
    await rt.shutdown(); // idempotent
    expect(rt.history.length).toBe(from + 2);
  });
});

describe('message recording', () => {
  test('recordMessages logs every send with sender and target labels', async () => {
    const rt = vrt({ recordMessages: true });
    const target = rt.spawn(() => undefined, { label: 'sink' });
    const sender = rt.spawn((m, ctx) => ctx.send(target, { relay: m }), { label: 'relay' });
    rt.send(sender, 1);
    await rt.idle();
    expect(rt.history.ofKind('message.send').map((e) => [e.source, e.data])).toEqual([
      ['external', { to: 'relay', message: 1 }],
      ['relay', { to: 'sink', message: { relay: 1 } }],
    ]);
  });

  test('messages are not recorded by default', async () => {
    const rt = vrt();
    rt.send(
      rt.spawn(() => undefined),
      'x',
    );
    await rt.idle();
    expect(rt.history.ofKind('message.send')).toEqual([]);
  });
});

describe('exit reasons', () => {
  test('isNormalExit covers normal, shutdown and {shutdown: term} only', () => {
    expect([isNormalExit('normal'), isNormalExit('shutdown'), isNormalExit({ shutdown: 'x' }), isNormalExit({ shutdown: { deep: 1 } })]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([
      isNormalExit('kill'),
      isNormalExit('killed'),
      isNormalExit(new Error('shutdown')),
      isNormalExit({ shutdown: 1, extra: 2 }),
      isNormalExit(null),
      isNormalExit('boom'),
    ]).toEqual([false, false, false, false, false, false]);
    expect(Runtime.isNormalExit).toBe(isNormalExit);
  });

  test('serialiseReason gives a JSON-safe form', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(serialiseReason(new TypeError('x'))).toEqual({ error: 'TypeError', message: 'x' });
    expect(serialiseReason({ shutdown: { a: [1, 2] } })).toEqual({ shutdown: { a: [1, 2] } });
    expect(serialiseReason(circular)).toBe('[object Object]');
    expect(serialiseReason('boom')).toBe('boom');
    expect(serialiseReason(42)).toBe(42);
  });
});

test('a shared History keeps its own numbering across runtimes', async () => {
  const h = new History();
  const a = new Runtime({ clock: 'virtual', history: h });
  const b = new Runtime({ clock: 'virtual', history: h });
  a.spawn(() => undefined);
  b.spawn(() => undefined);
  expect(h.events.map((e) => e.seq)).toEqual([0, 1]);
});
