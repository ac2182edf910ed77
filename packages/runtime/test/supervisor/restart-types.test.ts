import { describe, expect, test } from 'vitest';
import { startSupervisor, supervisor, type ExitReason, type RestartType, type Strategy } from '@quiesce/runtime';
import { child, trace, vrt } from '../support/helpers.js';

const REASONS: Array<[string, ExitReason, boolean]> = [
  // label, reason sent, is it in the "normal" family?
  ['normal', 'normal', true],
  ['shutdown', 'shutdown', true],
  ['{shutdown: term}', { shutdown: 'maintenance' }, true],
  ['an error', new Error('boom'), false],
  ['a string', 'boom', false],
  ['kill (exits killed)', 'kill', false],
  ['an object', { crashed: true }, false],
];

/** Crash child `w` of a one-child supervisor with `reason`; returns whether it was restarted and the sup state. */
async function crashOnce(restart: RestartType, reason: ExitReason) {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ intensity: 5, children: [child('w', { restart })] }));
  const old = sup.child('w')!;
  const from = rt.history.length;
  if (reason === 'kill') rt.exit(old, 'kill');
  else rt.send(old, { crash: reason });
  await rt.idle();
  return { rt, sup, old, restarted: trace(rt, ['child.restart'], from).length === 1 };
}

describe.each(REASONS)('exit with %s', (_label, reason, normal) => {
  test('permanent: always restarted', async () => {
    const { sup, old, restarted } = await crashOnce('permanent', reason);
    expect(restarted).toBe(true);
    expect(sup.child('w')).toBeDefined();
    expect(sup.child('w')).not.toEqual(old);
    expect(sup.isAlive()).toBe(true);
  });

  test(`transient: ${normal ? 'not restarted, spec kept' : 'restarted'}`, async () => {
    const { sup, restarted } = await crashOnce('transient', reason);
    expect(restarted).toBe(!normal);
    expect(sup.whichChildren().map((c) => [c.id, c.pid === undefined])).toEqual([['w', normal]]);
    expect(sup.countChildren()).toEqual({ specs: 1, active: normal ? 0 : 1, supervisors: 0, workers: 1 });
    expect(sup.isAlive()).toBe(true);
  });

  test('temporary: never restarted, spec removed', async () => {
    const { rt, sup, restarted } = await crashOnce('temporary', reason);
    expect(restarted).toBe(false);
    expect(sup.whichChildren()).toEqual([]);
    expect(sup.isAlive()).toBe(true);
    expect(trace(rt, ['child.exit'])).toEqual(['child.exit w']);
  });
});

describe('temporary siblings', () => {
  test.each<Strategy>(['one_for_all', 'rest_for_one'])(
    '%s: a temporary sibling terminated for a restart is not restarted and its spec is dropped',
    async (strategy) => {
      const rt = vrt();
      const sup = await startSupervisor(
        rt,
        supervisor({ strategy, intensity: 5, children: [child('a'), child('t', { restart: 'temporary' }), child('u', { restart: 'transient' }), child('c')] }),
      );
      const t = sup.child('t')!;
      const from = rt.history.length;
      rt.send(sup.child('a')!, { crash: 'boom' });
      await rt.idle();
      expect(trace(rt, ['child.exit', 'child.terminate', 'child.restart'], from)).toEqual([
        'child.exit a',
        'child.terminate c',
        'child.terminate u',
        'child.terminate t',
        'child.restart a',
        'child.restart u',
        'child.restart c',
      ]);
      expect(rt.exitReason(t)).toBe('shutdown');
      expect(sup.whichChildren().map((c) => c.id)).toEqual(['a', 'u', 'c']);
      expect(sup.child('t')).toBeUndefined();
    },
  );

  test('one_for_all: a transient sibling stopped normally earlier is restarted with the others', async () => {
    // OTP restarts every child spec kept by the supervisor, whatever its earlier exit.
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ strategy: 'one_for_all', intensity: 5, children: [child('a'), child('u', { restart: 'transient' })] }));
    rt.send(sup.child('u')!, { crash: 'normal' });
    await rt.idle();
    expect(sup.child('u')).toBeUndefined();
    const from = rt.history.length;
    rt.send(sup.child('a')!, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, ['child.terminate', 'child.restart'], from)).toEqual(['child.restart a', 'child.restart u']);
    expect(sup.child('u')).toBeDefined();
  });
});

test('a handler that throws crashes the child with the error, and a permanent child is restarted', async () => {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ children: [child('w')] }));
  const old = sup.child('w')!;
  rt.send(old, { throw: new TypeError('bad input') });
  await rt.idle();
  expect(rt.exitReason(old)).toBeInstanceOf(TypeError);
  expect(rt.history.ofKind('child.exit')[0]!.data).toMatchObject({ id: 'w', reason: { error: 'TypeError', message: 'bad input' } });
  expect(sup.child('w')).not.toEqual(old);
});

test('an EXIT from a process that is not a child is ignored by the supervisor', async () => {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ children: [child('w')] }));
  const stranger = rt.spawn(() => undefined);
  rt.link(sup.pid, stranger);
  rt.exit(stranger, 'boom');
  rt.send(sup.pid, 'some info message');
  await rt.idle();
  expect(sup.isAlive()).toBe(true);
  expect(trace(rt, ['child.exit', 'child.restart'])).toEqual([]);
});
