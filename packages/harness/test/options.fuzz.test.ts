// Bad input to the TestSystem's public options and waits: any input either works or throws a
// QuiesceError naming the option; never another error type, and nothing is left half started.
import fc from 'fast-check';
import { QuiesceError } from '@quiesce/runtime';
import { createTestSystem, memoryDuplex, test } from '@quiesce/harness';
import { describe, expect } from 'vitest';

const anything = fc.oneof(
  fc.anything(),
  fc.constantFrom(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40, '5s', null, [], {}, () => 1),
);

function worksOrQuiesceError(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(QuiesceError);
    expect((error as QuiesceError).code).toMatch(/^[A-Z_]+$/);
  }
}

describe('TestSystem option parsing', () => {
  test('createTestSystem options', async () => {
    const made: Array<ReturnType<typeof createTestSystem>> = [];
    fc.assert(
      fc.property(
        fc.record(
          {
            ...{ seed: anything, testId: anything, clock: anything, timeout: anything, trapExits: anything },
            ...{ signal: anything, file: anything, testName: anything, timout: anything },
          },
          { requiredKeys: [] },
        ),
        (options) => {
          const before = made.length;
          worksOrQuiesceError(() => made.push(createTestSystem(options as never)));
          // A misspelt key is never accepted (it used to leave the default in place, silently).
          if ('timout' in options) expect(made.length).toBe(before);
        },
      ),
      { numRuns: 300 },
    );
    for (const system of made) await system.teardown();
  });

  test('wait options on until, monitor, sync, settle', async ({ system }) => {
    const waitOptions = fc.record({ timeout: anything, signal: anything, realTimeout: anything, since: anything, timeoutt: anything }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(waitOptions, async (options) => {
        try {
          // A wait on an event that is already in the history: valid options resolve at once.
          await system.until('system.start', { ...(options as object), since: 'start' } as never);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
        try {
          await system.until('system.start', options as never);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
        if ('timeoutt' in options) expect(() => system.until('system.start', { ...options, since: 'start' } as never)).toThrow(/timeoutt/);
      }),
      { numRuns: 200 },
    );
  });

  test('until rejects a pattern it cannot use, naming the option', ({ system }) => {
    expect(() => system.until(42 as never)).toThrow(/until\(pattern\): got 42/);
    expect(() => system.until('x', { since: -3 })).toThrow(/until\.since: got -3/);
    expect(() => system.until('x', { timeout: -1 })).toThrow(/until\.timeout: got -1/);
  });

  test('memoryDuplex options: a QuiesceError, never a TypeError from node:stream', () => {
    const optional = { requiredKeys: [] as never[] };
    fc.assert(
      fc.property(fc.oneof(anything, fc.record({ allowHalfOpen: anything, highWaterMark: anything, highWaterMrak: anything }, optional)), (options) => {
        worksOrQuiesceError(() => {
          for (const end of memoryDuplex(options as never)) end.destroy();
        });
      }),
      { numRuns: 300 },
    );
    expect(() => memoryDuplex({ highWaterMrak: 1 } as never)).toThrow(
      /memoryDuplex options\.highWaterMrak: got 1; no such option, did you mean 'highWaterMark'\?/,
    );
  });
});
