import { createServer } from 'node:net';
import fc from 'fast-check';
import { QuiesceError } from '@quiesce/runtime';
import { createPortAllocator, listenOnFreePort, test } from '@quiesce/harness';
import { describe, expect } from 'vitest';
// The environment is passed explicitly here, so the tests never touch process.env.
import { resolveAllocatorOptions } from '../../src/ports/options.js';

describe('port allocator options', () => {
  test('bad options throw a QuiesceError naming the option, the value and what is accepted', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ range: { min: 30_000, max: 20_000 } }, /^range: got \{"min":30000,"max":20000\}; expected \{ min, max \}, integers with 1024 <= min <= max <= 65535$/],
      [{ range: { min: 80, max: 90 } }, /^range: got/],
      [{ range: { min: 40_000, max: 50_000 } }, /^range: .*expected numbers outside the ephemeral range/],
      [{ dir: 'relative/dir' }, /^dir: got "relative\/dir"; expected an absolute directory path$/],
      [{ dir: '' }, /^dir: got ""/],
      [{ ports: [] }, /^ports: got an array of 0; expected a non-empty array of distinct integers/],
      [{ ports: [20_000, 20_000] }, /^ports: got an array of 2/],
      [{ ports: [20_000], range: { min: 20_000, max: 20_001 } }, /^ports: .*either `range` or `ports`, not both$/],
      [{ ephemeral: 'sometimes' }, /^ephemeral: got "sometimes"; expected 'auto', 'none' or \{ min, max \}/],
      [{ runId: '' }, /^runId: got ""/],
      [{ poolId: -1 }, /^poolId: got -1; expected an integer >= 0$/],
      [{ runBlocks: 0 }, /^runBlocks: got 0; expected an integer from 1 to 1024$/],
      [{ poolSlices: 1.5 }, /^poolSlices: got 1\.5/],
      [{ host: '0.0.0.0' }, /^host: got "0\.0\.0\.0"; expected '127\.0\.0\.1' or '::1'$/],
      [{ maxAttempts: 0 }, /^maxAttempts: got 0/],
      [{ prot: 1 }, /^port allocator options\.prot: got 1; no such option, did you mean 'ports'\?/],
      ['dir', /^port allocator options: got "dir"; expected an object$/],
    ];
    for (const [options, message] of cases) {
      expect(() => createPortAllocator(options as never), JSON.stringify(options)).toThrow(QuiesceError);
      expect(() => createPortAllocator(options as never), JSON.stringify(options)).toThrow(message);
    }
  });

  test('environment variables are validated and named: QUIESCE_PORT_DIR, QUIESCE_RUN_ID, VITEST_POOL_ID', () => {
    expect(() => resolveAllocatorOptions({}, { QUIESCE_PORT_DIR: 'tmp/ports' })).toThrow(
      /^QUIESCE_PORT_DIR: got "tmp\/ports"; expected an absolute directory path$/,
    );
    expect(() => resolveAllocatorOptions({}, { QUIESCE_RUN_ID: '' })).toThrow(/^QUIESCE_RUN_ID: got ""/);
    expect(() => resolveAllocatorOptions({}, { VITEST_POOL_ID: 'two' })).toThrow(/^VITEST_POOL_ID: got "two"; expected an integer >= 0$/);
    const resolved = resolveAllocatorOptions({}, { QUIESCE_PORT_DIR: '/tmp/elsewhere', QUIESCE_RUN_ID: 'ci-42', VITEST_POOL_ID: '3' });
    expect(resolved).toMatchObject({ dir: '/tmp/elsewhere', runId: 'ci-42', poolId: 3 });
    // Options win over the environment.
    expect(resolveAllocatorOptions({ dir: '/tmp/mine', runId: 'r', poolId: 1 }, { QUIESCE_PORT_DIR: '/tmp/elsewhere', VITEST_POOL_ID: '3' })).toMatchObject({
      dir: '/tmp/mine',
      runId: 'r',
      poolId: 1,
    });
  });

  test('the ephemeral range is left out of the leasable numbers', () => {
    const { ports } = resolveAllocatorOptions({ range: { min: 30_000, max: 30_009 }, ephemeral: { min: 30_002, max: 30_007 } }, {});
    expect(ports).toEqual([30_000, 30_001, 30_008, 30_009]);
    expect(resolveAllocatorOptions({ range: { min: 30_000, max: 30_003 }, ephemeral: 'none' }, {}).ports).toEqual([30_000, 30_001, 30_002, 30_003]);
  });

  test('fuzz: any options either create an allocator or throw a QuiesceError, never another error', () => {
    const port = fc.oneof(fc.integer({ min: 1000, max: 66_000 }), fc.anything());
    const range = fc.oneof(fc.record({ min: port, max: port }, { requiredKeys: [] }), fc.anything());
    const options = fc.oneof(
      fc.record(
        {
          dir: fc.oneof(fc.string(), fc.constant('/tmp/quiesce-fuzz'), fc.anything()),
          range,
          ports: fc.oneof(fc.array(port, { maxLength: 5 }), fc.anything()),
          ephemeral: fc.oneof(fc.constantFrom('auto', 'none'), range),
          runId: fc.oneof(fc.string(), fc.anything()),
          poolId: fc.oneof(fc.integer(), fc.anything()),
          runBlocks: fc.oneof(fc.integer(), fc.anything()),
          poolSlices: fc.oneof(fc.integer(), fc.anything()),
          host: fc.oneof(fc.constantFrom('127.0.0.1', '::1', 'localhost'), fc.anything()),
          maxAttempts: fc.oneof(fc.integer(), fc.anything()),
        },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    const env = fc.dictionary(fc.constantFrom('QUIESCE_PORT_DIR', 'QUIESCE_RUN_ID', 'VITEST_POOL_ID'), fc.string());
    fc.assert(
      fc.property(options, env, (o, e) => {
        try {
          resolveAllocatorOptions(o, e);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
        try {
          createPortAllocator(o as never); // creation does no I/O: nothing to clean up
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
    );
  });

  test('fuzz: any listen options either bind or throw a QuiesceError synchronously, never another error', async () => {
    const options = fc.oneof(fc.record({ host: fc.oneof(fc.constantFrom('127.0.0.1', '::1', '0.0.0.0'), fc.anything()) }, { requiredKeys: [] }), fc.anything());
    await fc.assert(
      fc.asyncProperty(options, async (o) => {
        const server = createServer();
        let listening: ReturnType<typeof listenOnFreePort>;
        try {
          listening = listenOnFreePort(server, o as never);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
          expect(server.listening).toBe(false);
          return;
        }
        await (await listening).close();
      }),
      { numRuns: 50 },
    );
  });
});
