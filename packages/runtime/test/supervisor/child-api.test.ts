import { describe, expect, test } from 'vitest';
import { Pid, QuiesceError, startSupervisor, supervisor, type ChildSpec } from '@quiesce/runtime';
import { supervisorRefOf } from '@quiesce/runtime/internal';
import { child, crashable, ofKind, rejection, trace, vrt } from '../support/helpers.js';

async function setup(children: ChildSpec[] = [child('a'), child('b')], strategy: 'one_for_one' | 'one_for_all' = 'one_for_one') {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ id: 'sup', strategy, intensity: 5, children }));
  return { rt, sup };
}

async function code(p: Promise<unknown>): Promise<string> {
  const error = await rejection(p);
  expect(error).toBeInstanceOf(QuiesceError);
  return (error as QuiesceError).code;
}

describe('whichChildren and countChildren', () => {
  test('list children in start order with pid, type and restart; nothing once stopped', async () => {
    const { sup } = await setup([child('a'), child('t', { restart: 'temporary' }), supervisor({ id: 'nested', children: [] }) as never]);
    expect(sup.whichChildren()).toEqual([
      { id: 'a', pid: sup.child('a'), type: 'worker', restart: 'permanent' },
      { id: 't', pid: sup.child('t'), type: 'worker', restart: 'temporary' },
      { id: 'nested', pid: sup.child('nested'), type: 'supervisor', restart: 'permanent' },
    ]);
    expect(sup.whichChildren().every((c) => c.pid instanceof Pid)).toBe(true);
    expect(sup.countChildren()).toEqual({ specs: 3, active: 3, supervisors: 1, workers: 2 });
    expect(sup.supervisor('nested')).toBe(supervisorRefOf(sup.runtime, sup.child('nested')!));
    expect(sup.supervisor('a')).toBeUndefined();
    expect(sup.supervisor('missing')).toBeUndefined();
    expect(sup.child('missing')).toBeUndefined();
    await sup.stop();
    expect(sup.whichChildren()).toEqual([]);
    expect(sup.countChildren()).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
  });
});

describe('startChild', () => {
  test('adds the child at the end, starts it, and restarts it like the others', async () => {
    const { rt, sup } = await setup([child('a')], 'one_for_all');
    const pid = await sup.startChild(child('late'));
    expect(pid).toBeInstanceOf(Pid);
    expect(sup.child('late')).toBe(pid);
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['a', 'late']);
    const from = rt.history.length;
    rt.send(sup.child('a')!, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, ['child.terminate', 'child.restart'], from)).toEqual(['child.terminate late', 'child.restart a', 'child.restart late']);
  });

  test('a duplicate id is refused with DUPLICATE_CHILD_ID and nothing starts', async () => {
    const { rt, sup } = await setup();
    const before = rt.processes();
    expect(await code(sup.startChild(child('a')))).toBe('DUPLICATE_CHILD_ID');
    expect(rt.processes()).toEqual(before);
  });

  test('an invalid spec is refused with INVALID_CHILD_SPEC naming the field', async () => {
    const { sup } = await setup();
    const error = (await rejection(sup.startChild({ id: 'x', start: 'nope' } as never))) as QuiesceError;
    expect(error.code).toBe('INVALID_CHILD_SPEC');
    expect(error.message).toContain('startChild(x).start');
    expect(await code(sup.startChild(supervisor({ id: 'bad', strategy: 'nope' as never, children: [] }) as never))).toBe('INVALID_CHILD_SPEC');
    expect(await code(sup.startChild(child('s', { restart: 'transient', significant: true })))).toBe('INVALID_CHILD_SPEC');
  });

  test('a failing start is START_FAILED and the spec is not kept', async () => {
    const { rt, sup } = await setup();
    const error = (await rejection(sup.startChild({ id: 'f', start: () => ({ error: 'nope' }) }))) as QuiesceError;
    expect(error.code).toBe('START_FAILED');
    expect(error.message).toContain('"nope"');
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['a', 'b']);
    expect(trace(rt, ['child.start_failed'])).toEqual(['child.start_failed f']);
  });

  test('ignore: undefined; the spec is kept unless the child is temporary', async () => {
    const { sup } = await setup();
    expect(await sup.startChild({ id: 'i', start: () => 'ignore' })).toBeUndefined();
    expect(await sup.startChild({ id: 'ti', start: () => 'ignore', restart: 'temporary' })).toBeUndefined();
    expect(sup.whichChildren().map((c) => [c.id, c.pid])).toEqual([
      ['a', sup.child('a')],
      ['b', sup.child('b')],
      ['i', undefined],
    ]);
  });

  test('a nested supervisor spec starts a supervisor child', async () => {
    const { sup } = await setup();
    const pid = await sup.startChild(supervisor({ id: 'pool', children: [child('p1')] }));
    const pool = sup.supervisor('pool')!;
    expect(pool.pid).toBe(pid);
    expect(pool.label).toBe('sup/pool');
    expect(pool.child('p1')).toBeInstanceOf(Pid);
  });
});

describe('terminateChild, restartChild, deleteChild', () => {
  test('terminateChild stops the child with its shutdown, keeps the spec, and it is not restarted', async () => {
    const { rt, sup } = await setup();
    const a = sup.child('a')!;
    await sup.terminateChild('a');
    await rt.idle();
    expect(rt.exitReason(a)).toBe('shutdown');
    expect(sup.whichChildren().map((c) => [c.id, c.pid === undefined])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(trace(rt, ['child.terminate', 'child.restart'])).toEqual(['child.terminate a']);
    await sup.terminateChild('a'); // already stopped: fine
  });

  test('terminateChild of a temporary child removes its spec', async () => {
    const { sup } = await setup([child('t', { restart: 'temporary' })]);
    await sup.terminateChild('t');
    expect(sup.whichChildren()).toEqual([]);
  });

  test('restartChild starts a stopped child from its spec', async () => {
    const { rt, sup } = await setup();
    const old = sup.child('a')!;
    await sup.terminateChild('a');
    const pid = await sup.restartChild('a');
    expect(pid).toBeInstanceOf(Pid);
    expect(pid).not.toEqual(old);
    expect(sup.child('a')).toBe(pid);
    expect(trace(rt, ['child.terminate', 'child.restart'])).toEqual(['child.terminate a', 'child.restart a']);
    // A running child cannot be restarted; an unknown one is not found.
    expect(await code(sup.restartChild('a'))).toBe('CHILD_RUNNING');
    expect(await code(sup.restartChild('zzz'))).toBe('CHILD_NOT_FOUND');
  });

  test('restartChild of a child whose start now fails or ignores', async () => {
    let mode: 'ok' | 'fail' | 'ignore' = 'ok';
    const start = crashable();
    const { sup } = await setup([{ id: 'w', start: (ctx) => (mode === 'ok' ? start(ctx) : mode === 'fail' ? { error: 'down' } : 'ignore') }]);
    await sup.terminateChild('w');
    mode = 'fail';
    const error = (await rejection(sup.restartChild('w'))) as QuiesceError;
    expect(error.code).toBe('START_FAILED');
    expect(error.message).toContain('"down"');
    mode = 'ignore';
    expect(await sup.restartChild('w')).toBeUndefined();
    expect(sup.whichChildren()).toEqual([{ id: 'w', pid: undefined, type: 'worker', restart: 'permanent' }]);
  });

  test('deleteChild removes a stopped child; a running or unknown one is refused', async () => {
    const { sup } = await setup();
    expect(await code(sup.deleteChild('a'))).toBe('CHILD_RUNNING');
    expect(await code(sup.deleteChild('zzz'))).toBe('CHILD_NOT_FOUND');
    expect(await code(sup.terminateChild('zzz'))).toBe('CHILD_NOT_FOUND');
    await sup.terminateChild('a');
    await sup.deleteChild('a');
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['b']);
    // The id is free again.
    await sup.startChild(child('a'));
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['b', 'a']);
  });

  test('operations on a stopped supervisor reject with NOPROC', async () => {
    const { sup } = await setup();
    await sup.stop();
    expect(await code(sup.startChild(child('x')))).toBe('NOPROC');
    expect(await code(sup.terminateChild('a'))).toBe('NOPROC');
  });
});

test('supervisor events are attributed to the supervisor label', async () => {
  const { rt } = await setup([child('a')]);
  expect(ofKind(rt, 'child.start').map((e) => e.source)).toEqual(['sup']);
  expect(ofKind(rt, 'supervisor.start')[0]!.source).toBe('sup');
});
