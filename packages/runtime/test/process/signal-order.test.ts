/**
 * Signals between one pair of processes arrive in the order they were sent, whatever their kind
 * (messages, exit signals, link, unlink, monitor, demonitor, call requests and replies), as in
 * OTP ("if an entity sends multiple signals to the same destination entity, the order is
 * preserved"). Each expectation here was checked against Erlang/OTP 25 (`erl +S 1:1`).
 */
import { describe, expect, test } from 'vitest';
import {
  CallExitError,
  NoProcError,
  Pid,
  isExitMessage,
  startServer,
  type ExitReason,
  type ProcessContext,
  type Runtime,
  type ServerBehaviour,
} from '@quiesce/runtime';
import { rejection, vrt } from '../support/helpers.js';

const echo: ServerBehaviour<null> = {
  init: () => ({ state: null }),
  handleCall: (request, _from, state) => ({ reply: request, state }),
};

/** A process that runs `act` on its first message and records every later one. */
function actor(rt: Runtime, act: (ctx: ProcessContext) => void | Promise<void>, options: { trapExit?: boolean } = {}) {
  const inbox: unknown[] = [];
  let acted = false;
  const pid = rt.spawn(async (m, ctx) => {
    if (acted) inbox.push(m);
    else {
      acted = true;
      await act(ctx);
    }
  }, options);
  rt.send(pid, 'go');
  return { pid, inbox };
}

describe('a signal and an act on the same target keep their order', () => {
  test('kill, then call from outside: the call finds the server dead and rejects NOPROC (OTP: noproc)', async () => {
    const rt = vrt();
    const a = await startServer(rt, echo, undefined);
    rt.exit(a, 'kill');
    const error = await rejection(rt.call(a, 'echo'));
    expect(error).toBeInstanceOf(NoProcError);
    expect(rt.exitReason(a)).toBe('killed');
  });

  test('kill, then call from inside a process: NOPROC too', async () => {
    const rt = vrt();
    const a = await startServer(rt, echo, undefined);
    let outcome: unknown;
    actor(rt, async (ctx) => {
      ctx.kill(a, 'kill');
      outcome = await rejection(ctx.call(a, 'echo'));
    });
    await rt.idle();
    expect(outcome).toBeInstanceOf(NoProcError);
  });

  test('an exit signal from another sender is not ordered with the call: a request that arrived first sees the exit reason', async () => {
    const rt = vrt();
    const slow: ServerBehaviour<null> = {
      init: () => ({ state: null }),
      handleCall: async (request, _from, state, ctx) => {
        await ctx.sleep(10);
        return { reply: request, state };
      },
    };
    const a = await startServer(rt, slow, undefined);
    const killer = rt.spawn((_m, ctx) => ctx.kill(a, 'boom'));
    const call = rt.call(a, 'q'); // external -> a
    rt.send(killer, 'go'); // killer -> a is another pair: its exit may arrive while the request is handled
    const error = await rejection(call);
    expect(error).toBeInstanceOf(CallExitError);
    expect((error as CallExitError).reason).toBe('boom');
  });

  test('kill, then monitor: DOWN with noproc (OTP: {DOWN, _, process, b, noproc})', async () => {
    const rt = vrt();
    const b = rt.spawn(() => undefined);
    let ref = -1;
    const { inbox } = actor(rt, (ctx) => {
      ctx.kill(b, 'kill');
      ref = ctx.monitor(b);
    });
    await rt.idle();
    expect(inbox).toEqual([{ type: 'DOWN', ref, pid: b, reason: 'noproc' }]);
  });

  test('kill, then link in a process that does not trap: link returns, then the noproc exit signal kills it (OTP)', async () => {
    const rt = vrt();
    const b = rt.spawn(() => undefined);
    let linked = false;
    const { pid } = actor(rt, (ctx) => {
      ctx.kill(b, 'kill');
      ctx.link(b);
      linked = true;
    });
    await rt.idle();
    expect(linked).toBe(true);
    expect(rt.exitReason(pid)).toBe('noproc');
  });

  test('kill, then link in a trapping process: it receives {EXIT, b, noproc}', async () => {
    const rt = vrt();
    const b = rt.spawn(() => undefined);
    const { pid, inbox } = actor(
      rt,
      (ctx) => {
        ctx.kill(b, 'kill');
        ctx.link(b);
      },
      { trapExit: true },
    );
    await rt.idle();
    expect(rt.isAlive(pid)).toBe(true);
    expect(inbox).toEqual([{ type: 'EXIT', from: b, reason: 'noproc' }]);
  });

  test('a link that arrives before the exit sees the real reason', async () => {
    const rt = vrt();
    const b = rt.spawn(() => undefined);
    const { inbox } = actor(
      rt,
      (ctx) => {
        ctx.link(b);
        ctx.kill(b, 'boom');
      },
      { trapExit: true },
    );
    await rt.idle();
    expect(inbox).toEqual([{ type: 'EXIT', from: b, reason: 'boom' }]);
  });
});

describe('unlink and demonitor take effect at once for the caller', () => {
  test('after unlink, an exit signal already on its way through the link has no effect (OTP unlink/1)', async () => {
    const rt = vrt();
    const b = rt.spawn((_m, ctx) => ctx.exit('boom'));
    const p = rt.spawn((m, ctx) => (m === 'link' ? ctx.link(b) : ctx.unlink(b)));
    rt.send(p, 'link');
    await rt.idle();
    // b dies first and its exit signal leaves for p; p unlinks before that signal arrives.
    rt.send(b, 'die');
    rt.send(p, 'unlink');
    await rt.idle();
    expect(rt.exitReason(b)).toBe('boom');
    expect(rt.isAlive(p)).toBe(true);
  });

  test('after demonitor, a DOWN already on its way is not delivered', async () => {
    const rt = vrt();
    const b = rt.spawn((_m, ctx) => ctx.exit('boom'));
    const inbox: unknown[] = [];
    let ref = -1;
    const watcher = rt.spawn((m, ctx) => {
      if (m === 'watch') ref = ctx.monitor(b);
      else if (m === 'unwatch') ctx.demonitor(ref);
      else inbox.push(m);
    });
    rt.send(watcher, 'watch');
    await rt.idle();
    // b dies and its DOWN leaves for the watcher; the watcher demonitors before it arrives.
    rt.send(b, 'die');
    rt.send(watcher, 'unwatch');
    await rt.idle();
    expect(rt.exitReason(b)).toBe('boom');
    expect(inbox).toEqual([]);
  });

  test('monitor of a dead process then demonitor at once: no DOWN (OTP)', async () => {
    const rt = vrt();
    const dead = rt.spawn((_m, ctx) => ctx.exit('normal'));
    rt.send(dead, 'x');
    await rt.idle();
    const inbox: unknown[] = [];
    const w = rt.spawn((m, ctx) => {
      if (m === 'go') ctx.demonitor(ctx.monitor(dead));
      else inbox.push(m);
    });
    rt.send(w, 'go');
    await rt.idle();
    expect(inbox).toEqual([]);
  });
});

describe('exit(self(), reason)', () => {
  test('normal in a process that does not trap exits: it exits normal at once (erlang:exit/2, "unless Pid is the calling process")', async () => {
    const rt = vrt();
    const inbox: unknown[] = [];
    const other = rt.spawn((m) => {
      inbox.push(m);
    });
    let after: unknown;
    const { pid } = actor(rt, (ctx) => {
      ctx.kill(ctx.self, 'normal');
      try {
        ctx.send(other, 'after'); // the process is gone: what its code does next cannot act
      } catch (error) {
        after = error;
      }
    });
    await rt.idle();
    expect(rt.exitReason(pid)).toBe('normal');
    expect((after as { code?: string }).code).toBe('NOPROC');
    expect(inbox).toEqual([]);
  });

  test('any reason in a process that does not trap exits ends it at once, kill as killed', async () => {
    const rt = vrt();
    for (const [reason, expected] of [
      ['boom', 'boom'],
      ['kill', 'killed'],
      ['shutdown', 'shutdown'],
    ] as Array<[ExitReason, ExitReason]>) {
      const { pid } = actor(rt, (ctx) => {
        ctx.kill(ctx.self, reason);
        expect(rt.exitReason(ctx.self)).toBe(expected);
      });
      await rt.idle();
      expect(rt.exitReason(pid)).toBe(expected);
    }
  });

  test('a trapping process gets {EXIT, self, normal} in order with what it sent itself', async () => {
    const rt = vrt();
    const { pid, inbox } = actor(
      rt,
      (ctx) => {
        ctx.send(ctx.self, 'before');
        ctx.kill(ctx.self, 'normal');
        ctx.send(ctx.self, 'after');
      },
      { trapExit: true },
    );
    await rt.idle();
    expect(rt.isAlive(pid)).toBe(true);
    expect(inbox).toEqual(['before', { type: 'EXIT', from: pid, reason: 'normal' }, 'after']);
  });
});

describe('an exit signal from outside any process', () => {
  test('arrives as EXIT from <0.0>, the outside world, not from the target itself', async () => {
    const rt = vrt();
    const inbox: unknown[] = [];
    const p = rt.spawn(
      (m) => {
        inbox.push(m);
      },
      { trapExit: true },
    );
    rt.exit(p, 'normal');
    await rt.idle();
    expect(inbox).toEqual([{ type: 'EXIT', from: new Pid(rt.node, 0), reason: 'normal' }]);
    expect(rt.isAlive(p)).toBe(true);
  });
});

describe('servers: the parent of an unlinked server is the server itself (gen)', () => {
  const trapping = (log: string[]): ServerBehaviour<null> => ({
    init: (_a, ctx) => {
      ctx.trapExit(true);
      return { state: null };
    },
    handleCall: (request, _from, state, ctx) => {
      if (request === 'selfshut') ctx.kill(ctx.self, 'shutdown');
      return { reply: 'ok', state };
    },
    handleInfo: (message, state) => {
      log.push(isExitMessage(message) ? `info EXIT ${String(message.reason)}` : 'info');
      return { state };
    },
    terminate: (reason) => {
      log.push(`terminate ${String(reason)}`);
    },
  });

  test('a trapping unlinked server that sends itself exit(self(), shutdown) terminates with shutdown after replying', async () => {
    const rt = vrt();
    const log: string[] = [];
    const s = await startServer(rt, trapping(log), undefined);
    expect(await rt.call(s, 'selfshut')).toBe('ok');
    await rt.idle();
    expect(log).toEqual(['terminate shutdown']);
    expect(rt.exitReason(s)).toBe('shutdown');
  });

  test('an exit signal from anyone else reaches handleInfo and the server lives on', async () => {
    const rt = vrt();
    const log: string[] = [];
    const s = await startServer(rt, trapping(log), undefined);
    rt.exit(s, 'shutdown');
    const other = rt.spawn((_m, ctx) => ctx.kill(s, 'boom'));
    rt.send(other, 'go');
    await rt.idle();
    expect(log).toEqual(['info EXIT shutdown', 'info EXIT boom']);
    expect(rt.isAlive(s)).toBe(true);
  });

  test('a linked server still stops on its parent only', async () => {
    const rt = vrt();
    const log: string[] = [];
    const parent = rt.spawn(() => undefined, { trapExit: true });
    const s = await startServer(rt, trapping(log), undefined, { link: parent });
    await rt.call(s, 'selfshut');
    await rt.idle();
    expect(log).toEqual(['info EXIT shutdown']);
    rt.exit(s, 'shutdown', parent);
    await rt.idle();
    expect(log).toEqual(['info EXIT shutdown', 'terminate shutdown']);
  });
});

describe('linking to a process that is already dead (OTP link/1)', () => {
  const deadPid = async (rt: Runtime): Promise<Pid> => {
    const dead = rt.spawn((_m, ctx) => ctx.exit('normal'));
    rt.send(dead, 'x');
    await rt.idle();
    return dead;
  };

  test('a caller that does not trap exits gets a catchable NOPROC error and survives if it catches it', async () => {
    const rt = vrt();
    const dead = await deadPid(rt);
    let caught: unknown;
    const { pid } = actor(rt, (ctx) => {
      try {
        ctx.link(dead);
      } catch (error) {
        caught = error;
      }
    });
    await rt.idle();
    expect(caught).toBeInstanceOf(NoProcError);
    expect(rt.isAlive(pid)).toBe(true);
  });

  test('uncaught, the error ends the caller with it', async () => {
    const rt = vrt();
    const dead = await deadPid(rt);
    const { pid } = actor(rt, (ctx) => ctx.link(dead));
    await rt.idle();
    expect(rt.exitReason(pid)).toBeInstanceOf(NoProcError);
  });

  test('a trapping caller gets {EXIT, pid, noproc} and link returns', async () => {
    const rt = vrt();
    const dead = await deadPid(rt);
    const { pid, inbox } = actor(rt, (ctx) => ctx.link(dead), { trapExit: true });
    await rt.idle();
    expect(rt.isAlive(pid)).toBe(true);
    expect(inbox).toEqual([{ type: 'EXIT', from: dead, reason: 'noproc' }]);
  });
});
