import { describe, expect, test } from 'vitest';
import { startSupervisor, supervisor, type ExitReason } from '@quiesce/runtime';
import { child, ofKind, trace, vrt } from '../support/helpers.js';

describe('auto_shutdown any_significant', () => {
  test.each<[string, ExitReason]>([
    ['normal', 'normal'],
    ['shutdown', 'shutdown'],
    ['{shutdown: term}', { shutdown: 'done' }],
  ])('a transient significant child exiting %s shuts the supervisor down after terminating the others', async (_l, reason) => {
    const rt = vrt();
    const sup = await startSupervisor(
      rt,
      supervisor({ autoShutdown: 'any_significant', children: [child('a'), child('s', { restart: 'transient', significant: true }), child('c')] }),
    );
    const [a, c] = [sup.child('a')!, sup.child('c')!];
    const from = rt.history.length;
    rt.send(sup.child('s')!, { crash: reason });
    await rt.idle();
    expect(sup.isAlive()).toBe(false);
    expect(rt.exitReason(sup.pid)).toBe('shutdown');
    expect(trace(rt, ['child.exit', 'child.terminate', 'child.restart', 'supervisor.shutdown'], from)).toEqual([
      'child.exit s',
      'child.terminate c',
      'child.terminate a',
      'supervisor.shutdown',
    ]);
    expect([rt.exitReason(a), rt.exitReason(c)]).toEqual(['shutdown', 'shutdown']);
    expect(ofKind(rt, 'supervisor.intensity')).toEqual([]);
  });

  test('a transient significant child that crashes is restarted instead', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ autoShutdown: 'any_significant', children: [child('s', { restart: 'transient', significant: true })] }));
    rt.send(sup.child('s')!, { crash: 'boom' });
    await rt.idle();
    expect(sup.isAlive()).toBe(true);
    expect(trace(rt, ['child.restart'])).toEqual(['child.restart s']);
  });

  test.each<ExitReason>(['normal', 'boom'])('a temporary significant child exiting %s shuts the supervisor down', async (reason) => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ autoShutdown: 'any_significant', children: [child('t', { restart: 'temporary', significant: true })] }));
    rt.send(sup.child('t')!, { crash: reason });
    await rt.idle();
    expect(rt.exitReason(sup.pid)).toBe('shutdown');
  });

  test('a non-significant child exiting normally does not', async () => {
    const rt = vrt();
    const sup = await startSupervisor(
      rt,
      supervisor({
        autoShutdown: 'any_significant',
        children: [child('n', { restart: 'transient' }), child('s', { restart: 'transient', significant: true })],
      }),
    );
    rt.send(sup.child('n')!, { crash: 'normal' });
    await rt.idle();
    expect(sup.isAlive()).toBe(true);
  });

  test('terminateChild on a significant child does not trigger auto shutdown', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ autoShutdown: 'any_significant', children: [child('s', { restart: 'transient', significant: true })] }));
    await sup.terminateChild('s');
    await rt.idle();
    expect(sup.isAlive()).toBe(true);
  });
});

describe('auto_shutdown all_significant', () => {
  test('the supervisor shuts down only when the last significant child has exited', async () => {
    const rt = vrt();
    const sup = await startSupervisor(
      rt,
      supervisor({
        autoShutdown: 'all_significant',
        children: [child('w'), child('s1', { restart: 'temporary', significant: true }), child('s2', { restart: 'transient', significant: true })],
      }),
    );
    rt.send(sup.child('s1')!, { crash: 'normal' });
    await rt.idle();
    expect(sup.isAlive()).toBe(true);
    // A crash of the transient significant child restarts it: it is still there.
    rt.send(sup.child('s2')!, { crash: 'boom' });
    await rt.idle();
    expect(sup.isAlive()).toBe(true);
    const w = sup.child('w')!;
    rt.send(sup.child('s2')!, { crash: 'shutdown' });
    await rt.idle();
    expect(sup.isAlive()).toBe(false);
    expect(rt.exitReason(sup.pid)).toBe('shutdown');
    expect(rt.exitReason(w)).toBe('shutdown');
  });

  test('a significant child stopped with terminateChild no longer counts as running', async () => {
    const rt = vrt();
    const sup = await startSupervisor(
      rt,
      supervisor({
        autoShutdown: 'all_significant',
        children: [child('s1', { restart: 'transient', significant: true }), child('s2', { restart: 'transient', significant: true })],
      }),
    );
    await sup.terminateChild('s1');
    expect(sup.isAlive()).toBe(true);
    rt.send(sup.child('s2')!, { crash: 'normal' });
    await rt.idle();
    expect(sup.isAlive()).toBe(false);
  });
});

test('a significant nested supervisor that shuts down normally shuts its parent down too', async () => {
  const rt = vrt();
  const root = await startSupervisor(
    rt,
    supervisor({
      id: 'root',
      autoShutdown: 'any_significant',
      children: [
        child('other'),
        supervisor({
          id: 'job',
          restart: 'transient',
          significant: true,
          autoShutdown: 'any_significant',
          children: [child('step', { restart: 'transient', significant: true })],
        }),
      ],
    }),
  );
  rt.send(root.supervisor('job')!.child('step')!, { crash: 'normal' });
  await rt.idle();
  expect(root.isAlive()).toBe(false);
  expect(rt.processes()).toEqual([]);
});
