import diagnostics from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { QuiesceError, channelName, supervisor, worker, type StartFn } from '@quiesce/runtime';
import { isRuntimeMessage } from '@quiesce/runtime/internal';
import { describe, expect } from 'vitest';
import { createTestSystem, test, WaitError } from '@quiesce/harness';

const fixture = new URL('../fixtures/resource-thread.mjs', import.meta.url);
const realTime = { timeout: 30_000 };

function publish(kind: string, source: string, data: unknown): void {
  diagnostics.channel(channelName(kind)).publish({ kind, source, time: Date.now(), data });
}

/**
 * A "third-party" supervisor, written the way a library that never heard of Quiesce's runtime
 * would be: it keeps one worker thread per id and restarts any that exits, and it publishes its
 * lifecycle per the documented protocol (channel `quiesce:<kind>`, message `{ kind, source, time, data }`).
 */
class ThreadSupervisor {
  readonly #threads = new Map<string, Worker>();
  #stopping = false;

  constructor(
    readonly name: string,
    ids: readonly string[],
  ) {
    for (const id of ids) this.#start(id, 'child.start');
  }

  child(id: string): Worker | undefined {
    return this.#threads.get(id);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#threads.values()].map((t) => t.terminate()));
  }

  #start(id: string, kind: 'child.start' | 'child.restart'): void {
    const thread = new Worker(fixture);
    this.#threads.set(id, thread);
    thread.once('exit', (code) => {
      if (this.#stopping) return;
      publish('child.exit', this.name, { id, reason: code });
      this.#start(id, 'child.restart');
    });
    publish(kind, this.name, { id });
  }
}

function ownSupervisor(system: ReturnType<typeof createTestSystem>, sup: ThreadSupervisor): ThreadSupervisor {
  let stopped = false;
  system.own({
    kind: 'supervisor',
    label: `third-party ${sup.name}`,
    dispose: async () => {
      stopped = true;
      await sup.stop();
    },
    alive: () => !stopped,
  });
  return sup;
}

const crashy: StartFn = (ctx) =>
  ctx.spawn((msg) => {
    if (msg === 'crash') throw new Error('boom');
  });

describe('system.bridgeDiagnostics', () => {
  test("a third-party supervisor's restarts land in the history and can be waited for", async ({ system }) => {
    const bridge = system.bridgeDiagnostics();
    const sup = ownSupervisor(system, new ThreadSupervisor('thread-sup', ['w1', 'w2']));
    expect(system.history.ofKind('child.start').map((e) => [e.source, e.data])).toEqual([
      ['thread-sup', { id: 'w1' }],
      ['thread-sup', { id: 'w2' }],
    ]);

    sup.child('w1')!.postMessage({ exit: 9 });
    const restart = await system.until({ kind: 'child.restart', data: { id: 'w1' } }, realTime);

    expect(restart.source).toBe('thread-sup');
    const exit = system.history.find((e) => e.kind === 'child.exit');
    expect(exit).toMatchObject({ source: 'thread-sup', data: { id: 'w1', reason: 9 } });
    expect(exit!.seq).toBeLessThan(restart.seq);
    expect(bridge.recorded).toBe(4);
    expect(bridge.label).toMatch(/^diagnostics bridge \(quiesce:process\.spawn, .* and \d+ more\)$/);
  });

  test("events of the system's own runtime are recorded once, not again by the bridge", async ({ system }) => {
    system.bridgeDiagnostics({ kinds: 'lifecycle' });
    const pool = await system.start(supervisor({ id: 'pool', intensity: 3, children: [worker('w1', crashy)] }));
    system.send(pool.child('w1')!, 'crash');
    await system.until({ kind: 'child.restart', data: { id: 'w1' } });
    publish('child.restart', 'elsewhere', { id: 'x' });

    expect(system.history.ofKind('child.restart').map((e) => e.source)).toEqual(['pool', 'elsewhere']);
    // Every lifecycle event of the runtime appears exactly once.
    const lines = system.history.events
      .filter((e) => e.kind.startsWith('process.') || e.kind.startsWith('child.'))
      .map((e) => JSON.stringify([e.kind, e.source, e.data]));
    expect(new Set(lines).size).toBe(lines.length);
  });

  test("another Quiesce runtime's events are not copied into this test's history", async ({ system }) => {
    system.bridgeDiagnostics({ kinds: ['child.restart', 'child.start'] });
    const other = createTestSystem({ testId: 'another runtime' });
    try {
      const pool = await other.start(supervisor({ id: 'other-pool', intensity: 3, children: [worker('w1', crashy)] }));
      other.send(pool.child('w1')!, 'crash');
      await other.until({ kind: 'child.restart', source: 'other-pool' });
    } finally {
      await other.teardown();
    }
    expect(system.history.events.filter((e) => e.source === 'other-pool')).toEqual([]);
  });

  test('the runtime marks what it publishes; third-party messages carry no mark', async ({ system }) => {
    const seen: unknown[] = [];
    const listener = (message: unknown): void => void seen.push(message);
    diagnostics.subscribe(channelName('child.restart'), listener);
    try {
      system.record('child.restart', 'pool', { id: 'w1', pid: '<0.99>' });
      publish('child.restart', 'thread-sup', { id: 'w1' });
    } finally {
      diagnostics.unsubscribe(channelName('child.restart'), listener);
    }
    expect(seen.map(isRuntimeMessage)).toEqual([true, false]);
    // The mark is not enumerable: the documented message shape is unchanged.
    expect(seen[0]).toEqual({ kind: 'child.restart', source: 'pool', time: 0, data: { id: 'w1', pid: '<0.99>' } });
  });

  test('named channels are recorded with the channel as kind and the message as data', async ({ system }) => {
    system.bridgeDiagnostics({ channels: ['thread-sup:heartbeat', 'quiesce:pool.grow'] });
    const heartbeat = system.until('thread-sup:heartbeat');
    diagnostics.channel('thread-sup:heartbeat').publish({ source: 'thread-sup', n: 1 });
    diagnostics.channel('quiesce:pool.grow').publish({ source: 'thread-sup', data: { size: 3 } });
    diagnostics.channel('quiesce:pool.shrink').publish({ source: 'thread-sup', data: { size: 2 } }); // not bridged
    diagnostics.channel('quiesce:pool.grow').publish('not an object');
    await expect(heartbeat).resolves.toMatchObject({ source: 'thread-sup', data: { source: 'thread-sup', n: 1 } });
    expect(system.history.ofKind('pool.grow').map((e) => [e.source, e.data])).toEqual([
      ['thread-sup', { size: 3 }],
      ['diagnostics', 'not an object'],
    ]);
    expect(system.history.ofKind('pool.shrink')).toEqual([]);
  });

  test('live objects in a message are recorded readably: class names, bounded, no circular crash', async ({ system }) => {
    system.bridgeDiagnostics({ channels: ['thread-sup:conn'], kinds: ['child.exit'] });
    const server = createServer();
    const emitter = new EventEmitter();
    const conn = { id: 'c1', emitter, server, self: undefined as unknown };
    conn.self = conn;
    diagnostics.channel('thread-sup:conn').publish({ source: 'thread-sup', conn });
    publish('child.exit', 'thread-sup', { id: 'w1', reason: Object.assign(new Error('gone'), { code: 'EPIPE' }), worker: emitter });
    const [event] = system.history.ofKind('thread-sup:conn');
    const conn1 = { id: 'c1', emitter: { '@class': 'EventEmitter' }, server: { '@class': 'Server' }, self: '[Circular]' };
    expect(event?.data).toMatchObject({ source: 'thread-sup', conn: conn1 });
    const exit = system.history.ofKind('child.exit')[0]?.data;
    expect(exit).toEqual({ id: 'w1', reason: { error: 'Error', message: 'gone', code: 'EPIPE' }, worker: { '@class': 'EventEmitter' } });
    // The timeline prints every event on one bounded line instead of throwing on the cycle.
    const lines = system.history.timeline().split('\n');
    const line = lines.find((l) => /^#\s*\d+\s+\S+\s+thread-sup:conn /.test(l));
    expect(line).toContain('"conn":{"id":"c1","emitter":{"@class":"EventEmitter"},"server":{"@class":"Server"');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(2000);
  });

  test('a wait on a bridged kind nobody publishes times out in real time, not as a deadlock', async ({ system }) => {
    system.bridgeDiagnostics({ kinds: ['child.restart'] });
    const error = await system.until('child.restart', { timeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect((error as WaitError).failure).toBe('timeout');
  });

  test('stop() unsubscribes: later messages are not recorded', async ({ system }) => {
    const bridge = system.bridgeDiagnostics({ kinds: ['child.restart'] });
    publish('child.restart', 'thread-sup', { id: 'a' });
    bridge.stop();
    publish('child.restart', 'thread-sup', { id: 'b' });
    expect(system.history.ofKind('child.restart').map((e) => e.data)).toEqual([{ id: 'a' }]);
    expect(bridge.alive()).toBe(false);
  });

  test('teardown unsubscribes the bridge', async () => {
    const system = createTestSystem({ testId: 'bridge-teardown' });
    const bridge = system.bridgeDiagnostics({ kinds: ['child.restart'] });
    await system.teardown();
    const length = system.history.length;
    publish('child.restart', 'thread-sup', { id: 'late' });
    expect(system.history.length).toBe(length);
    expect(bridge.alive()).toBe(false);
  });
});

describe('system.bridgeDiagnostics input validation', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['options that are not an object', 'lifecycle', /^bridgeDiagnostics options: got "lifecycle"; expected an object/],
    ['kinds that are not a list', { kinds: 'child.restart' }, /^bridgeDiagnostics\.kinds: got "child\.restart"; expected 'lifecycle' or an array/],
    ['an empty kind', { kinds: ['child.restart', ''] }, /^bridgeDiagnostics\.kinds\[1\]: got ""; expected a non-empty history kind/],
    ['channels that are not a list', { channels: 'x' }, /^bridgeDiagnostics\.channels: got "x"; expected an array of channel names/],
    ['a bare prefix as a channel', { channels: ['quiesce:'] }, /^bridgeDiagnostics\.channels\[0\]: got "quiesce:"; expected a non-empty channel name/],
    ['nothing to bridge', { kinds: [] }, /^bridgeDiagnostics options: got .*; expected at least one kind or channel/],
  ];
  for (const [name, options, message] of cases) {
    test(`rejects ${name} with a QuiesceError, subscribing nothing`, async ({ system }) => {
      expect(() => system.bridgeDiagnostics(options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }),
      );
      expect(system.hasExternalSources()).toBe(false);
    });
  }

  test('fuzz: any options either bridge or throw a QuiesceError, never another error', async ({ system }) => {
    const list = fc.oneof(fc.array(fc.oneof(fc.string(), fc.anything())), fc.anything());
    fc.assert(
      fc.property(fc.oneof(fc.record({ kinds: fc.oneof(list, fc.constant('lifecycle')), channels: list }, { requiredKeys: [] }), fc.anything()), (options) => {
        try {
          system.bridgeDiagnostics(options as never).stop();
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
    );
  });
});
