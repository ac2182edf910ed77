import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Runtime } from '@quiesce/runtime';
import { readable, READABLE_LIMITS } from '@quiesce/harness/internal';

class Connection extends EventEmitter {
  readonly id = 7;
  readonly self = this;
  readonly _buffer = 'internal';
  readonly pool: { conns: Connection[] } = { conns: [this] };
}

describe('readable', () => {
  test('plain data comes back equal (fuzz)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
        expect(readable(value)).toEqual(value);
      }),
    );
  });

  test('anything at all gives a copy JSON can print (fuzz)', () => {
    const everything = fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withObjectString: true,
      withNullPrototype: true,
    });
    fc.assert(
      fc.property(everything, (value) => {
        expect(() => JSON.stringify(readable(value))).not.toThrow();
      }),
    );
  });

  test('class instances by name with their public fields; cycles; internals left out', () => {
    const conn = new Connection();
    expect(readable({ conn })).toEqual({ conn: { '@class': 'Connection', id: 7, self: '[Circular]', pool: { conns: ['[Circular]'] } } });
  });

  test('bounded in depth, keys, items and string length', () => {
    const { depth, keys, items, string } = READABLE_LIMITS;
    let deep: unknown = { leaf: true };
    for (let i = 0; i < depth + 2; i++) deep = { next: deep };
    const copy = JSON.stringify(readable(deep));
    expect(copy).toContain('"[Object]"');
    expect(copy).not.toContain('leaf');
    const wide = Object.fromEntries(Array.from({ length: keys + 5 }, (_, i) => [`k${i}`, i]));
    expect(readable(wide)).toMatchObject({ k0: 0, '…': '5 more keys' });
    expect(Object.keys(readable(wide) as object)).toHaveLength(keys + 1);
    const long = Array.from({ length: items + 3 }, (_, i) => i);
    expect((readable(long) as unknown[]).at(-1)).toBe('… 3 more');
    expect(readable('x'.repeat(string + 10))).toBe(`${'x'.repeat(string)}…(+10 chars)`);
  });

  test('values with a shape of their own', () => {
    const rt = new Runtime({ clock: 'virtual' });
    const pid = rt.spawn(() => undefined);
    const error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const throwing = {
      get broken(): never {
        throw new Error('no access');
      },
      fine: 1,
    };
    expect(
      readable({
        pid,
        error,
        at: new Date(0),
        big: 12n,
        nan: Number.NaN,
        fn: function onData() {},
        bytes: Buffer.from('abc'),
        map: new Map([['a', 1]]),
        set: new Set(['x']),
        re: /x+/g,
        promise: Promise.resolve(1),
        throwing,
        bare: Object.assign(Object.create(null) as object, { a: 1 }),
      }),
    ).toEqual({
      pid: pid.toString(),
      error: { error: 'Error', message: 'refused', code: 'ECONNREFUSED' },
      at: '1970-01-01T00:00:00.000Z',
      big: '12n',
      nan: 'NaN',
      fn: '[function onData]',
      bytes: '[Buffer 3 bytes]',
      map: { '@class': 'Map', size: 1, entries: [['a', 1]] },
      set: { '@class': 'Set', size: 1, values: ['x'] },
      re: '/x+/g',
      promise: '[Promise]',
      throwing: { broken: '[unreadable: no access]', fine: 1 },
      bare: { a: 1 },
    });
  });
});
