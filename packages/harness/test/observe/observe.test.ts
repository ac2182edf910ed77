import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { QuiesceError } from '@quiesce/runtime';
import { describe, expect } from 'vitest';
import { createTestSystem, Observer, test, WaitError } from '@quiesce/harness';

describe('system.observe', () => {
  test('records mapped events from a Node EventEmitter: a string maps to a kind with the arguments as data', async ({ system }) => {
    const emitter = new EventEmitter();
    const observer = system.observe(emitter, {
      exit: (code: number, signal: string | null) => ({ kind: 'worker.exit', data: { code, signal } }),
      error: 'worker.error',
      progress: (n: number) => (n % 2 === 0 ? { kind: 'worker.progress', source: `step:${n}`, data: n } : undefined),
    });
    const error = new Error('disk full');
    emitter.emit('progress', 1);
    emitter.emit('progress', 2);
    emitter.emit('error', error);
    emitter.emit('exit', 1, null);
    emitter.emit('unmapped', 'ignored');

    const recorded = system.history.events.filter((e) => e.kind.startsWith('worker.'));
    expect(recorded.map(({ kind, source, data }) => ({ kind, source, data }))).toEqual([
      { kind: 'worker.progress', source: 'step:2', data: 2 },
      { kind: 'worker.error', source: 'EventEmitter', data: [error] },
      { kind: 'worker.exit', source: 'EventEmitter', data: { code: 1, signal: null } },
    ]);
    expect(observer.recorded).toBe(3);
    expect(observer).toBeInstanceOf(Observer);
    expect(observer.kind).toBe('observer');
    expect(observer.label).toBe('EventEmitter (exit, error, progress)');
    expect(observer.external()).toBe(true);
  });

  test('a wait resolves on an event the emitter fires later', async ({ system }) => {
    const emitter = new EventEmitter();
    system.observe(emitter, { exit: (code: number) => ({ kind: 'worker.exit', data: { code } }) }, { source: 'w1' });
    const exited = system.until({ kind: 'worker.exit', source: 'w1', data: { code: 2 } });
    // Fired from a later macrotask, as a real emitter would.
    setImmediate(() => emitter.emit('exit', 2));
    await expect(exited).resolves.toMatchObject({ kind: 'worker.exit', data: { code: 2 } });
  });

  test('an EventTarget works too: listeners get the Event', async ({ system }) => {
    const target = new EventTarget();
    system.observe(
      target,
      { ping: (event: CustomEvent<{ n: number }>) => ({ kind: 'target.ping', data: event.detail }), pong: 'target.pong' },
      { source: 'bus' },
    );
    const second = system.until({ kind: 'target.ping', data: { n: 2 } });
    target.dispatchEvent(new CustomEvent('ping', { detail: { n: 1 } }));
    target.dispatchEvent(new CustomEvent('ping', { detail: { n: 2 } }));
    await expect(second).resolves.toMatchObject({ source: 'bus' });
    const pong = new Event('pong');
    target.dispatchEvent(pong);
    expect(system.history.ofKind('target.pong').map((e) => e.data)).toEqual([[pong]]);
    expect(system.history.ofKind('target.ping')).toHaveLength(2);
  });

  test('a wait on an event that never fires times out in real time instead of declaring deadlock', async ({ system }) => {
    system.observe(new EventEmitter(), { never: 'x.never' });
    const error = await system.until('x.never', { timeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect((error as WaitError).failure).toBe('timeout');
  });

  test('stop() detaches: the emitter loses the listeners, later events are not recorded, and waits can deadlock again', async ({ system }) => {
    const emitter = new EventEmitter();
    const observer = system.observe(emitter, { tick: 'x.tick', tock: 'x.tock' });
    emitter.emit('tick');
    observer.stop();
    observer.stop(); // idempotent
    expect(emitter.listenerCount('tick') + emitter.listenerCount('tock')).toBe(0);
    emitter.emit('tick');
    expect(system.history.ofKind('x.tick')).toHaveLength(1);
    expect(system.history.ofKind('observer.stop')).toMatchObject([{ source: observer.label, data: { recorded: 1 } }]);
    expect(observer.attached).toBe(false);
    expect(observer.external()).toBe(false);
    const error = await system.until('x.tock', { timeout: 3_600_000 }).catch((e: unknown) => e);
    expect((error as WaitError).failure).toBe('deadlock');
  });

  test('stop() on an EventTarget removes its listeners', async ({ system }) => {
    const target = new EventTarget();
    const observer = system.observe(target, { ping: 'x.ping' });
    observer.stop();
    target.dispatchEvent(new Event('ping'));
    expect(system.history.ofKind('x.ping')).toEqual([]);
  });

  test('observing "error" on a Node emitter handles it, and only while attached', async ({ system }) => {
    const emitter = new EventEmitter();
    const observer = system.observe(emitter, { error: 'x.error' });
    expect(() => emitter.emit('error', new Error('handled'))).not.toThrow();
    observer.stop();
    expect(() => emitter.emit('error', new Error('unhandled again'))).toThrow('unhandled again');
  });
});

describe('system.observe without fixtures', () => {
  test('teardown detaches every observer: not alive, no listeners left, nothing recorded after', async () => {
    const system = createTestSystem({ testId: 'observe-teardown' });
    const emitter = new EventEmitter();
    const target = new EventTarget();
    const a = system.observe(emitter, { exit: 'x.exit' });
    const b = system.observe(target, { exit: 'x.exit' });
    await system.teardown();
    expect([a.alive(), b.alive()]).toEqual([false, false]);
    expect(emitter.listenerCount('exit')).toBe(0);
    const length = system.history.length;
    emitter.emit('exit', 0);
    target.dispatchEvent(new Event('exit'));
    expect(system.history.length).toBe(length);
    expect(() => system.observe(emitter, { exit: 'x.exit' })).toThrow(expect.objectContaining({ code: 'AFTER_TEARDOWN' }));
  });

  test('a mapping function that throws or returns a non-event is recorded at once and fails the test at teardown', async () => {
    const system = createTestSystem({ testId: 'observe-bad-mapping' });
    const emitter = new EventEmitter();
    const observer = system.observe(emitter, {
      bad: () => ({ kind: 42 }) as never,
      broken: () => {
        throw new TypeError('oops');
      },
    });
    expect(() => emitter.emit('bad')).not.toThrow(); // never thrown into the third party's emit
    expect(() => emitter.emit('broken')).not.toThrow();
    expect(observer.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^observe\(mapping\)\.bad \(its result\): got .*42.*expected undefined \(skip\) or \{ kind/),
      'observe(mapping).broken: the mapping function threw TypeError: oops',
    ]);
    expect(system.history.ofKind('observer.error')).toHaveLength(2);
    await expect(system.teardown()).rejects.toMatchObject({ name: 'InvalidOptionError', code: 'INVALID_OPTION' });
  });

  test('a history listener that throws is never thrown into the emitter; the test fails at teardown', async () => {
    const system = createTestSystem({ testId: 'observe-throwing-listener' });
    const emitter = new EventEmitter();
    const observer = system.observe(emitter, { exit: 'x.exit' });
    system.history.subscribe((event) => {
      if (event.kind === 'x.exit') throw new RangeError('listener bug');
    });
    expect(() => emitter.emit('exit', 0)).not.toThrow();
    expect(observer.errors.map((e) => e.message)).toEqual(['recording x.exit from EventEmitter threw RangeError: listener bug']);
    await expect(system.teardown()).rejects.toThrow('listener bug');
  });
});

describe('system.observe input validation', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['a null mapping', () => [new EventEmitter(), null], /^observe\(mapping\): got null; expected an object mapping event names/],
    ['an array mapping', () => [new EventEmitter(), ['exit']], /^observe\(mapping\): got .*; expected an object/],
    ['an empty mapping', () => [new EventEmitter(), {}], /^observe\(mapping\): got \{\}; expected at least one event name/],
    [
      'a number as a kind',
      () => [new EventEmitter(), { exit: 'ok.exit', error: 42 }],
      /^observe\(mapping\)\.error: got 42; expected a non-empty history kind string, or a function/,
    ],
    ['an empty kind', () => [new EventEmitter(), { exit: '' }], /^observe\(mapping\)\.exit: got ""; expected a non-empty history kind/],
    ['an empty event name', () => [new EventEmitter(), { '': 'x.y' }], /^observe\(mapping\)\[""\]: got "x\.y"; expected a non-empty event name/],
    ['a symbol event name', () => [new EventEmitter(), { [Symbol('s')]: 'x.y' }], /^observe\(mapping\)\[Symbol\(s\)\]: .*expected string event names only/],
    [
      'not an emitter',
      () => [{ on: () => undefined }, { exit: 'x.exit' }],
      /^observe\(emitter\): got .*; expected an EventEmitter \(on \+ off\/removeListener\) or an EventTarget/,
    ],
    ['a null emitter', () => [null, { exit: 'x.exit' }], /^observe\(emitter\): got null/],
    ['an empty source', () => [new EventEmitter(), { exit: 'x.exit' }, { source: '' }], /^observe\.source: got ""; expected a non-empty string/],
    ['options that are not an object', () => [new EventEmitter(), { exit: 'x.exit' }, 'w1'], /^observe options: got "w1"; expected an options object/],
  ];

  for (const [name, args, message] of cases) {
    test(`rejects ${name} with a QuiesceError naming it, attaching nothing`, async ({ system }) => {
      const [emitter, mapping, options] = args() as [unknown, unknown, unknown];
      let thrown: unknown;
      try {
        system.observe(emitter as never, mapping as never, options as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(QuiesceError);
      expect((thrown as QuiesceError).code).toBe('INVALID_OPTION');
      expect((thrown as QuiesceError).message).toMatch(message);
      if (emitter instanceof EventEmitter) expect(emitter.eventNames()).toEqual([]);
      expect(system.history.ofKind('observer.start')).toEqual([]);
      expect(system.hasExternalSources()).toBe(false);
    });
  }

  test('fuzz: any mapping and options either attach or throw a QuiesceError, never another error', async ({ system }) => {
    const value = fc.oneof(fc.string(), fc.constant(''), fc.integer(), fc.constant(null), fc.constant(undefined), fc.func(fc.anything()), fc.anything());
    fc.assert(
      fc.property(
        fc.oneof(fc.dictionary(fc.string(), value), fc.anything()),
        fc.oneof(fc.record({ source: value }, { requiredKeys: [] }), fc.anything()),
        (mapping, options) => {
          const emitter = new EventEmitter();
          try {
            system.observe(emitter, mapping as never, options as never).stop();
          } catch (error) {
            expect(error).toBeInstanceOf(QuiesceError);
            expect(emitter.eventNames()).toEqual([]);
          }
        },
      ),
    );
  });
});

test('observe rejects an unknown option key, naming it', ({ system }) => {
  expect(() => system.observe(new EventEmitter(), { tick: 'tick' }, { sourc: 'pool' } as never)).toThrow(
    /observe options\.sourc: got "pool"; no such option, did you mean 'source'\?/,
  );
});
