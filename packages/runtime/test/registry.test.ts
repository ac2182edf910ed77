import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { DuplicateRegistry, QuiesceError, Registry, type Pid } from '@quiesce/runtime';
import { thrown, vrt } from './support/helpers.js';

describe('Registry', () => {
  test('register, lookup with value, whereis, keys in registration order', () => {
    const rt = vrt();
    const reg = new Registry<{ port: number }>(rt, 'conns');
    const a = rt.spawn(() => undefined);
    const b = rt.spawn(() => undefined);
    reg.register('b-key', b, { port: 2 });
    reg.register('a-key', a, { port: 1 });
    expect(reg.name).toBe('conns');
    expect(reg.lookup('a-key')).toEqual({ pid: a, value: { port: 1 } });
    expect(reg.whereis('b-key')).toBe(b);
    expect(reg.whereis('none')).toBeUndefined();
    expect(reg.keys()).toEqual(['b-key', 'a-key']);
    expect(new Registry(rt).name).toBe('registry');
  });

  test('an entry disappears when its process exits, and the key can be taken again', async () => {
    const rt = vrt();
    const reg = new Registry(rt);
    const a = rt.spawn(() => undefined);
    reg.register('k', a);
    rt.exitSelf(a, 'boom');
    // Lookups never return a dead pid, even before the exit has been delivered to the registry.
    expect(reg.lookup('k')).toBeUndefined();
    expect(reg.keys()).toEqual([]);
    await rt.idle();
    const b = rt.spawn(() => undefined);
    reg.register('k', b);
    expect(reg.whereis('k')).toBe(b);
  });

  test('a key held by a live process is refused with NAME_TAKEN', () => {
    const rt = vrt();
    const reg = new Registry(rt, 'reg');
    const a = rt.spawn(() => undefined);
    reg.register('k', a);
    const error = thrown(() =>
      reg.register(
        'k',
        rt.spawn(() => undefined),
      ),
    ) as QuiesceError;
    expect(error.code).toBe('NAME_TAKEN');
    expect(error.message).toBe(`reg.register: key "k" is already held by ${a}`);
  });

  test('a key whose holder died can be re-registered before the exit is delivered', () => {
    const rt = vrt();
    const reg = new Registry(rt);
    const a = rt.spawn(() => undefined);
    reg.register('k', a);
    rt.exitSelf(a, 'boom');
    const b = rt.spawn(() => undefined);
    reg.register('k', b);
    expect(reg.whereis('k')).toBe(b);
  });

  test('the late exit notice of an old holder does not remove the new entry', async () => {
    const rt = vrt();
    const reg = new Registry(rt);
    const a = rt.spawn(() => undefined);
    reg.register('k', a);
    rt.exitSelf(a, 'boom'); // the watch callback is now scheduled
    const b = rt.spawn(() => undefined);
    reg.register('k', b);
    await rt.idle();
    expect(reg.whereis('k')).toBe(b);
  });

  test('unregister removes an entry; registering a dead pid is NOPROC; a bad key is INVALID_OPTION', async () => {
    const rt = vrt();
    const reg = new Registry(rt, 'r');
    const a = rt.spawn(() => undefined);
    reg.register('k', a);
    expect(reg.unregister('k')).toBe(true);
    expect(reg.unregister('k')).toBe(false);
    expect(reg.whereis('k')).toBeUndefined();
    rt.exit(a, 'kill');
    await rt.idle();
    expect((thrown(() => reg.register('k', a)) as QuiesceError).code).toBe('NOPROC');
    for (const key of ['', 5, null]) {
      const error = thrown(() =>
        reg.register(
          key as string,
          rt.spawn(() => undefined),
        ),
      ) as QuiesceError;
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toContain('r.register(key)');
    }
  });

  test('registries are scoped: one key in two registries or runtimes', () => {
    const rt1 = vrt();
    const rt2 = vrt();
    const r1 = new Registry(rt1);
    const r2 = new Registry(rt2);
    const r3 = new Registry(rt1);
    const p1 = rt1.spawn(() => undefined);
    const p2 = rt2.spawn(() => undefined);
    r1.register('k', p1);
    r2.register('k', p2);
    r3.register('k', p1);
    expect([r1.whereis('k'), r2.whereis('k'), r3.whereis('k')]).toEqual([p1, p2, p1]);
  });
});

describe('DuplicateRegistry (Elixir Registry, keys: :duplicate)', () => {
  test('many processes under one key, each with its value, in registration order; a process may register a key twice', () => {
    const rt = vrt();
    const topics = new DuplicateRegistry<{ gpu: string }>(rt, 'topics');
    const [a, b] = [rt.spawn(() => undefined), rt.spawn(() => undefined)];
    topics.register('pod.ready', a, { gpu: 'h100' });
    topics.register('pod.ready', b, { gpu: 'a100' });
    topics.register('pod.ready', a, { gpu: 'l4' });
    topics.register('pod.gone', b, { gpu: 'a100' });
    expect(topics.name).toBe('topics');
    expect(topics.lookup('pod.ready')).toEqual([
      { pid: a, value: { gpu: 'h100' } },
      { pid: b, value: { gpu: 'a100' } },
      { pid: a, value: { gpu: 'l4' } },
    ]);
    expect(topics.lookup('nobody')).toEqual([]);
    expect(topics.keys(a)).toEqual(['pod.ready']);
    expect(topics.keys(b)).toEqual(['pod.ready', 'pod.gone']);
    expect(topics.count()).toBe(4);
    expect(topics.count('pod.ready')).toBe(3);
    expect(topics.match('pod.ready', { gpu: 'a100' })).toEqual([{ pid: b, value: { gpu: 'a100' } }]);
    expect(topics.match('pod.ready', (value, pid) => pid.equals(a) && value.gpu.startsWith('l'))).toEqual([{ pid: a, value: { gpu: 'l4' } }]);
  });

  test('dispatch hands every entry to the callback once, which fans a message out to the subscribers', async () => {
    const rt = vrt();
    const topics = new DuplicateRegistry(rt, 'topics');
    const got: string[] = [];
    const subscriber = (name: string) => rt.spawn((msg) => void got.push(`${name}:${String(msg)}`));
    const [s1, s2] = [subscriber('s1'), subscriber('s2')];
    topics.register('news', s1);
    topics.register('news', s2);
    const calls: number[] = [];
    const sent = topics.dispatch('news', (entries) => {
      calls.push(entries.length);
      for (const { pid } of entries) rt.send(pid, 'hello');
    });
    await rt.idle();
    expect(sent).toBe(2);
    expect(calls).toEqual([2]);
    expect(got.sort()).toEqual(['s1:hello', 's2:hello']);
    // No entry, no call.
    expect(topics.dispatch('sport', () => calls.push(-1))).toBe(0);
    expect(calls).toEqual([2]);
    expect(() =>
      topics.dispatch('news', () => {
        throw new Error('subscriber list broke');
      }),
    ).toThrow('subscriber list broke');
  });

  test("a process's entries are removed when it exits: at once for lookups, for good once the exit is delivered", async () => {
    const rt = vrt();
    const topics = new DuplicateRegistry(rt);
    const [a, b] = [rt.spawn(() => undefined), rt.spawn(() => undefined)];
    topics.register('t1', a);
    topics.register('t2', a);
    topics.register('t1', b);
    rt.exitSelf(a, 'boom');
    expect(topics.lookup('t1').map((e) => e.pid)).toEqual([b]);
    expect(topics.count()).toBe(1);
    expect(topics.keys(a)).toEqual([]);
    let delivered = 0;
    topics.dispatch('t2', () => delivered++);
    expect(delivered).toBe(0);
    await rt.idle();
    expect(topics.count()).toBe(1);
    // b's entries are untouched; a killed b takes its entries with it.
    rt.exit(b, 'kill');
    await rt.idle();
    expect(topics.count()).toBe(0);
    expect(topics.lookup('t1')).toEqual([]);
  });

  test('unregister removes every entry of one process under one key, and nothing else', async () => {
    const rt = vrt();
    const topics = new DuplicateRegistry<number>(rt, 'r');
    const [a, b] = [rt.spawn(() => undefined), rt.spawn(() => undefined)];
    topics.register('k', a, 1);
    topics.register('k', a, 2);
    topics.register('k', b, 3);
    topics.register('other', a, 4);
    expect(topics.unregister('k', a)).toBe(2);
    expect(topics.unregister('k', a)).toBe(0);
    expect(topics.lookup('k')).toEqual([{ pid: b, value: 3 }]);
    expect(topics.keys(a)).toEqual(['other']);
    expect(topics.unregister('other', a)).toBe(1);
    expect(topics.keys(a)).toEqual([]);
    // With no entry left, a's exit changes nothing; a new registration is watched afresh.
    topics.register('k', a, 5);
    rt.exit(a, 'kill');
    await rt.idle();
    expect(topics.lookup('k')).toEqual([{ pid: b, value: 3 }]);
  });

  test('bad input: INVALID_OPTION naming the call; a dead pid is NOPROC; nothing is registered', async () => {
    const rt = vrt();
    const topics = new DuplicateRegistry(rt, 'r');
    const dead = rt.spawn(() => undefined);
    rt.exit(dead, 'kill');
    await rt.idle();
    expect((thrown(() => topics.register('k', dead)) as QuiesceError).code).toBe('NOPROC');
    for (const key of ['', 5, null]) {
      const error = thrown(() =>
        topics.register(
          key as string,
          rt.spawn(() => undefined),
        ),
      ) as QuiesceError;
      expect(error.message).toMatch(/^r\.register\(key\): got .*; expected a non-empty string/);
      expect((thrown(() => topics.lookup(key as string)) as QuiesceError).code).toBe('INVALID_OPTION');
    }
    expect((thrown(() => topics.register('k', '<0.1>' as never)) as QuiesceError).message).toMatch(/^r\.register\(pid\): got "<0\.1>"; expected a Pid/);
    expect((thrown(() => topics.dispatch('k', 'send' as never)) as QuiesceError).message).toMatch(/^r\.dispatch\(fn\)/);
    expect((thrown(() => topics.unregister('k', {} as never)) as QuiesceError).code).toBe('INVALID_OPTION');
    expect((thrown(() => topics.keys(undefined as never)) as QuiesceError).code).toBe('INVALID_OPTION');
    expect(topics.count()).toBe(0);
  });

  test('fuzz: any key and pid either register or throw a QuiesceError, never another error', () => {
    const rt = vrt();
    const topics = new DuplicateRegistry(rt);
    const live = rt.spawn(() => undefined);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), fc.oneof(fc.constant(live), fc.anything()), (key, pid) => {
        try {
          topics.register(key as string, pid as Pid);
          expect(topics.lookup(key as string).some((e) => e.pid === live)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
    );
  });

  test('registries are scoped to their runtime', () => {
    const [rt1, rt2] = [vrt(), vrt()];
    const [r1, r2] = [new DuplicateRegistry(rt1), new DuplicateRegistry(rt2)];
    const p1 = rt1.spawn(() => undefined);
    r1.register('k', p1);
    expect(r2.lookup('k')).toEqual([]);
    expect(() => r2.register('k', p1)).toThrow(/is not alive/);
  });
});
