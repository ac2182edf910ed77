import { describe, expect, test } from 'vitest';
import { CallExitError, CallTimeoutError, QuiesceError, startServer, type ExitReason, type From, type ServerBehaviour } from '@quiesce/runtime';
import { startServerOutcome } from '@quiesce/runtime/internal';
import { rejection, vrt } from '../support/helpers.js';

type Req = { get: true } | { add: number } | { hold: true } | { stopWith: ExitReason; reply?: unknown } | { crash: string } | { slowAdd: number };

/** A counter server that records its callbacks. */
function counter(log: string[] = []): ServerBehaviour<{ n: number; held: From[] }, number, Req> {
  return {
    init: (start) => {
      log.push(`init ${start}`);
      return { state: { n: start, held: [] } };
    },
    handleCall(req, from, state) {
      if ('get' in req) return { reply: state.n, state };
      if ('add' in req) return { reply: state.n + req.add, state: { ...state, n: state.n + req.add } };
      if ('hold' in req) return { noreply: true, state: { ...state, held: [...state.held, from] } };
      if ('stopWith' in req) return 'reply' in req ? { stop: req.stopWith, reply: req.reply, state } : { stop: req.stopWith, state };
      if ('crash' in req) throw new Error(req.crash);
      return { reply: null, state };
    },
    async handleCast(msg: { add?: number; release?: unknown; slowAdd?: number; stop?: ExitReason }, state, ctx) {
      if (msg.stop !== undefined) return { stop: msg.stop, state };
      if (msg.release !== undefined) {
        for (const from of state.held) ctx.reply(from, msg.release);
        return { state: { ...state, held: [] } };
      }
      if (msg.slowAdd !== undefined) {
        await ctx.sleep(100);
        return { state: { ...state, n: state.n + msg.slowAdd } };
      }
      return { state: { ...state, n: state.n + (msg.add ?? 0) } };
    },
    handleInfo(msg, state) {
      log.push(`info ${JSON.stringify(msg)}`);
      if (msg === 'stop-info') return { stop: 'normal', state };
      return { state };
    },
    terminate(reason, state) {
      log.push(`terminate ${typeof reason === 'string' ? reason : JSON.stringify(reason instanceof Error ? reason.message : reason)} n=${state.n}`);
    },
  };
}

describe('callbacks', () => {
  test('init, handleCall, handleCast, handleInfo and getState work on one state', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = await startServer(rt, counter(log), 10);
    expect(await rt.call(pid, { get: true })).toBe(10);
    expect(await rt.call(pid, { add: 5 })).toBe(15);
    rt.cast(pid, { add: 2 });
    rt.send(pid, 'plain info');
    expect(await rt.getState(pid)).toEqual({ n: 17, held: [] });
    expect(log).toEqual(['init 10', 'info "plain info"']);
  });

  test('an async init receives its args and the server answers after it', async () => {
    const rt = vrt();
    const started = startServer(
      rt,
      {
        async init(args: { n: number }, ctx) {
          await ctx.sleep(50);
          return { state: args.n * 2 };
        },
        handleCall: (_r, _f, s) => ({ reply: s, state: s }),
      },
      { n: 21 },
    );
    await rt.advance(50);
    const pid = await started;
    expect(await rt.call(pid, 'x')).toBe(42);
  });

  test('a call answered later with ctx.reply', async () => {
    const rt = vrt();
    const pid = await startServer(rt, counter(), 0);
    const a = rt.call(pid, { hold: true }, 'infinity');
    const b = rt.call(pid, { hold: true }, 'infinity');
    await rt.idle();
    rt.cast(pid, { release: 'later' });
    expect(await Promise.all([a, b])).toEqual(['later', 'later']);
  });

  test('a call that is never answered times out in virtual time', async () => {
    const rt = vrt();
    const pid = await startServer(rt, counter(), 0, { label: 'held' });
    const result = rejection(rt.call(pid, { hold: true }, 1000));
    await rt.advance(1000);
    const error = await result;
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect((error as QuiesceError).message).toContain('held');
    expect(rt.isAlive(pid)).toBe(true);
  });

  test('stop with a reply: the caller gets the reply, then terminate runs and the server exits', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = await startServer(rt, counter(log), 3);
    expect(await rt.call(pid, { stopWith: 'normal', reply: 'bye' })).toBe('bye');
    await rt.idle();
    expect(rt.exitReason(pid)).toBe('normal');
    expect(log).toEqual(['init 3', 'terminate normal n=3']);
  });

  test('stop without a reply: the caller gets CallExitError with the reason', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = await startServer(rt, counter(log), 1);
    const error = (await rejection(rt.call(pid, { stopWith: { shutdown: 'done' } }))) as CallExitError;
    expect(error).toBeInstanceOf(CallExitError);
    expect(error.reason).toEqual({ shutdown: 'done' });
    expect(log.at(-1)).toBe('terminate {"shutdown":"done"} n=1');
  });

  test('a crash in handleCall: terminate runs with the error, the caller gets CallExitError', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = await startServer(rt, counter(log), 0);
    const error = (await rejection(rt.call(pid, { crash: 'kaboom' }))) as CallExitError;
    expect(error).toBeInstanceOf(CallExitError);
    expect((error.reason as Error).message).toBe('kaboom');
    expect(log.at(-1)).toBe('terminate "kaboom" n=0');
    expect((rt.exitReason(pid) as Error).message).toBe('kaboom');
  });

  test('the server exiting while a call waits rejects the call with CallExitError', async () => {
    const rt = vrt();
    const pid = await startServer(rt, counter(), 0);
    const pending = rejection(rt.call(pid, { hold: true }, 'infinity'));
    await rt.idle();
    rt.exit(pid, 'kill');
    const error = (await pending) as CallExitError;
    expect(error.code).toBe('CALL_EXIT');
    expect(error.reason).toBe('killed');
  });

  test('a stop from handleCast or handleInfo runs terminate', async () => {
    const rt = vrt();
    const log: string[] = [];
    const a = await startServer(rt, counter(log), 0);
    rt.cast(a, { stop: 'shutdown' });
    const b = await startServer(rt, counter(log), 1);
    rt.send(b, 'stop-info');
    await rt.idle();
    expect(rt.exitReason(a)).toBe('shutdown');
    expect(rt.exitReason(b)).toBe('normal');
    expect(log).toContain('terminate shutdown n=0');
    expect(log).toContain('terminate normal n=1');
  });

  test('a throwing terminate makes the server exit with its error', async () => {
    const rt = vrt();
    const err = new Error('terminate failed');
    const pid = await startServer(
      rt,
      {
        init: () => ({ state: 0 }),
        handleCast: () => ({ stop: 'normal', state: 0 }),
        terminate: () => {
          throw err;
        },
      },
      undefined,
    );
    rt.cast(pid, 'stop');
    await rt.idle();
    expect(rt.exitReason(pid)).toBe(err);
  });

  test('a callback that exits the server and then throws: the exit reason stands, terminate does not run', async () => {
    const rt = vrt();
    const log: string[] = [];
    const pid = await startServer(
      rt,
      {
        init: () => ({ state: 0 }),
        handleInfo(_m, _s, ctx) {
          ctx.exit('chosen');
          throw new Error('after exit');
        },
        terminate: () => void log.push('terminate'),
      },
      undefined,
    );
    rt.send(pid, 'go');
    await rt.idle();
    expect(rt.exitReason(pid)).toBe('chosen');
    expect(log).toEqual([]);
  });

  test('missing callbacks: no handleCall or handleCast crashes the server; no handleInfo ignores info', async () => {
    const rt = vrt();
    const minimal = { init: () => ({ state: 'ok' }) };
    const a = await startServer(rt, minimal, undefined);
    const error = (await rejection(rt.call(a, 'hello'))) as CallExitError;
    expect((error.reason as QuiesceError).message).toContain('no handleCall');
    const b = await startServer(rt, minimal, undefined);
    rt.cast(b, 'x');
    const c = await startServer(rt, minimal, undefined);
    rt.send(c, 'info');
    await rt.idle();
    expect((rt.exitReason(b) as QuiesceError).message).toContain('no handleCast');
    expect(rt.isAlive(c)).toBe(true);
  });
});

describe('sync and state', () => {
  test('rt.sync resolves after the messages already in the mailbox', async () => {
    const rt = vrt();
    const pid = await startServer(rt, counter(), 0);
    rt.cast(pid, { slowAdd: 1 });
    rt.cast(pid, { slowAdd: 10 });
    let synced = false;
    const sync = rt.sync(pid, 'infinity').then(() => (synced = true));
    await rt.advance(100);
    expect(synced).toBe(false);
    await rt.advance(100);
    await sync;
    expect(synced).toBe(true);
    expect(await rt.getState(pid)).toEqual({ n: 11, held: [] });
  });

  test('getState is answered in mailbox order, after earlier casts', async () => {
    const rt = vrt();
    const pid = await startServer(rt, counter(), 0);
    for (let i = 1; i <= 5; i++) rt.cast(pid, { add: i });
    expect(await rt.getState(pid)).toEqual({ n: 15, held: [] });
  });
});

describe('init results', () => {
  test('ignore: no process; startServer rejects START_FAILED, the outcome is { ignore }', async () => {
    const rt = vrt();
    const behaviour = { init: () => ({ ignore: true as const }) };
    expect(await startServerOutcome(rt, behaviour, undefined)).toEqual({ ignore: true });
    const error = (await rejection(startServer(rt, behaviour, undefined))) as QuiesceError;
    expect(error.code).toBe('START_FAILED');
    expect(error.details).toEqual({ ignore: true });
    await rt.idle();
    expect(rt.processes()).toEqual([]);
    expect(rt.history.ofKind('process.exit').map((e) => (e.data as { reason: unknown }).reason)).toEqual(['normal', 'normal']);
  });

  test('stop: the process exits with the reason and the start fails with it', async () => {
    const rt = vrt();
    const behaviour = { init: () => ({ stop: { bad_config: 'port' } }) };
    expect(await startServerOutcome(rt, behaviour, undefined)).toEqual({ error: { bad_config: 'port' } });
    const error = (await rejection(startServer(rt, behaviour, undefined))) as QuiesceError;
    expect(error.code).toBe('START_FAILED');
    expect(error.message).toContain('{"bad_config":"port"}');
    expect(error.details.reason).toEqual({ bad_config: 'port' });
    await rt.idle();
    expect(rt.processes()).toEqual([]);
  });

  test('throw: the start fails with the error', async () => {
    const rt = vrt();
    const err = new Error('cannot open');
    const behaviour = {
      init: async () => {
        throw err;
      },
    };
    expect(await startServerOutcome(rt, behaviour, undefined)).toEqual({ error: err });
    const error = (await rejection(startServer(rt, behaviour, undefined))) as QuiesceError;
    expect(error.message).toContain('cannot open');
    expect(error.details.reason).toBe(err);
    await rt.idle();
    expect(rt.processes()).toEqual([]);
  });

  test('an init slower than its timeout is killed in virtual time and the start fails with TIMEOUT', async () => {
    const rt = vrt();
    const outcome = startServerOutcome(
      rt,
      {
        async init(_a: void, ctx) {
          await ctx.sleep(10_000);
          return { state: 0 };
        },
      },
      undefined,
      { timeout: 100 },
    );
    await rt.advance(100);
    const result = (await outcome) as { error: QuiesceError };
    expect(result.error.code).toBe('TIMEOUT');
    expect(result.error.message).toContain('100 ms');
    await rt.idle();
    expect(rt.processes()).toEqual([]);
    expect(rt.history.ofKind('process.exit').map((e) => (e.data as { reason: unknown }).reason)).toEqual(['killed']);
  });

  test("timeout 'infinity' waits for as long as init takes", async () => {
    const rt = vrt();
    const started = startServer(
      rt,
      {
        async init(_a: void, ctx) {
          await ctx.sleep(60_000);
          return { state: 0 };
        },
      },
      undefined,
      { timeout: 'infinity' },
    );
    await rt.advance(60_000);
    expect(rt.isAlive(await started)).toBe(true);
  });

  test('name and label options register and label the server', async () => {
    const rt = vrt();
    const pid = await startServer(rt, counter(), 7, { name: 'ctr', label: 'app/ctr' });
    expect(rt.whereis('ctr')).toBe(pid);
    expect(rt.label(pid)).toBe('app/ctr');
    expect(await rt.call('ctr', { get: true })).toBe(7);
  });
});

describe('parent', () => {
  test('a trapping server terminates with its parent exit reason', async () => {
    const rt = vrt();
    const log: string[] = [];
    const parent = rt.spawn(() => undefined, { trapExit: true });
    const base = counter(log);
    const pid = await startServer(
      rt,
      {
        ...base,
        init: (n: number, ctx) => {
          ctx.trapExit(true);
          return base.init(n, ctx);
        },
      },
      5,
      { link: parent },
    );
    // An EXIT from a process other than the parent is just info.
    const stranger = rt.spawn(() => undefined);
    rt.link(pid, stranger);
    rt.exit(stranger, 'bye');
    await rt.idle();
    expect(rt.isAlive(pid)).toBe(true);
    rt.exit(parent, 'kill');
    await rt.idle();
    expect(rt.exitReason(pid)).toBe('killed');
    expect(log.filter((l) => l.startsWith('terminate'))).toEqual(['terminate killed n=5']);
    expect(log.some((l) => l.startsWith('info {"type":"EXIT"'))).toBe(true);
  });

  test('a non-trapping server dies with its parent without terminate', async () => {
    const rt = vrt();
    const log: string[] = [];
    const parent = rt.spawn(() => undefined);
    const pid = await startServer(rt, counter(log), 0, { link: parent });
    rt.exit(parent, 'boom');
    await rt.idle();
    expect(rt.exitReason(pid)).toBe('boom');
    expect(log).toEqual(['init 0']);
  });

  test('linked to a dead parent: the start fails with noproc', async () => {
    const rt = vrt();
    const parent = rt.spawn(() => undefined);
    rt.exit(parent, 'kill');
    await rt.idle();
    expect(await startServerOutcome(rt, counter(), 0, { link: parent })).toEqual({ error: 'noproc' });
  });
});

describe('bad input', () => {
  const cases: Array<[string, unknown, unknown, string]> = [
    ['behaviour null', null, {}, 'server behaviour'],
    ['behaviour not object', 'x', {}, 'server behaviour'],
    ['init missing', {}, {}, 'server behaviour.init'],
    ['handleCall not function', { init: () => ({ state: 0 }), handleCall: 5 }, {}, 'server behaviour.handleCall'],
    ['terminate not function', { init: () => ({ state: 0 }), terminate: 'x' }, {}, 'server behaviour.terminate'],
    ['negative timeout', { init: () => ({ state: 0 }) }, { timeout: -1 }, 'timeout'],
    ['string timeout', { init: () => ({ state: 0 }) }, { timeout: '5s' }, 'timeout'],
    ['infinite timeout', { init: () => ({ state: 0 }) }, { timeout: Number.POSITIVE_INFINITY }, 'timeout'],
    ['bad name', { init: () => ({ state: 0 }) }, { name: '' }, 'name'],
    ['bad label', { init: () => ({ state: 0 }) }, { label: 7 }, 'label'],
    ['bad link', { init: () => ({ state: 0 }) }, { link: '<0.1>' }, 'link'],
    ['options null', { init: () => ({ state: 0 }) }, null, 'startServer options'],
  ];
  test.each(cases)('%s: rejected with INVALID_OPTION naming the field; nothing spawned', async (_name, behaviour, options, field) => {
    const rt = vrt();
    const error = (await rejection(startServer(rt, behaviour as ServerBehaviour<number>, undefined, options as object))) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message.startsWith(`${field}: got `)).toBe(true);
    expect(error.message).toContain('expected');
    await rt.idle();
    expect(rt.processes()).toEqual([]);
    expect(rt.history.length).toBe(0);
    expect(rt.clock.pendingTimers()).toBe(0);
  });
});
