import { describe, expect, test } from 'vitest';
import { NoProcError, Pid, QuiesceError, isDownMessage, isExitMessage, isPid, type DownMessage, type ExitMessage, type ProcessContext } from '@quiesce/runtime';
import { rejection, thrown, vrt } from '../support/helpers.js';

/** A process that records every message it receives. */
function recorder(rt: ReturnType<typeof vrt>, options: { trapExit?: boolean; name?: string } = {}) {
  const inbox: unknown[] = [];
  const pid = rt.spawn((m) => {
    inbox.push(m);
  }, options);
  return { pid, inbox };
}

describe('links', () => {
  test('an abnormal exit propagates along links, transitively, with the same reason', async () => {
    const rt = vrt();
    const a = rt.spawn(() => undefined);
    const b = rt.spawn(() => undefined, { link: a });
    const c = rt.spawn(() => undefined, { link: b });
    const bystander = rt.spawn(() => undefined);
    rt.exit(a, 'boom');
    await rt.idle();
    expect([a, b, c].map((p) => rt.isAlive(p))).toEqual([false, false, false]);
    expect([a, b, c].map((p) => rt.exitReason(p))).toEqual(['boom', 'boom', 'boom']);
    expect(rt.isAlive(bystander)).toBe(true);
    expect(rt.history.ofKind('process.exit').map((e) => (e.data as { pid: string }).pid)).toEqual([a, b, c].map(String));
  });

  test('a crash in a handler (thrown error) propagates as the error', async () => {
    const rt = vrt();
    const error = new Error('handler crashed');
    const a = rt.spawn(() => {
      throw error;
    });
    const b = rt.spawn(() => undefined, { link: a });
    rt.send(a, 'go');
    await rt.idle();
    expect(rt.exitReason(a)).toBe(error);
    expect(rt.exitReason(b)).toBe(error);
    expect(rt.history.ofKind('process.exit')[0]!.data).toMatchObject({ reason: { error: 'Error', message: 'handler crashed' } });
  });

  test('a normal exit does not take a linked process down', async () => {
    const rt = vrt();
    const a = rt.spawn((_m, ctx) => ctx.exit('normal'));
    const b = rt.spawn(() => undefined, { link: a });
    rt.send(a, 'stop');
    await rt.idle();
    expect(rt.exitReason(a)).toBe('normal');
    expect(rt.isAlive(b)).toBe(true);
  });

  test('a trapping process receives exit signals as EXIT messages, normal ones included', async () => {
    const rt = vrt();
    const { pid: trapper, inbox } = recorder(rt, { trapExit: true });
    const a = rt.spawn((m, ctx) => ctx.exit(m as string), { link: trapper });
    const b = rt.spawn((m, ctx) => ctx.exit(m as string), { link: trapper });
    rt.send(a, 'boom');
    rt.send(b, 'normal');
    await rt.idle();
    expect(rt.isAlive(trapper)).toBe(true);
    expect(inbox).toEqual([
      { type: 'EXIT', from: a, reason: 'boom' },
      { type: 'EXIT', from: b, reason: 'normal' },
    ]);
    expect(inbox.every(isExitMessage)).toBe(true);
  });

  test('trapping can be switched on and off from inside the process', async () => {
    const rt = vrt();
    const inbox: unknown[] = [];
    const p = rt.spawn((m, ctx) => {
      if (m === 'trap') ctx.trapExit(true);
      else if (m === 'untrap') ctx.trapExit(false);
      else inbox.push(m);
    });
    rt.send(p, 'trap');
    await rt.idle();
    rt.exit(p, 'first');
    await rt.idle();
    expect(rt.isAlive(p)).toBe(true);
    expect(inbox).toEqual([{ type: 'EXIT', from: new Pid(rt.node, 0), reason: 'first' }]); // exit/2 from outside: `from` is <0.0>, the outside world
    rt.send(p, 'untrap');
    await rt.idle();
    rt.exit(p, 'second');
    await rt.idle();
    expect(rt.exitReason(p)).toBe('second');
  });

  test('kill is untrappable and the victim exits with killed; linked processes see killed', async () => {
    const rt = vrt();
    const { pid: watcher, inbox } = recorder(rt, { trapExit: true });
    const victim = rt.spawn(() => undefined, { trapExit: true, link: watcher });
    const linkedPlain = rt.spawn(() => undefined, { link: victim });
    rt.exit(victim, 'kill');
    await rt.idle();
    expect(rt.exitReason(victim)).toBe('killed');
    expect(rt.exitReason(linkedPlain)).toBe('killed');
    expect(inbox).toEqual([{ type: 'EXIT', from: victim, reason: 'killed' }]);
  });

  test('a process that exits with reason kill sends a trappable kill along its links (OTP)', async () => {
    const rt = vrt();
    const { pid: trapper, inbox } = recorder(rt, { trapExit: true });
    const p = rt.spawn((_m, ctx) => ctx.exit('kill'), { link: trapper });
    const plain = rt.spawn(() => undefined, { link: p });
    rt.send(p, 'go');
    await rt.idle();
    expect(rt.isAlive(trapper)).toBe(true);
    expect(inbox).toEqual([{ type: 'EXIT', from: p, reason: 'kill' }]);
    expect(rt.exitReason(plain)).toBe('kill');
  });

  test('exit/2 with normal is ignored by a non-trapping process; shutdown stops it', async () => {
    const rt = vrt();
    const p = rt.spawn(() => undefined);
    rt.exit(p, 'normal');
    await rt.idle();
    expect(rt.isAlive(p)).toBe(true);
    rt.exit(p, 'shutdown');
    await rt.idle();
    expect(rt.exitReason(p)).toBe('shutdown');
  });

  test('ctx.kill sends kill by default, or the reason given', async () => {
    const rt = vrt();
    const t1 = rt.spawn(() => undefined, { trapExit: true });
    const { pid: t2, inbox } = recorder(rt, { trapExit: true });
    const killer = rt.spawn((m, ctx) => {
      if (m === 'kill') ctx.kill(t1);
      else ctx.kill(t2, 'please');
    });
    rt.send(killer, 'kill');
    rt.send(killer, 'soft');
    await rt.idle();
    expect(rt.exitReason(t1)).toBe('killed');
    expect(inbox).toEqual([{ type: 'EXIT', from: killer, reason: 'please' }]);
  });

  test('unlink stops propagation in both directions', async () => {
    const rt = vrt();
    const a = rt.spawn(() => undefined);
    const b = rt.spawn(() => undefined, { link: a });
    rt.unlink(b, a);
    rt.exit(a, 'boom');
    await rt.idle();
    expect(rt.isAlive(b)).toBe(true);
    const c = rt.spawn((m, ctx) => (m === 'link' ? ctx.link(b) : ctx.unlink(b)));
    rt.send(c, 'link');
    rt.send(c, 'unlink');
    await rt.idle();
    rt.exit(b, 'boom');
    await rt.idle();
    expect(rt.isAlive(c)).toBe(true);
    // Unlinking unknown pids is a no-op.
    expect(() => rt.unlink(c, new Pid(rt.node, 999))).not.toThrow();
  });

  test('linking to a dead process: a trapping caller gets {EXIT, pid, noproc}, any other a NOPROC error (OTP link/1)', async () => {
    const rt = vrt();
    const dead = rt.spawn((_m, ctx) => ctx.exit('normal'));
    rt.send(dead, 'x');
    await rt.idle();
    const plain = rt.spawn((_m, ctx) => ctx.link(dead));
    const { pid: trapper, inbox } = recorder(rt, { trapExit: true });
    rt.send(plain, 'link');
    rt.link(trapper, dead);
    await rt.idle();
    expect(rt.exitReason(plain)).toBeInstanceOf(NoProcError); // uncaught, the error ends it
    expect(inbox).toEqual([{ type: 'EXIT', from: dead, reason: 'noproc' }]);
    // spawn with link to a dead process: the new process dies with noproc at once.
    const orphan = rt.spawn(() => undefined, { link: dead });
    expect(rt.exitReason(orphan)).toBe('noproc');
    // A pid that never existed is dead too; from outside, rt.link throws for a caller that does not trap.
    const never = new Pid(rt.node, 12345);
    const p2 = rt.spawn(() => undefined);
    expect(thrown(() => rt.link(p2, never))).toBeInstanceOf(NoProcError);
    expect(rt.isAlive(p2)).toBe(true);
    expect(thrown(() => rt.link(p2, 'nobody' as never))).toBeInstanceOf(QuiesceError);
  });

  test('a dead process cannot link: link from a dead pid throws NOPROC', () => {
    const rt = vrt();
    const p = rt.spawn(() => undefined);
    const q = rt.spawn(() => undefined);
    rt.exitSelf(p, 'normal');
    expect(thrown(() => rt.link(p, q))).toBeInstanceOf(NoProcError);
  });

  test('linking a process to itself is a no-op', async () => {
    const rt = vrt();
    const p = rt.spawn((_m, ctx) => ctx.link(ctx.self));
    rt.send(p, 'x');
    await rt.idle();
    expect(rt.isAlive(p)).toBe(true);
  });
});

describe('monitors', () => {
  test('a monitor gets one DOWN with the reason; the watcher does not die', async () => {
    const rt = vrt();
    const target = rt.spawn((m, ctx) => ctx.exit(m as string));
    const { pid: watcher, inbox } = recorder(rt);
    const ref1 = rt.monitor(watcher, target);
    const ref2 = rt.monitor(watcher, target);
    expect(ref2).not.toBe(ref1);
    rt.send(target, 'boom');
    await rt.idle();
    expect(rt.isAlive(watcher)).toBe(true);
    expect(inbox).toEqual([
      { type: 'DOWN', ref: ref1, pid: target, reason: 'boom' },
      { type: 'DOWN', ref: ref2, pid: target, reason: 'boom' },
    ]);
    expect(inbox.every(isDownMessage)).toBe(true);
  });

  test('monitoring by name, and from inside a process', async () => {
    const rt = vrt();
    const target = rt.spawn(() => undefined, { name: 'db' });
    const inbox: unknown[] = [];
    let ref = -1;
    const watcher = rt.spawn((m, ctx) => {
      if (m === 'watch') ref = ctx.monitor('db');
      else inbox.push(m);
    });
    rt.send(watcher, 'watch');
    await rt.idle();
    rt.exit(target, 'kill');
    await rt.idle();
    expect(inbox).toEqual([{ type: 'DOWN', ref, pid: target, reason: 'killed' }]);
  });

  test('monitoring a dead pid or an unknown name gives DOWN noproc at once', async () => {
    const rt = vrt();
    const dead = rt.spawn((_m, ctx) => ctx.exit('boom'));
    rt.send(dead, 'x');
    await rt.idle();
    const { pid: watcher, inbox } = recorder(rt);
    const r1 = rt.monitor(watcher, dead);
    const r2 = rt.monitor(watcher, 'nobody');
    await rt.idle();
    expect(inbox).toHaveLength(2);
    expect(inbox[0]).toEqual({ type: 'DOWN', ref: r1, pid: dead, reason: 'noproc' });
    expect(inbox[1]).toMatchObject({ type: 'DOWN', ref: r2, reason: 'noproc' });
    expect((inbox[1] as DownMessage).pid).toBeInstanceOf(Pid);
  });

  test('demonitor: no DOWN arrives afterwards', async () => {
    const rt = vrt();
    const target = rt.spawn(() => undefined);
    const inbox: unknown[] = [];
    const watcher = rt.spawn((m, ctx) => {
      if (m === 'watch') ctx.demonitor(ctx.monitor(target));
      else inbox.push(m);
    });
    rt.send(watcher, 'watch');
    await rt.idle();
    rt.exit(target, 'boom');
    await rt.idle();
    expect(inbox).toEqual([]);
    expect(() => rt.demonitor(987654)).not.toThrow();
  });

  test('a dead process cannot monitor', () => {
    const rt = vrt();
    const p = rt.spawn(() => undefined);
    const q = rt.spawn(() => undefined);
    rt.exitSelf(p, 'normal');
    const error = thrown(() => rt.monitor(p, q));
    expect(error).toBeInstanceOf(QuiesceError);
    expect((error as QuiesceError).code).toBe('NOPROC');
  });

  test('watch runs a callback after the exit, or with noproc / the old reason for a dead target; unwatch cancels', async () => {
    const rt = vrt();
    const seen: unknown[] = [];
    const p = rt.spawn(() => undefined);
    rt.watch(p, (r) => seen.push(['live', r]));
    const unwatch = rt.watch(p, (r) => seen.push(['cancelled', r]));
    unwatch();
    rt.exit(p, 'boom');
    await rt.idle();
    rt.watch(p, (r) => seen.push(['dead', r]));
    rt.watch(new Pid(rt.node, 4242), (r) => seen.push(['never', r]));
    const cancelledLate = rt.watch(p, (r) => seen.push(['dead-cancelled', r]));
    cancelledLate();
    await rt.idle();
    expect(seen).toEqual([
      ['live', 'boom'],
      ['dead', 'boom'],
      ['never', 'noproc'],
    ]);
  });
});

describe('names', () => {
  test('register, whereis, registered and send by name', async () => {
    const rt = vrt();
    const { pid, inbox } = recorder(rt);
    rt.register('svc', pid);
    expect(rt.whereis('svc')).toBe(pid);
    expect(rt.registered()).toEqual(['svc']);
    expect(rt.isAlive('svc')).toBe(true);
    rt.send('svc', 'hello');
    await rt.idle();
    expect(inbox).toEqual(['hello']);
    expect(rt.unregister('svc')).toBe(true);
    expect(rt.unregister('svc')).toBe(false);
    expect(rt.whereis('svc')).toBeUndefined();
    rt.register('svc2', pid);
    expect(rt.whereis('svc2')).toBe(pid);
  });

  test('a name is unregistered automatically when its process exits', async () => {
    const rt = vrt();
    const p = rt.spawn((_m, ctx) => ctx.exit('normal'), { name: 'temp' });
    expect(rt.whereis('temp')).toBe(p);
    rt.send('temp', 'bye');
    await rt.idle();
    expect(rt.whereis('temp')).toBeUndefined();
    expect(rt.registered()).toEqual([]);
    expect(rt.history.ofKind('process.exit')[0]!.data).toEqual({ pid: String(p), reason: 'normal', name: 'temp' });
    // The name is free again.
    const q = rt.spawn(() => undefined, { name: 'temp' });
    expect(rt.whereis('temp')).toBe(q);
  });

  test('a taken name is refused with NAME_TAKEN and nothing is spawned', () => {
    const rt = vrt();
    const p = rt.spawn(() => undefined, { name: 'one' });
    const before = rt.history.length;
    const e1 = thrown(() => rt.spawn(() => undefined, { name: 'one' })) as QuiesceError;
    expect(e1.code).toBe('NAME_TAKEN');
    expect(e1.message).toContain('"one"');
    expect(rt.history.length).toBe(before);
    expect(rt.processes()).toEqual([p]);
    const q = rt.spawn(() => undefined);
    expect((thrown(() => rt.register('one', q)) as QuiesceError).code).toBe('NAME_TAKEN');
    expect((thrown(() => rt.register('other', p)) as QuiesceError).code).toBe('NAME_TAKEN'); // already named
    expect((thrown(() => rt.register('', q)) as QuiesceError).code).toBe('INVALID_OPTION');
  });

  test('registering a dead pid throws NOPROC', async () => {
    const rt = vrt();
    const p = rt.spawn((_m, ctx) => ctx.exit('normal'));
    rt.send(p, 'x');
    await rt.idle();
    expect((thrown(() => rt.register('late', p)) as QuiesceError).code).toBe('NOPROC');
    expect(rt.registered()).toEqual([]);
  });

  test('names are scoped per runtime: two runtimes can use one name', async () => {
    const rt1 = vrt();
    const rt2 = vrt();
    const a = recorder(rt1, { name: 'worker' });
    const b = recorder(rt2, { name: 'worker' });
    rt1.send('worker', 'to-1');
    rt2.send('worker', 'to-2');
    await Promise.all([rt1.idle(), rt2.idle()]);
    expect(a.inbox).toEqual(['to-1']);
    expect(b.inbox).toEqual(['to-2']);
    expect(rt1.whereis('worker')).toBe(a.pid);
    expect(rt2.whereis('worker')).toBe(b.pid);
  });

  test('send or exit to an unknown name throws NOPROC naming it', () => {
    const rt = vrt();
    const e = thrown(() => rt.send('ghost', 'x')) as QuiesceError;
    expect(e).toBeInstanceOf(NoProcError);
    expect(e.message).toContain('"ghost"');
    expect((thrown(() => rt.exit('ghost', 'kill')) as QuiesceError).code).toBe('NOPROC');
  });
});

describe('bad targets', () => {
  test.each([undefined, null, 42, { id: 1 }])('send and exit to %s (neither a pid nor a name) throw INVALID_OPTION', (target) => {
    // A missing child (`sup.child('typo')` is undefined) must not be silently dropped.
    const rt = vrt();
    const send = thrown(() => rt.send(target as never, 'x')) as QuiesceError;
    expect(send).toBeInstanceOf(QuiesceError);
    expect(send.code).toBe('INVALID_OPTION');
    expect(send.message.startsWith('send(to): got ')).toBe(true);
    const exit = thrown(() => rt.exit(target as never, 'kill')) as QuiesceError;
    expect(exit.code).toBe('INVALID_OPTION');
    expect(exit.message.startsWith('exit(target): got ')).toBe(true);
  });

  test('an exit signal to a pid that never existed here is dropped like a send', async () => {
    const rt = vrt();
    const other = vrt();
    const local = rt.spawn(() => undefined);
    expect(() => rt.exit(new Pid(rt.node, 999), 'kill')).not.toThrow();
    expect(() =>
      rt.exit(
        other.spawn(() => undefined),
        'kill',
      ),
    ).not.toThrow();
    await rt.idle();
    expect(rt.isAlive(local)).toBe(true);
  });
});

describe('dead processes', () => {
  test('a message to a dead pid is dropped silently', async () => {
    const rt = vrt({ recordMessages: true });
    const p = rt.spawn((_m, ctx) => ctx.exit('normal'));
    rt.send(p, 'first');
    await rt.idle();
    const before = rt.history.length;
    expect(() => rt.send(p, 'second')).not.toThrow();
    rt.exit(p, 'kill');
    await rt.idle();
    expect(rt.history.length).toBe(before + 1); // only the recorded send, no delivery, no exit
    expect(rt.history.events.at(-1)!.kind).toBe('message.send');
    expect(rt.messageQueueLength(p)).toBe(0);
  });

  test('messages queued for a process that exits are discarded', async () => {
    const rt = vrt();
    const handled: unknown[] = [];
    const p = rt.spawn((m, ctx) => {
      handled.push(m);
      if (m === 'die') ctx.exit('boom');
    });
    rt.send(p, 'one');
    rt.send(p, 'die');
    rt.send(p, 'never');
    await rt.idle();
    expect(handled).toEqual(['one', 'die']);
  });

  test("operations by a dead process's still-running async handler throw NOPROC", async () => {
    const rt = vrt();
    const other = rt.spawn(() => undefined);
    const errors: Record<string, unknown> = {};
    let resume!: () => void;
    const gate = new Promise<void>((r) => (resume = r));
    let saved!: ProcessContext;
    const p = rt.spawn(async (_m, ctx) => {
      saved = ctx;
      await ctx.await(gate);
      const ops: Record<string, () => unknown> = {
        send: () => ctx.send(other, 'x'),
        spawn: () => ctx.spawn(() => undefined),
        spawnLink: () => ctx.spawnLink(() => undefined),
        link: () => ctx.link(other),
        unlink: () => ctx.unlink(other),
        monitor: () => ctx.monitor(other),
        trapExit: () => ctx.trapExit(true),
        kill: () => ctx.kill(other),
        call: () => ctx.call(other, 'x'),
        cast: () => ctx.cast(other, 'x'),
        sendAfter: () => ctx.sendAfter(10, 'x'),
        sleep: () => ctx.sleep(10),
      };
      for (const [name, op] of Object.entries(ops)) {
        try {
          op();
          errors[name] = 'no error';
        } catch (e) {
          errors[name] = (e as QuiesceError).code;
        }
      }
    });
    rt.send(p, 'go');
    await rt.idle();
    rt.exit(p, 'kill');
    await rt.idle();
    const processesBefore = rt.processes();
    resume();
    await rt.idle();
    expect(Object.values(errors)).toHaveLength(12);
    for (const [name, code] of Object.entries(errors)) expect([name, code]).toEqual([name, 'NOPROC']);
    expect(rt.processes()).toEqual(processesBefore);
    expect(rt.isAlive(other)).toBe(true);
    expect(saved.self).toBe(p);
  });

  test('a pid from another runtime is never resolved: send drops, isAlive is false, call rejects', async () => {
    const rt1 = vrt();
    const rt2 = vrt();
    const inbox: unknown[] = [];
    rt1.spawn((m) => {
      inbox.push(m);
    });
    const foreign = rt2.spawn(() => undefined);
    expect(foreign.id).toBe(1);
    rt1.send(foreign, 'wrong world');
    await rt1.idle();
    expect(inbox).toEqual([]);
    expect(rt1.isAlive(foreign)).toBe(false);
    expect(await rejection(rt1.call(foreign, 'x'))).toBeInstanceOf(NoProcError);
  });

  test('links, watches and monitors never reach a process of another runtime with the same id', async () => {
    const rt1 = vrt();
    const rt2 = vrt();
    const local = rt1.spawn(() => undefined); // id 1 in rt1
    const foreign = rt2.spawn(() => undefined); // id 1 in rt2
    expect(foreign.id).toBe(local.id);
    // spawn linked to a foreign pid: it is not a live process of this runtime, so noproc.
    const linked = rt1.spawn(() => undefined, { link: foreign });
    expect(rt1.exitReason(linked)).toBe('noproc');
    const trapper = rt1.spawn(() => undefined, { trapExit: true });
    rt1.link(trapper, foreign);
    const seen: unknown[] = [];
    rt1.watch(foreign, (r) => seen.push(r));
    await rt1.idle();
    expect(seen).toEqual(['noproc']);
    // Killing the local process with the same id must not reach anything linked "to the foreign pid".
    rt1.exit(local, 'boom');
    await rt1.idle();
    expect(rt1.isAlive(trapper)).toBe(true);
    expect(rt2.isAlive(foreign)).toBe(true);
    expect(rt1.exitReason(foreign)).toBeUndefined();
  });
});

describe('message helpers', () => {
  test('isExitMessage and isDownMessage recognise only their shapes', () => {
    const pid = new Pid(1, 1);
    const exit: ExitMessage = { type: 'EXIT', from: pid, reason: 'x' };
    const down: DownMessage = { type: 'DOWN', ref: 1, pid, reason: 'noproc' };
    expect([isExitMessage(exit), isExitMessage(down), isExitMessage(null), isExitMessage({ type: 'EXIT' }), isExitMessage('EXIT')]).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect([isDownMessage(down), isDownMessage(exit), isDownMessage(undefined), isDownMessage({ type: 'DOWN' })]).toEqual([true, false, false, false]);
  });

  test('pids compare by node and id, and print without the node (<0.id>) so runs serialise alike', () => {
    const a = new Pid(3, 7);
    expect(a.equals(new Pid(3, 7))).toBe(true);
    expect(a.equals(new Pid(4, 7))).toBe(false);
    expect(a.equals({ node: 3, id: 7 })).toBe(false);
    expect(String(a)).toBe('<0.7>');
    expect([isPid(a), isPid('<0.7>'), isPid({ node: 3, id: 7 })]).toEqual([true, false, false]);
    expect(JSON.stringify({ a })).toBe('{"a":"<0.7>"}');
  });
});
