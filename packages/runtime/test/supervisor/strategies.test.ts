import { describe, expect, test } from 'vitest';
import { startSupervisor, supervisor, type Pid, type Strategy } from '@quiesce/runtime';
import { child, ofKind, trace, vrt } from '../support/helpers.js';

const LIFECYCLE = ['child.exit', 'child.terminate', 'child.start', 'child.restart'];

async function tree(strategy: Strategy, ids = ['a', 'b', 'c', 'd']) {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ id: 'root', strategy, intensity: 10, children: ids.map((id) => child(id)) }));
  const pids = () => Object.fromEntries(ids.map((id) => [id, sup.child(id)])) as Record<string, Pid | undefined>;
  return { rt, sup, pids };
}

describe('start and stop order', () => {
  test.each<Strategy>(['one_for_one', 'one_for_all', 'rest_for_one'])('%s: children start left to right and stop right to left', async (strategy) => {
    const { rt, sup, pids } = await tree(strategy);
    expect(trace(rt, LIFECYCLE)).toEqual(['child.start a', 'child.start b', 'child.start c', 'child.start d']);
    const started = pids();
    // Each child is spawned only after the previous one started.
    expect(ofKind(rt, 'process.spawn').map((e) => e.source)).toEqual(['root', 'root/a', 'root/b', 'root/c', 'root/d']);
    const from = rt.history.length;
    await sup.stop();
    expect(trace(rt, [...LIFECYCLE, 'supervisor.shutdown', 'process.exit'], from)).toEqual([
      'process.exit',
      'child.terminate d',
      'process.exit',
      'child.terminate c',
      'process.exit',
      'child.terminate b',
      'process.exit',
      'child.terminate a',
      'supervisor.shutdown',
      'process.exit',
    ]);
    // One at a time: each child is dead before the next one is asked to stop.
    expect(ofKind(rt, 'process.exit', from).map((e) => (e.data as { pid: string }).pid)).toEqual([
      String(started.d),
      String(started.c),
      String(started.b),
      String(started.a),
      String(sup.pid),
    ]);
    expect(ofKind(rt, 'process.exit', from).map((e) => (e.data as { reason: unknown }).reason)).toEqual([
      'shutdown',
      'shutdown',
      'shutdown',
      'shutdown',
      'shutdown',
    ]);
    expect(rt.processes()).toEqual([]);
  });
});

describe('one_for_one', () => {
  test('only the crashed child is restarted', async () => {
    const { rt, pids } = await tree('one_for_one');
    const before = pids();
    const from = rt.history.length;
    rt.send(before.b!, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, LIFECYCLE, from)).toEqual(['child.exit b', 'child.restart b']);
    const after = pids();
    expect(after.b).not.toEqual(before.b);
    expect(rt.isAlive(after.b!)).toBe(true);
    for (const id of ['a', 'c', 'd']) expect(after[id]).toBe(before[id]);
    expect(ofKind(rt, 'child.exit', from)[0]!.data).toEqual({ id: 'b', pid: String(before.b), reason: 'boom', restart: 'permanent' });
    expect(ofKind(rt, 'child.restart', from)[0]!.data).toEqual({ id: 'b', pid: String(after.b) });
  });
});

describe('one_for_all', () => {
  test('all children are terminated right to left, the crashed one skipped, then all restart left to right', async () => {
    const { rt, pids } = await tree('one_for_all');
    const before = pids();
    const from = rt.history.length;
    rt.send(before.b!, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, LIFECYCLE, from)).toEqual([
      'child.exit b',
      'child.terminate d',
      'child.terminate c',
      'child.terminate a',
      'child.restart a',
      'child.restart b',
      'child.restart c',
      'child.restart d',
    ]);
    const after = pids();
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(after[id]).not.toEqual(before[id]);
      expect(rt.isAlive(after[id]!)).toBe(true);
      expect(rt.isAlive(before[id]!)).toBe(false);
    }
    // The siblings were shut down, not crashed.
    for (const id of ['a', 'c', 'd']) expect(rt.exitReason(before[id]!)).toBe('shutdown');
    expect(rt.exitReason(before.b!)).toBe('boom');
  });
});

describe('rest_for_one', () => {
  test('the crashed child and those after it are terminated right to left and restarted left to right', async () => {
    const { rt, pids } = await tree('rest_for_one');
    const before = pids();
    const from = rt.history.length;
    rt.send(before.b!, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, LIFECYCLE, from)).toEqual([
      'child.exit b',
      'child.terminate d',
      'child.terminate c',
      'child.restart b',
      'child.restart c',
      'child.restart d',
    ]);
    const after = pids();
    expect(after.a).toBe(before.a);
    for (const id of ['b', 'c', 'd']) expect(after[id]).not.toEqual(before[id]);
  });

  test('a crash of the last child restarts only it', async () => {
    const { rt, pids } = await tree('rest_for_one');
    const before = pids();
    const from = rt.history.length;
    rt.send(before.d!, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, LIFECYCLE, from)).toEqual(['child.exit d', 'child.restart d']);
    expect(pids().c).toBe(before.c);
  });

  test('a crash of the first child restarts everything', async () => {
    const { rt, pids } = await tree('rest_for_one', ['a', 'b', 'c']);
    const from = rt.history.length;
    rt.send(pids().a!, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, LIFECYCLE, from)).toEqual([
      'child.exit a',
      'child.terminate c',
      'child.terminate b',
      'child.restart a',
      'child.restart b',
      'child.restart c',
    ]);
  });
});

test('the default strategy is one_for_one', async () => {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ children: [child('a')] }));
  expect(sup.strategy).toBe('one_for_one');
  expect(sup.flags).toEqual({ strategy: 'one_for_one', intensity: 1, period: 5, autoShutdown: 'never' });
  expect(ofKind(rt, 'supervisor.start')[0]!.data).toEqual({ strategy: 'one_for_one', intensity: 1, period: 5, children: ['a'] });
});
