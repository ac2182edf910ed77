import { describe, expect, test } from 'vitest';
import { QuiesceError, Registry } from '@quiesce/runtime';
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
    const error = thrown(() => reg.register('k', rt.spawn(() => undefined))) as QuiesceError;
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
      const error = thrown(() => reg.register(key as string, rt.spawn(() => undefined))) as QuiesceError;
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
