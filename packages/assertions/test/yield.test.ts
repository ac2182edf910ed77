import { Readable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { InvalidOptionError, QuiesceError, Runtime, type Pid } from '@quiesce/runtime';
import { test, type TestSystem } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf } from './support.js';

/** An object-mode Readable fed by a runtime process that sleeps `gap` virtual ms before each chunk. */
interface Producing {
  gap?: number;
  end?: boolean;
  fail?: Error;
}

function streamed(system: TestSystem, chunks: readonly unknown[], { gap = 1000, end = true, fail }: Producing = {}): Readable {
  const stream = new Readable({ objectMode: true, read: () => undefined });
  system.runtime.spawn(
    async (_msg, ctx) => {
      for (const chunk of chunks) {
        await ctx.sleep(gap);
        stream.push(chunk);
      }
      if (fail) stream.destroy(fail);
      else if (end) stream.push(null);
    },
    { init: (ctx) => ctx.send(ctx.self, 'go') },
  );
  return stream;
}

/** An async generator whose chunks come `gap` virtual ms apart on the system's clock. */
async function* ticking(system: TestSystem, chunks: readonly string[], gap = 500): AsyncGenerator<string> {
  for (const chunk of chunks) {
    await new Promise<void>((resolve) => system.runtime.setTimer(gap, resolve));
    yield chunk;
  }
}

describe('toYield: streams', () => {
  test('a Readable fed by a process that sleeps between chunks: resolves in virtual time, chunk by chunk', async ({ system }) => {
    await expect(streamed(system, ['a', 'b', 'c'])).toYield(['a', 'b', 'c'], { system });
    expect(system.now()).toBe(3000);
  });

  test('an async generator on the system clock, chunks as patterns', async ({ system }) => {
    await expect(ticking(system, ['{"n":1}', '{"n":2}'])).toYield(['{"n":1}', /"n":2/], { system });
    expect(system.now()).toBe(1000);
  });

  test('a Web ReadableStream is an async iterable', async () => {
    await expect(ReadableStream.from(['a', 'b'])).toYield(['a', 'b']);
  });

  test('a byte stream keeps its chunks as pushed and compares them with strings as UTF-8', async () => {
    const bytes = new Readable({ read: () => undefined });
    bytes.push('hel');
    bytes.push(Buffer.from('lo'));
    bytes.push(null);
    await expect(bytes).toYield(['hel', 'lo']);
  });

  test('a mismatched chunk fails naming both sides, with the timeline', async ({ system }) => {
    const message = await failureOf(() => expect(streamed(system, ['a', 'x', 'c'])).toYield(['a', 'b', 'c'], { system }));
    expect(message).toMatch(/^expect\(received\)\.toYield\(chunks\)/);
    expect(message).toContain('Expected: a Readable (object mode) to yield 3 chunks in this order, then end');
    expect(message).toContain('Received: 1 chunk as expected, then chunk 2 did not match');
    expect(message).toContain('Expected chunks:\n  1. "a"\n  2. "b"\n  3. "c"');
    expect(message).toContain('Received chunks:\n  1. "a"\n  2. "x"   <- does not match');
    expect(message).toMatch(/last \d+ events:\n/);
  });

  test('a chunk where the stream should have ended fails; `end: false` accepts it and leaves it buffered', async ({ system }) => {
    const message = await failureOf(() => expect(streamed(system, ['a', 'b'])).toYield(['a'], { system }));
    expect(message).toContain('Received: 1 chunk as expected, then the stream yielded "b" where it should have ended');
    expect(message).toContain('  2. "b"   <- unexpected');

    const more = streamed(system, ['a', 'b']);
    await expect(more).toYield(['a'], { system, end: false });
    await system.settle();
    expect(more.isPaused()).toBe(true);
    expect(more.read()).toBe('b');
  });

  test('a stream that ends early, fails, or is destroyed says so', async ({ system }) => {
    const early = await failureOf(() => expect(streamed(system, ['a'])).toYield(['a', 'b'], { system }));
    expect(early).toContain('Received: 1 chunk as expected, then the stream ended');
    const failed = await failureOf(() => expect(streamed(system, ['a'], { fail: new Error('socket hang up') })).toYield(['a', 'b'], { system }));
    expect(failed).toContain('Received: 1 chunk as expected, then the stream failed with Error: socket hang up');
    const destroyed = new Readable({ objectMode: true, read: () => undefined });
    destroyed.destroy();
    expect(await failureOf(() => expect(destroyed).toYield([]))).toContain('then the stream was destroyed before it ended');
  });

  test('with a system, a chunk that can never come fails at once (deadlock), without waiting out the timeout', async ({ system }) => {
    const silent = new Readable({ objectMode: true, read: () => undefined });
    const message = await failureOf(() => expect(silent).toYield(['a'], { system, timeout: 3_600_000 }));
    expect(message).toContain('Received: 0 chunks as expected, then the wait for chunk 1 can never happen');
    expect(system.now()).toBe(0);
  });

  test('on a timeout per chunk: virtual with a system, real without', async ({ system }) => {
    // Each chunk gets the whole timeout: 2000 ms apart passes under 2500, not under 1500.
    await expect(streamed(system, ['a', 'b'], { gap: 2000 })).toYield(['a', 'b'], { system, timeout: 2500 });
    const slow = await failureOf(() => expect(streamed(system, ['a', 'b'], { gap: 2000 })).toYield(['a', 'b'], { system, timeout: 1500 }));
    expect(slow).toContain('Received: 0 chunks as expected, then the wait for chunk 1 timed out after 1500 ms virtual');
    const silent = new Readable({ objectMode: true, read: () => undefined });
    const real = await failureOf(() => expect(silent).toYield(['a'], { timeout: 30 }));
    expect(real).toMatch(/then the wait for chunk 1 timed out after 0 ms virtual \/ \d+(\.\d)? ms real time/);
  });

  test('a runtime no TestSystem owns is driven too', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    async function* gen() {
      for (const n of [1, 2]) {
        await new Promise<void>((resolve) => rt.setTimer(60_000, resolve));
        yield n;
      }
    }
    await expect(gen()).toYield([1, 2], { runtime: rt, timeout: 120_000 });
    expect(rt.now()).toBe(120_000);
    await rt.shutdown();
  });

  test('.not passes when the stream yields something else, and fails when it yields exactly that', async ({ system }) => {
    await expect(Readable.from(['a', 'x'])).not.toYield(['a', 'b']);
    const message = await failureOf(() => expect(Readable.from(['a'])).not.toYield(['a']));
    expect(message).toContain('Expected: a Readable (object mode) to not yield 1 chunk in this order, then end');
    expect(message).toContain('Received: exactly that');
    expect(system.now()).toBe(0);
  });

  test('a failed assertion tells a generator to stop (its finally runs)', async ({ system }) => {
    let stopped = false;
    async function* gen() {
      try {
        yield 'a';
        yield 'x';
        yield 'never';
      } finally {
        stopped = true;
      }
    }
    await failureOf(() => expect(gen()).toYield(['a', 'b'], { system }));
    await system.settle();
    expect(stopped).toBe(true);
  });
});

describe('toYield: messages to the inbox', () => {
  /** A process that sends `{ type: 'chunk', ref, data }` messages 100 virtual ms apart, then `{ type: 'end', ref }`. */
  function producer(system: TestSystem, to: Pid, ref: string, data: readonly string[], end = true, gap = 100): void {
    system.runtime.spawn(
      async (_msg, ctx) => {
        for (const d of data) {
          if (gap > 0) await ctx.sleep(gap);
          ctx.send(to, { type: 'chunk', ref, data: d });
        }
        if (end) ctx.send(to, { type: 'end', ref });
      },
      { init: (ctx) => ctx.send(ctx.self, 'go') },
    );
  }

  test('chunks then an end message, selected by ref; the other stream stays in the inbox', async ({ system, inbox }) => {
    producer(system, inbox.pid, 'r1', ['a', 'b', 'c']);
    producer(system, inbox.pid, 'r2', ['x']);
    await expect(inbox).toYield([{ data: 'a' }, { data: 'b' }, { data: 'c' }], { select: { ref: 'r1' }, until: { type: 'end', ref: 'r1' } });
    expect(system.now()).toBe(300);
    await system.settle();
    expect(inbox.messages).toEqual([
      { type: 'chunk', ref: 'r2', data: 'x' },
      { type: 'end', ref: 'r2' },
    ]);
  });

  test('without an end message, the stream has ended when nothing more arrives by idle (the clock untouched)', async ({ system, inbox }) => {
    producer(system, inbox.pid, 'r1', ['a', 'b'], false);
    await expect(inbox).toYield([{ data: 'a' }, { data: 'b' }]);
    producer(system, inbox.pid, 'r2', ['a', 'b'], false, 0);
    const message = await failureOf(() => expect(inbox).toYield([{ data: 'a' }]));
    expect(message).toContain('Expected: the inbox to yield 1 message in this order, then nothing more');
    expect(message).toMatch(/Received: 1 message as expected, then \{"type":"chunk","ref":"r2","data":"b"\} arrived after the last expected message/);
  });

  test('an end message too soon, or a message where the end was expected, fails', async ({ system, inbox }) => {
    producer(system, inbox.pid, 'r1', ['a']);
    const early = await failureOf(() => expect(inbox).toYield([{ data: 'a' }, { data: 'b' }], { until: { type: 'end' } }));
    expect(early).toContain('Received: 1 message as expected, then the end message {"type":"end","ref":"r1"} came');
    producer(system, inbox.pid, 'r2', ['a', 'b']);
    const late = await failureOf(() => expect(inbox).toYield([{ data: 'a' }], { until: { type: 'end' } }));
    expect(late).toContain('then {"type":"chunk","ref":"r2","data":"b"} came where the end message was expected');
  });
});

describe('toYield: bad input', () => {
  test('throws InvalidOptionError naming the argument', async ({ system, inbox }) => {
    const stream = () => Readable.from([]);
    await expect(expect(stream()).toYield('a' as never)).rejects.toThrow(/^toYield\(chunks\): got "a"; expected an array/);
    await expect(expect([1, 2]).toYield([1, 2])).rejects.toThrow(
      /expect\(received\)\.toYield\(\): received: got .*; expected a Node Readable, an async iterable, or a TestSystem's Inbox/,
    );
    await expect(expect(stream()).toYield([], { ends: true } as never)).rejects.toThrow(/toYield\.ends: got true; no such option/);
    await expect(expect(stream()).toYield([], { until: { type: 'end' } })).rejects.toThrow(/toYield\.until: .*applies to an Inbox only/);
    await expect(expect(inbox).toYield([], { system })).rejects.toThrow(/toYield\.system: .*an Inbox drives its own system's time/);
    await expect(expect(stream()).toYield([], { end: 'yes' as never })).rejects.toThrow(/toYield\.end: got "yes"/);
    await expect(expect(stream()).toYield([], { system: {} as never })).rejects.toThrow(InvalidOptionError);
    await expect(expect(stream()).toYield([], { timeout: -1 })).rejects.toThrow(/toYield\.timeout: got -1/);
  });

  test('fuzz: any options either pass, fail as an assertion, or throw a QuiesceError', async ({ system }) => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              timeout: fc.oneof(fc.integer({ min: -1, max: 50 }), fc.anything()),
              end: fc.oneof(fc.boolean(), fc.anything()),
              system: fc.oneof(fc.constant(system), fc.anything()),
            },
            { requiredKeys: [] },
          ),
        ),
        async (options) => {
          try {
            await expect(Readable.from(['a'])).toYield(['a'], options as never);
            seen.add('pass');
          } catch (error) {
            if (error instanceof QuiesceError) seen.add('invalid');
            else if (error instanceof Error && stripVTControlCharacters(error.message).startsWith('expect(received).toYield')) seen.add('assertion');
            else throw error;
          }
        },
      ),
      { numRuns: 150 },
    );
    expect(seen.has('pass') && seen.has('invalid')).toBe(true);
  });
});
