// The HTTP, time and container fault options, fuzzed: a call with one option replaced by anything
// either works or throws a QuiesceError whose message names that option, and a refused call arms
// nothing and records nothing.
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { createTestSystem, test, type TestSystem } from '@quiesce/harness';
import { QuiesceError } from '@quiesce/runtime';
import { chaos, HTTP_FAULT_TYPES, type Chaos } from '@quiesce/chaos';
import { FUZZED_ERROR, MISTAKES } from '../../runtime/test/support/call-outcome.js';

const anything = fc.oneof(
  fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, maxDepth: 2 }),
  fc.constantFrom(...MISTAKES, -0.5, 1.5, 2 ** 31, 0, 429, 503, 404, 'GET', 'get', 'G E T', /x/, '*'),
);

function faultEvents(system: TestSystem): number {
  return system.history.events.filter((e) => e.kind.startsWith('fault.')).length;
}

/** Works, or a QuiesceError whose message contains `names`; a refusal armed nothing. */
function judge(system: TestSystem, c: Chaos, where: string, names: string, run: () => unknown): void {
  const before = { faults: c.faults.length, events: faultEvents(system) };
  try {
    run();
  } catch (error) {
    if (error instanceof Error && error.message === FUZZED_ERROR) return;
    if (!(error instanceof QuiesceError)) throw new Error(`${where} threw ${String(error)}, not a QuiesceError`, { cause: error });
    expect(error.message, where).toContain(names);
    expect({ faults: c.faults.length, events: faultEvents(system) }, `${where} left something armed`).toEqual(before);
  }
}

/** An msw server's shape, for option checks only: the real msw runs in http-faults.test.ts. */
function fakeServer() {
  const handlers: unknown[] = [];
  return { use: (...h: unknown[]) => void handlers.push(...h), listHandlers: () => handlers, resetHandlers: () => void handlers.splice(0) };
}
const fakeHttp = { all: (path: unknown, resolver: unknown) => ({ path, resolver }) };

describe('new fault options, fuzzed', () => {
  test('HTTP: every option of every fault type, the fault type, and http() itself', async () => {
    const system = createTestSystem({ testId: 'fuzz http' });
    const c = chaos(system);
    const faults = c.http(fakeServer(), { http: fakeHttp });
    const attributes: Record<string, Record<string, unknown>> = {
      status: { status: 429, retryAfter: 2, body: 'slow down' },
      network_error: {},
      latency: { latency: 10, jitter: 5 },
      slow_body: { delay: 5, chunkSize: 8 },
      truncated_body: { bytes: 3 },
      malformed_body: {},
      reset: { bytes: 4 },
    };
    expect(Object.keys(attributes).sort()).toEqual([...HTTP_FAULT_TYPES].sort());
    for (const [type, own] of Object.entries(attributes)) {
      const valid = { path: 'http://api.test/pods/:id', method: 'GET', rate: 0.5, count: 2, ...own };
      for (const key of Object.keys(valid)) {
        fc.assert(
          fc.property(anything, (value) => {
            judge(system, c, `fault(${type}) ${key} = ${fc.stringify(value)}`, key, () => faults.fault(type as never, { ...valid, [key]: value } as never));
          }),
          { numRuns: 60 },
        );
      }
    }
    fc.assert(
      fc.property(anything, anything, (type, options) => {
        judge(system, c, `fault(${fc.stringify(type)})`, '', () => faults.fault(type as never, options as never));
      }),
    );
    fc.assert(
      fc.property(anything, anything, (server, http) => {
        judge(system, c, 'http(server, { http })', 'http', () => c.http(server as never, { http } as never));
      }),
    );
    await system.teardown();
  });

  test('time: clockJump(ms) and skew options', async () => {
    const system = createTestSystem({ testId: 'fuzz time' });
    const c = chaos(system);
    const pid = system.runtime.spawn(() => undefined);
    await fc.assert(
      fc.asyncProperty(anything, async (ms) => {
        const error = await c.clockJump(ms as never).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error !== undefined) {
          expect(error).toBeInstanceOf(QuiesceError);
          expect((error as Error).message).toContain('clockJump(ms)');
        }
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(anything, (factor) => {
        judge(system, c, `skew factor ${fc.stringify(factor)}`, 'skew options.factor', () => c.skew(pid, { factor } as never).heal());
      }),
    );
    fc.assert(
      fc.property(anything, (options) => {
        judge(system, c, `skew options ${fc.stringify(options)}`, 'skew options', () => c.skew('*', options as never).heal());
      }),
    );
    await system.teardown();
  });

  test('containers: anything but a container the system started is refused', () => {
    const system = createTestSystem({ testId: 'fuzz containers' });
    const c = chaos(system);
    fc.assert(
      fc.property(anything, (handle) => {
        expect(() => c.container(handle as never)).toThrow(QuiesceError);
      }),
    );
    // Shaped like a container, but not the system's: NOT_OWNED.
    expect(() => c.container({ kind: 'container', label: 'redis', source: 'container:redis' })).toThrow(expect.objectContaining({ code: 'NOT_OWNED' }));
    return system.teardown();
  });
});
