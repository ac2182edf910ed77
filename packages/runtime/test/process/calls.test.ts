import { describe, expect, test } from 'vitest';
import { CallExitError, CallTimeoutError, NoProcError, Pid, QuiesceError, type From, type Runtime } from '@quiesce/runtime';
import { rejection, vrt } from '../support/helpers.js';

/** Track a promise's settlement without awaiting it. */
function track<T>(p: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  p.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** A plain process that answers calls: replies now, later (on 'flush'), or never. */
function answerer(rt: Runtime, mode: 'now' | 'later' | 'never' | 'twice') {
  const held: From[] = [];
  const pid = rt.spawn((m, ctx) => {
    if (m === 'flush') {
      for (const from of held.splice(0)) ctx.reply(from, 'late reply');
      return;
    }
    const { request, from } = m as { request: unknown; from: From };
    if (mode === 'now') ctx.reply(from, { echo: request });
    else if (mode === 'twice') {
      ctx.reply(from, 'first');
      ctx.reply(from, 'second');
    } else if (mode === 'later') held.push(from);
  });
  return pid;
}

describe('call', () => {
  test('a call from outside resolves with the reply', async () => {
    const rt = vrt();
    const pid = answerer(rt, 'now');
    expect(await rt.call(pid, 42)).toEqual({ echo: 42 });
  });

  test('a copy of the From (same caller and ref) answers the call too, once; the From equals its plain copy', async () => {
    const rt = vrt();
    const pid = rt.spawn((m, ctx) => {
      const { request, from } = m as { request: unknown; from: From };
      expect(from).toEqual({ caller: null, ref: from.ref });
      const copy: From = { ...from };
      ctx.reply(copy, { echo: request });
      ctx.reply(from, 'second');
    });
    expect(await rt.call(pid, 7)).toEqual({ echo: 7 });
  });

  test('a call from inside a process blocks only the caller, and the system is idle meanwhile', async () => {
    const rt = vrt();
    const server = answerer(rt, 'later');
    const got: unknown[] = [];
    const caller = rt.spawn(async (m, ctx) => {
      got.push(await ctx.call(server, m));
    });
    rt.send(caller, 'q');
    await rt.idle(); // would hang if a waiting caller counted as busy
    expect(got).toEqual([]);
    rt.send(server, 'flush');
    await rt.idle();
    expect(got).toEqual(['late reply']);
  });

  test('concurrent calls from one process (Promise.all) still let virtual time advance', async () => {
    const rt = vrt();
    // One server answers at once, the other only after 100 ms of virtual time.
    const quick = answerer(rt, 'now');
    const slow = rt.spawn(async (m, ctx) => {
      const { from } = m as { from: From };
      await ctx.sleep(100);
      ctx.reply(from, 'slow reply');
    });
    const got: unknown[] = [];
    const caller = rt.spawn(async (_m, ctx) => {
      got.push(await Promise.all([ctx.call(quick, 1), ctx.call(slow, 2), ctx.await(Promise.resolve('plain'))]));
    });
    rt.send(caller, 'go');
    await rt.advance(100); // hangs if the caller counted as busy while waiting on two calls
    expect(got).toEqual([[{ echo: 1 }, 'slow reply', 'plain']]);
    expect(rt.isQuiet()).toBe(true);
  });

  test('replying twice is a no-op: the caller gets the first reply', async () => {
    const rt = vrt();
    expect(await rt.call(answerer(rt, 'twice'), 'x')).toBe('first');
  });

  test('a call times out in virtual time with CallTimeoutError naming target and timeout', async () => {
    const rt = vrt();
    const pid = rt.spawn(() => undefined, { label: 'silent' });
    const result = track(rt.call(pid, 'x', 100));
    await rt.advance(99);
    expect(result.settled).toBe(false);
    await rt.advance(1);
    expect(result.error).toBeInstanceOf(CallTimeoutError);
    expect((result.error as QuiesceError).code).toBe('CALL_TIMEOUT');
    expect((result.error as QuiesceError).message).toBe('call to silent timed out after 100 ms');
    expect(rt.clock.pendingTimers()).toBe(0);
  });

  test('the default timeout is 5000 ms; a late reply after the timeout is ignored', async () => {
    const rt = vrt();
    const pid = answerer(rt, 'later');
    const result = track(rt.call(pid, 'x'));
    await rt.advance(4999);
    expect(result.settled).toBe(false);
    await rt.advance(1);
    expect(result.error).toBeInstanceOf(CallTimeoutError);
    rt.send(pid, 'flush');
    await rt.idle();
    expect(result.value).toBeUndefined();
  });

  test("'infinity' never times out", async () => {
    const rt = vrt();
    const pid = answerer(rt, 'later');
    const result = track(rt.call(pid, 'x', 'infinity'));
    await rt.advance(10 ** 9);
    expect(result.settled).toBe(false);
    expect(rt.clock.pendingTimers()).toBe(0);
    rt.send(pid, 'flush');
    await rt.idle();
    expect(result.value).toBe('late reply');
  });

  test('a caller process times out in virtual time too', async () => {
    const rt = vrt();
    const silent = rt.spawn(() => undefined);
    const errors: unknown[] = [];
    const caller = rt.spawn(async (_m, ctx) => {
      try {
        await ctx.call(silent, 'x', 250);
      } catch (e) {
        errors.push(e);
      }
    });
    rt.send(caller, 'go');
    await rt.advance(249);
    expect(errors).toEqual([]);
    await rt.advance(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CallTimeoutError);
    expect(rt.isAlive(caller)).toBe(true);
  });

  test('the target exiting during the call rejects with CallExitError carrying the reason', async () => {
    const rt = vrt();
    const pid = rt.spawn((_m, ctx) => ctx.exit('boom'), { label: 'doomed' });
    const error = await rejection(rt.call(pid, 'x'));
    expect(error).toBeInstanceOf(CallExitError);
    expect((error as CallExitError).code).toBe('CALL_EXIT');
    expect((error as CallExitError).reason).toBe('boom');
    expect((error as CallExitError).message).toBe('call to doomed failed: the server exited with boom');
    const e2 = await rejection(
      rt.call(
        rt.spawn(() => Promise.reject(new TypeError('bad'))),
        'x',
      ),
    );
    expect((e2 as CallExitError).message).toContain('TypeError: bad');
  });

  test('a call to a dead pid or unknown name rejects with NOPROC', async () => {
    const rt = vrt();
    const dead = rt.spawn((_m, ctx) => ctx.exit('normal'));
    rt.send(dead, 'x');
    await rt.idle();
    expect(await rejection(rt.call(dead, 'x'))).toBeInstanceOf(NoProcError);
    expect(await rejection(rt.call('nobody', 'x'))).toBeInstanceOf(NoProcError);
    expect(await rejection(rt.call(new Pid(rt.node, 999), 'x'))).toBeInstanceOf(NoProcError);
  });

  test('a call by name reaches the registered process', async () => {
    const rt = vrt();
    rt.register('echo', answerer(rt, 'now'));
    expect(await rt.call('echo', 'hi')).toEqual({ echo: 'hi' });
  });

  test.each([-1, Number.NaN, '100', null, Number.POSITIVE_INFINITY])('a bad timeout %s rejects with INVALID_OPTION and sends nothing', async (timeout) => {
    const rt = vrt();
    const seen: unknown[] = [];
    const pid = rt.spawn((m) => {
      seen.push(m);
    });
    const error = (await rejection(rt.call(pid, 'x', timeout as number))) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain('timeout');
    await rt.idle();
    expect(seen).toEqual([]);
  });

  test('cast wraps the message so servers can tell it from info', async () => {
    const rt = vrt();
    const seen: unknown[] = [];
    const pid = rt.spawn((m) => {
      seen.push(m);
    });
    rt.cast(pid, { hello: 1 });
    await rt.idle();
    expect(seen).toEqual([{ $cast: { hello: 1 } }]);
  });
});

describe('sync and getState', () => {
  test('sync resolves only after every message already in the mailbox has been handled', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = rt.spawn(async (m, ctx) => {
      await ctx.sleep(100);
      log.push(m as string);
    });
    rt.send(pid, 'm1');
    rt.send(pid, 'm2');
    const synced = rt.sync(pid, 'infinity').then(() => log.push('synced'));
    rt.send(pid, 'm3');
    await rt.advance(150);
    expect(log).toEqual(['m1']);
    await rt.advance(50);
    await synced;
    expect(log).toEqual(['m1', 'm2', 'synced']);
    await rt.advance(100);
    expect(log).toEqual(['m1', 'm2', 'synced', 'm3']);
  });

  test('getState of a plain process is undefined; both reject NOPROC for a dead target', async () => {
    const rt = vrt();
    const pid = rt.spawn(() => undefined);
    expect(await rt.getState(pid)).toBeUndefined();
    rt.exit(pid, 'kill');
    await rt.idle();
    expect(await rejection(rt.sync(pid))).toBeInstanceOf(NoProcError);
    expect(await rejection(rt.getState(pid))).toBeInstanceOf(NoProcError);
  });

  test('sync times out in virtual time behind a busy process', async () => {
    const rt = vrt();
    const pid = rt.spawn(async (_m, ctx) => {
      await ctx.sleep(10_000);
    });
    rt.send(pid, 'busy');
    const result = track(rt.sync(pid, 300));
    await rt.advance(299);
    expect(result.settled).toBe(false);
    await rt.advance(1);
    expect(result.error).toBeInstanceOf(CallTimeoutError);
  });

  test.each([-5, Number.NaN, 'soon', Number.POSITIVE_INFINITY])('sync and getState reject a bad timeout %s with INVALID_OPTION', async (timeout) => {
    const rt = vrt();
    const pid = rt.spawn(() => undefined);
    for (const p of [rt.sync(pid, timeout as number), rt.getState(pid, timeout as number)]) {
      const error = (await rejection(p)) as QuiesceError;
      expect(error).toBeInstanceOf(QuiesceError);
      expect(error.code).toBe('INVALID_OPTION');
    }
  });

  test('shutting the runtime down rejects pending calls with RUNTIME_STOPPED', async () => {
    const rt = vrt();
    const pid = answerer(rt, 'later');
    const result = track(rt.call(pid, 'x', 'infinity'));
    await rt.idle();
    await rt.shutdown();
    expect((result.error as QuiesceError).code).toBe('RUNTIME_STOPPED');
  });
});
