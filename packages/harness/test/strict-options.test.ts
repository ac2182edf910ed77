// A misspelt option is an error, never silently the default: `createTestSystem({ timout })` kept
// the 5 s default and `until(…, { timeoutt })` waited 5 s. Every entry point of the harness names
// the key, the closest accepted one and all of them, with the runtime's UnknownOptionError.
import { EventEmitter } from 'node:events';
import { QuiesceError, UnknownOptionError, supervisor, worker } from '@quiesce/runtime';
import { createTestSystem, TestSystem, test } from '@quiesce/harness';
import { resolvePropOptions } from '@quiesce/harness/prop';
import { describe, expect } from 'vitest';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

function expectUnknown(error: unknown, option: string, suggestion: string): void {
  expect(error).toBeInstanceOf(UnknownOptionError);
  expect((error as QuiesceError).code).toBe('INVALID_OPTION');
  expect((error as QuiesceError).details.option).toBe(option);
  expect((error as Error).message).toContain(`${option}: got `);
  expect((error as Error).message).toContain(`did you mean '${suggestion}'?`);
}

describe('unknown option keys', () => {
  test('createTestSystem({ timout }) and new TestSystem({ sead })', () => {
    expectUnknown(
      thrown(() => createTestSystem({ timout: 100 } as never)),
      'TestSystem options.timout',
      'timeout',
    );
    expectUnknown(
      thrown(() => new TestSystem({ sead: 1 } as never)),
      'TestSystem options.sead',
      'seed',
    );
  });

  test('until(…, { timeoutt }) says which key it accepts', ({ system }) => {
    expect(() => system.until('child.restart', { timeoutt: 100 } as never)).toThrow(
      "until options.timeoutt: got 100; no such option, did you mean 'timeout'? (accepts 'timeout', 'signal', 'realTimeout', 'since')",
    );
  });

  test('the other waits: monitor, sync, call, stop, inbox.receive', async ({ system }) => {
    const pid = system.runtime.spawn(() => undefined);
    for (const wait of [
      () => system.monitor(pid, { timout: 1 } as never),
      () => system.sync(pid, { timout: 1 } as never),
      () => system.call(pid, 'x', { timout: 1 } as never),
      () => system.stop(pid, { timout: 1 } as never),
      () => system.inbox.receive(() => true, { timout: 1 } as never),
    ]) {
      const error = await rejection(wait());
      expect(error).toBeInstanceOf(UnknownOptionError);
      expect((error as Error).message).toMatch(/options\.timout: got 1; no such option, did you mean 'timeout'\?/);
    }
  });

  test('startDynamic, startServer, bridgeDiagnostics, observe and propTest system options', async ({ system }) => {
    expectUnknown(await rejection(system.startDynamic({ maxChildrn: 1 } as never)), 'startDynamic options.maxChildrn', 'maxChildren');
    // `link` is the test's own process, not the caller's to set.
    expect(await rejection(system.startDynamic({ link: system.self } as never))).toBeInstanceOf(UnknownOptionError);
    expectUnknown(await rejection(system.startServer({ init: () => ({ state: 0 }) }, undefined, { nme: 's' } as never)), 'startServer options.nme', 'name');
    expectUnknown(
      thrown(() => system.bridgeDiagnostics({ kind: ['x.y'] } as never)),
      'bridgeDiagnostics options.kind',
      'kinds',
    );
    expectUnknown(
      thrown(() => system.observe(new EventEmitter(), { a: 'a' }, { Source: 'x' } as never)),
      'observe options.Source',
      'source',
    );
    expectUnknown(
      thrown(() => resolvePropOptions({ system: { timout: 5 } })),
      'propTest options.system.timout',
      'timeout',
    );
    // Nothing was started by the rejected calls.
    expect(system.runtime.processes()).toEqual([system.self]);
  });

  test('supervisor({ intensty }) fails where it is written, before the system starts anything', ({ system }) => {
    expect(() => system.start(supervisor({ id: 'pool', intensty: 5, children: [] } as never))).toThrow(
      /supervisor\.intensty: got 5; no such option, did you mean 'intensity'\?/,
    );
  });
});

describe('bad arguments', () => {
  test('system.monitor(null), kill, stop and the address of sync and call', async ({ system }) => {
    expect(() => system.monitor(null as never)).toThrow('monitor(target): got null; expected a Pid, a SupervisorRef or a DynamicSupervisorRef');
    expect(() => system.kill(undefined as never)).toThrow(/^kill\(target\): got undefined/);
    expect(await rejection(system.stop({} as never))).toBeInstanceOf(QuiesceError);
    expect(() => system.sync(42 as never)).toThrow(/^sync\(target\): got 42; expected a Pid or a registered name/);
    expect(() => system.call(null as never, 'x')).toThrow(/^call\(target\): got null/);
  });

  test('own() checks the resource when it is owned, not when teardown trips over it', ({ system }) => {
    expect(() => system.own(null as never)).toThrow(/^own\(resource\): got null/);
    expect(() => system.own({ kind: 'pool', label: 'p', alive: () => false } as never)).toThrow(
      /^own\(resource\)\.dispose: got undefined; expected a function/,
    );
    expect(() => system.report(-1)).toThrow(/^report\(tail\): got -1/);
    expect(() => system.onInterrupt('x' as never)).toThrow(/^onInterrupt\(listener\)/);
  });

  test("a top-level supervisor with id '' is rejected, as a child with id '' is", async ({ system }) => {
    const error = await rejection(system.start(supervisor({ id: '', children: [worker('w', (ctx) => ctx.spawn(() => undefined))] })));
    expect((error as QuiesceError).code).toBe('INVALID_CHILD_SPEC');
    expect((error as Error).message).toMatch(/^supervisor\.id: got ""; expected a non-empty string without "\/"/);
    expect(system.runtime.processes()).toEqual([system.self]);
  });
});
