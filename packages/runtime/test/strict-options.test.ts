import { describe, expect, test } from 'vitest';
import {
  InvalidOptionError,
  type QuiesceError,
  Runtime,
  UnknownOptionError,
  serverChild,
  startDynamicSupervisor,
  startServer,
  startSupervisor,
  supervisor,
  worker,
  type SupervisorSpec,
} from '@quiesce/runtime';
import { checkKnownKeys, checkMilliseconds, checkObject, closestKey, round, validateSupervisorSpec } from '@quiesce/runtime/internal';
import { crashable, rejection, thrown, vrt } from './support/helpers.js';

// A misspelt option is an error everywhere, never silently the default: `supervisor({ intensty: 5 })`
// used to start a supervisor allowing 1 restart in 5 s. Every entry point names the key, the
// closest accepted one and all of them, with the same error class.

function expectUnknown(error: unknown, option: string, suggestion: string | undefined, code = 'INVALID_OPTION'): void {
  expect(error).toBeInstanceOf(UnknownOptionError);
  expect(error).toBeInstanceOf(InvalidOptionError);
  const e = error as UnknownOptionError;
  expect(e.code).toBe(code);
  expect(e.details.option).toBe(option);
  expect(e.details.suggestion).toBe(suggestion);
  expect(e.message.startsWith(`${option}: got `)).toBe(true);
  if (suggestion !== undefined) expect(e.message).toContain(`did you mean '${suggestion}'?`);
}

const behaviour = { init: () => ({ state: 0 }) };

describe('unknown option keys', () => {
  test('new Runtime({ sead })', () => {
    const error = thrown(() => new Runtime({ sead: 3 } as never));
    expectUnknown(error, 'Runtime options.sead', 'seed');
    expect((error as Error).message).toBe(
      "Runtime options.sead: got 3; no such option, did you mean 'seed'? (accepts 'clock', 'seed', 'scheduler', 'recordMessages', 'history', 'reaper', 'retain')",
    );
  });

  test('runtime.spawn and a start context spawn', async () => {
    const rt = vrt();
    expectUnknown(
      thrown(() => rt.spawn(() => undefined, { trapexit: true } as never)),
      'spawn options.trapexit',
      'trapExit',
    );
    expect(rt.processes()).toEqual([]);
    const careless = worker('w', (ctx) => ctx.spawn(() => undefined, { lable: 'x' } as never));
    const error = await rejection(startSupervisor(rt, supervisor({ id: 's', children: [careless] })));
    expect((error as QuiesceError).code).toBe('START_FAILED');
    expect(rt.processes()).toEqual([]);
  });

  test('supervisor({ intensty }) is rejected where it is written, and a hand-built spec when it starts', async () => {
    expectUnknown(
      thrown(() => supervisor({ intensty: 5, children: [] } as never)),
      'supervisor.intensty',
      'intensity',
      'INVALID_CHILD_SPEC',
    );
    const handBuilt = { kind: 'supervisor', children: [], perod: 5 } as unknown as SupervisorSpec;
    const rt = vrt();
    expectUnknown(await rejection(startSupervisor(rt, handBuilt)), 'supervisor.perod', 'period', 'INVALID_CHILD_SPEC');
    expect(rt.history.length).toBe(0);
  });

  test('child specs, nested supervisors, worker() and serverChild()', () => {
    const start = crashable();
    expectUnknown(
      thrown(() => validateSupervisorSpec(supervisor({ children: [{ id: 'w', start, restrt: 'temporary' } as never] }))),
      'supervisor.children[0](w).restrt',
      'restart',
      'INVALID_CHILD_SPEC',
    );
    const nested = { kind: 'supervisor', id: 'inner', children: [], stratgy: 'one_for_all' } as unknown as SupervisorSpec;
    const inNested = thrown(() => validateSupervisorSpec(supervisor({ children: [nested] })));
    expectUnknown(inNested, 'supervisor.children[0](inner).stratgy', 'strategy', 'INVALID_CHILD_SPEC');
    expectUnknown(
      thrown(() => worker('w', start, { shutdwn: 10 } as never)),
      'worker("w") options.shutdwn',
      'shutdown',
      'INVALID_CHILD_SPEC',
    );
    const server = thrown(() => serverChild('s', behaviour, undefined, { significnt: true } as never));
    expectUnknown(server, 'serverChild("s") options.significnt', 'significant', 'INVALID_CHILD_SPEC');
    // Far from every accepted key: no guess, the list only.
    const error = thrown(() => worker('w', start, { zzzzzz: 1 } as never)) as Error;
    expectUnknown(error, 'worker("w") options.zzzzzz', undefined, 'INVALID_CHILD_SPEC');
    expect(error.message).toBe(`worker("w") options.zzzzzz: got 1; no such option (accepts 'restart', 'shutdown', 'type', 'significant')`);
  });

  test('startSupervisor, startServer and dynamic supervisor options, and children started later', async () => {
    const rt = vrt();
    const spec = supervisor({ id: 'sup', children: [] });
    expectUnknown(await rejection(startSupervisor(rt, spec, { nme: 'x' } as never)), 'supervisor options.nme', 'name');
    expectUnknown(await rejection(startServer(rt, behaviour, undefined, { timout: 5 } as never)), 'startServer options.timout', 'timeout');
    expectUnknown(await rejection(startDynamicSupervisor(rt, { maxChildrn: 2 } as never)), 'dynamic supervisor options.maxChildrn', 'maxChildren');
    expect(rt.processes()).toEqual([]);

    const sup = await startSupervisor(rt, spec);
    const late = await rejection(sup.startChild({ id: 'w', start: crashable(), tpye: 'worker' } as never));
    expectUnknown(late, 'startChild(w).tpye', 'type', 'INVALID_CHILD_SPEC');
    const dyn = await startDynamicSupervisor(rt);
    const dynamic = await rejection(dyn.startChild({ start: crashable(), restrat: 'temporary' } as never));
    expectUnknown(dynamic, 'startChild(child1).restrat', 'restart', 'INVALID_CHILD_SPEC');
    expect(sup.whichChildren()).toEqual([]);
    expect(dyn.children()).toEqual([]);
    await sup.stop();
    await dyn.stop();
  });
});

describe('ids', () => {
  test("a top-level supervisor's id follows the same rule as a child's: '' and 'a/b' are rejected", async () => {
    const rt = vrt();
    for (const id of ['', 'a/b', 7]) {
      const error = await rejection(startSupervisor(rt, supervisor({ id: id as string, children: [] })));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as QuiesceError).code).toBe('INVALID_CHILD_SPEC');
      expect((error as QuiesceError).details.option).toBe('supervisor.id');
    }
    // As a child, the same ids fail the same way.
    expect(() => validateSupervisorSpec(supervisor({ children: [worker('ok', crashable()), { id: '', start: crashable() }] }))).toThrow(/\.id: got ""/);
    expect(rt.processes()).toEqual([]);
  });
});

describe('the shared checks (@quiesce/runtime/internal)', () => {
  test('closestKey suggests only a likely typo, ignoring case', () => {
    const keys = ['timeout', 'signal', 'realTimeout', 'since'];
    expect(closestKey('timeoutt', keys)).toBe('timeout');
    expect(closestKey('timout', keys)).toBe('timeout');
    expect(closestKey('Signal', keys)).toBe('signal');
    expect(closestKey('realtimeout', keys)).toBe('realTimeout');
    expect(closestKey('snice', keys)).toBe('since');
    expect(closestKey('x', keys)).toBeUndefined();
    expect(closestKey('retries', keys)).toBeUndefined();
    expect(closestKey('a'.repeat(10_000), keys)).toBeUndefined();
    expect(closestKey('id', [])).toBeUndefined();
  });

  test('checkKnownKeys names the key, the suggestion and every accepted key', () => {
    const error = thrown(() => checkKnownKeys('until options', { timeoutt: 100 }, ['timeout', 'signal', 'realTimeout', 'since'])) as Error;
    expect(error.message).toBe(
      "until options.timeoutt: got 100; no such option, did you mean 'timeout'? (accepts 'timeout', 'signal', 'realTimeout', 'since')",
    );
    expect((thrown(() => checkKnownKeys('x', { a: 1 }, [])) as Error).message).toBe('x.a: got 1; no such option (accepts no options)');
    expect(() => checkKnownKeys('x', { a: 1, [Symbol('s')]: 2 }, ['a'])).not.toThrow();
  });

  test('checkObject accepts plain objects only', () => {
    for (const bad of [null, undefined, 3, 'x', [], () => undefined]) expect(() => checkObject('o', bad)).toThrow(InvalidOptionError);
    expect(() => checkObject('o', {}, 'INVALID_CHILD_SPEC')).not.toThrow();
    expect((thrown(() => checkObject('o', null, 'INVALID_CHILD_SPEC')) as QuiesceError).code).toBe('INVALID_CHILD_SPEC');
  });

  test('checkMilliseconds: finite, >= 0 (or > 0), capped at 2^31 - 1 unless told, optionally infinity', () => {
    expect(checkMilliseconds('t', 0)).toBe(0);
    expect(checkMilliseconds('t', 2 ** 31 - 1)).toBe(2 ** 31 - 1);
    expect(checkMilliseconds('t', 2 ** 40, { max: Number.MAX_VALUE })).toBe(2 ** 40);
    expect(checkMilliseconds('t', 'infinity', { allowInfinity: true })).toBe('infinity');
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '5', null, 'infinity']) {
      expect(() => checkMilliseconds('t', bad)).toThrow(InvalidOptionError);
    }
    expect(() => checkMilliseconds('t', 0, { positive: true })).toThrow('t: got 0; expected a finite number of milliseconds > 0 (at most 2147483647)');
    expect(() => checkMilliseconds('t', -1, { allowInfinity: true })).toThrow(
      "expected a finite number of milliseconds >= 0 (at most 2147483647) or 'infinity'",
    );
  });

  test('round prints integers as they are and fractions without trailing zeros', () => {
    expect(round(12)).toBe('12');
    expect(round(12.54)).toBe('12.5');
    expect(round(12.04)).toBe('12');
    expect(round(0.25, 3)).toBe('0.25');
    expect(round(1.0004, 3)).toBe('1');
  });
});
