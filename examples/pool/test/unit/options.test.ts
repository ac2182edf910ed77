import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { InvalidOptionError } from '@quiesce/runtime';
import { test } from '@quiesce/harness';
import { startPool, type PoolOptions } from '../../src/index.js';

describe('startPool options', () => {
  test('a bad option is an InvalidOptionError naming it, the value and what is accepted; nothing starts', async ({ system }) => {
    const base = { port: () => 1, start: () => Promise.reject(new Error('must not start')) } as const;
    const cases: Array<[Partial<PoolOptions> & Record<string, unknown>, string]> = [
      [{ ...base }, 'startPool options.size: got undefined; expected an integer >= 1 (required: how many workers)'],
      [{ ...base, size: 0 }, 'startPool options.size: got 0; expected an integer >= 1'],
      [{ ...base, size: 2, capacity: 1.5 }, 'startPool options.capacity: got 1.5; expected an integer >= 1'],
      [{ ...base, size: 2, port: 8080 as never }, 'startPool options.port: got 8080; expected a function (workerId) => port'],
      [{ ...base, size: 2, python: '' }, 'startPool options.python: got ""; expected a non-empty string'],
      [{ ...base, size: 2, retries: 3 }, 'startPool options.retries: got 3; expected no such option'],
    ];
    for (const [options, message] of cases) {
      const error = await startPool(system.runtime, options as PoolOptions).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toContain(message);
    }
    expect(system.history.ofKind('os.spawn')).toEqual([]);
  });

  test('any size, capacity or attempts that is not an integer >= 1 is refused before anything starts', async ({ system }) => {
    const notPositiveInt = fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true }), fc.string(), fc.constant(null), fc.boolean());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('size', 'capacity', 'attempts'), notPositiveInt, async (key, value) => {
        let ports = 0;
        const options = { size: 1, port: () => ++ports, start: () => Promise.reject(new Error('started')), [key]: value } as unknown as PoolOptions;
        await expect(startPool(system.runtime, options)).rejects.toBeInstanceOf(InvalidOptionError);
        expect(ports).toBe(0);
      }),
      { numRuns: 100, seed: system.random.int(2 ** 31) },
    );
  });
});
