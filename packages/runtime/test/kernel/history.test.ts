import { describe, expect, test, vi } from 'vitest';
import { History, Runtime, formatTimeline, isKind, startSupervisor, supervisor, type HistoryEvent } from '@quiesce/runtime';
import * as runtimeModule from '@quiesce/runtime';
import { child, vrt } from '../support/helpers.js';

describe('History', () => {
  test('numbers events from 0 and stamps them with the clock it was given', () => {
    let now = 0;
    const h = new History(() => now);
    const a = h.append('a', 'src', { x: 1 });
    now = 42;
    const b = h.append('b', 'src', undefined);
    expect([a.seq, b.seq]).toEqual([0, 1]);
    expect([a.time, b.time]).toEqual([0, 42]);
    expect(h.length).toBe(2);
    expect(h.events).toEqual([a, b]);
    expect(Object.isFrozen(a)).toBe(true);
    expect(new History().append('k', 's', 1).time).toBe(0);
  });

  test('runtime events carry virtual time', async () => {
    const rt = vrt();
    rt.record('one', 'test', {});
    await rt.advance(1500);
    rt.record('two', 'test', {});
    expect(rt.history.ofKind('one')[0]!.time).toBe(0);
    expect(rt.history.ofKind('two')[0]!.time).toBe(1500);
    expect(rt.history.ofKind('clock.advance')[0]!.data).toEqual({ from: 0, to: 1500 });
  });

  test('subscribers see every later event synchronously, in order, until they unsubscribe', () => {
    const h = new History();
    h.append('before', 's', null);
    const seen: string[] = [];
    const off = h.subscribe((e) => {
      seen.push(e.kind);
      // An event appended from a listener is delivered too, after the current one.
      if (e.kind === 'a') h.append('from-listener', 's', null);
    });
    h.append('a', 's', null);
    expect(seen).toEqual(['a', 'from-listener']);
    off();
    h.append('b', 's', null);
    expect(seen).toEqual(['a', 'from-listener']);
  });

  test('listeners added or removed during an append take effect from the next event', () => {
    const h = new History();
    const log: string[] = [];
    let offSecond: () => void = () => undefined;
    h.subscribe((e) => {
      log.push(`first:${e.kind}`);
      if (e.kind === 'a') {
        h.subscribe((e2) => log.push(`late:${e2.kind}`));
        offSecond();
      }
    });
    offSecond = h.subscribe((e) => log.push(`second:${e.kind}`));
    h.append('a', 's', null);
    h.append('b', 's', null);
    expect(log).toEqual(['first:a', 'second:a', 'first:b', 'late:b']);
  });

  test('toJSONLines excludes the wall clock unless asked; wallTime keeps it beside the events', () => {
    let wall = 1_700_000_000_000;
    const h = new History(
      () => 7,
      () => wall++,
    );
    h.append('a', 's', { n: 1 });
    h.append('b', 's', { n: 2 });
    const lines = h
      .toJSONLines()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { seq: 0, time: 7, kind: 'a', source: 's', data: { n: 1 } },
      { seq: 1, time: 7, kind: 'b', source: 's', data: { n: 2 } },
    ]);
    const withWall = h
      .toJSONLines({ wallClock: true })
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(withWall.map((l) => l.wall)).toEqual([1_700_000_000_000, 1_700_000_000_001]);
    expect(h.wallTime(1)).toBe(1_700_000_000_001);
    expect(h.wallTime(5)).toBeUndefined();
    expect(new History().toJSONLines()).toBe('');
  });

  test('the default wall clock is epoch milliseconds', () => {
    const h = new History();
    const before = Date.now();
    h.append('a', 's', null);
    expect(h.wallTime(0)).toBeGreaterThanOrEqual(before - 1000);
    expect(h.wallTime(0)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  test('non-JSON values get a stable JSON form', () => {
    const h = new History();
    function named() {}
    h.append('x', 's', {
      err: new TypeError('bad'),
      big: 10n,
      fn: named,
      anon: (
        () => () =>
          undefined
      )(),
      sym: Symbol('s'),
      undef: undefined,
    });
    expect(JSON.parse(h.toJSONLines())).toEqual({
      seq: 0,
      time: 0,
      kind: 'x',
      source: 's',
      data: { err: { error: 'TypeError', message: 'bad' }, big: '10n', fn: '[function named]', anon: '[function anonymous]', sym: 'Symbol(s)', undef: null },
    });
  });

  test('ofKind, find and tail', () => {
    const h = new History();
    for (const kind of ['a', 'b', 'a', 'c']) h.append(kind, 's', null);
    expect(h.ofKind('a').map((e) => e.seq)).toEqual([0, 2]);
    expect(h.ofKind('zzz')).toEqual([]);
    expect(h.find((e) => e.kind === 'a')?.seq).toBe(0);
    expect(h.find((e) => e.kind === 'a', 1)?.seq).toBe(2);
    expect(h.find((e) => e.kind === 'a', 3)).toBeUndefined();
    expect(h.tail(2).map((e) => e.kind)).toEqual(['a', 'c']);
    expect(h.tail(10)).toHaveLength(4);
    expect(h.tail(0)).toEqual([]);
  });

  test('isKind: an event of one of the kinds, carrying an object (a malformed third-party event is passed over)', () => {
    const h = new History();
    const restart = h.append('child.restart', 'pool', { id: 'w1', pid: '<0.4>' });
    const start = h.append('child.start', 'pool', { id: 'w2', pid: '<0.5>' });
    const custom = h.append('test.marker', 'test', { id: 'w1' });
    // What a bridge records when a third party publishes a lifecycle kind with no data (a run-time kind).
    const dataless = h.append('child.restart' as string, 'elsewhere', undefined);
    expect([restart, start, custom, dataless].map((e) => isKind(e, 'child.restart'))).toEqual([true, false, false, false]);
    expect([restart, start, custom, dataless].map((e) => isKind(e, 'child.start', 'child.restart'))).toEqual([true, true, false, false]);
    const ids = h.events.filter((e) => isKind(e, 'child.start', 'child.restart')).map((e) => e.data.id);
    expect(ids).toEqual(['w1', 'w2']);
  });

  test('timeline renders one line per event with seq, time, kind, source and data', () => {
    let now = 0;
    const h = new History(() => now);
    h.append('process.spawn', '<1.1>', { pid: '<1.1>' });
    now = 999.5;
    h.append('tick', 'clock', undefined);
    now = 1500;
    h.append('tock', 'clock', null);
    now = 2000;
    h.append('late', 'clock', 1);
    now = 1100;
    h.append('odd', 'clock', 1);
    const lines = h.timeline().split('\n');
    expect(lines[0]).toBe(`#   0        0ms  ${'process.spawn'.padEnd(20)} <1.1> {"pid":"<1.1>"}`);
    expect(lines[1]).toBe(`#   1    999.5ms  ${'tick'.padEnd(20)} clock`);
    expect(lines[2]).toContain('      1.5s  tock');
    expect(lines[2]!.endsWith('clock null')).toBe(true);
    expect(lines[3]).toContain('        2s  late');
    expect(lines[4]).toContain('      1.1s  odd');
    expect(h.timeline(1)).toBe(lines[4]);
    expect(formatTimeline([])).toBe('');
  });
});

// ---------------------------------------------------------------- same seed, same history

/** A seeded scenario: a random scheduler, a supervisor, crashes and virtual time. */
async function scenario(mod: typeof runtimeModule): Promise<string> {
  const rt = new mod.Runtime({ clock: 'virtual', seed: 99, scheduler: { random: 99 }, recordMessages: true });
  const sup = await mod.startSupervisor(
    rt,
    mod.supervisor({ id: 'root', strategy: 'rest_for_one', intensity: 3, period: 2, children: [child('a'), child('b'), child('c', { restart: 'transient' })] }),
  );
  const pick = rt.random.fork('crashes');
  for (let i = 0; i < 6 && sup.isAlive(); i++) {
    const id = pick.pick(['a', 'b', 'c']);
    const pid = sup.child(id);
    if (pid) rt.send(pid, { crash: pick.pick(['boom', 'normal', 'shutdown']) });
    await rt.idle();
    await rt.advance(pick.between(0, 1500));
  }
  await sup.stop();
  return rt.history.toJSONLines();
}

describe('determinism', () => {
  test('two runs of one seeded scenario in fresh module instances serialise identically', async () => {
    vi.resetModules();
    const first = await scenario((await import('@quiesce/runtime')) as typeof runtimeModule);
    vi.resetModules();
    const second = await scenario((await import('@quiesce/runtime')) as typeof runtimeModule);
    expect(first.split('\n').length).toBeGreaterThan(20);
    expect(first).not.toContain('wall');
    expect(second).toBe(first);
  });

  // Pids print as <0.N> (no runtime number), so a self-check can run a scenario twice in one process.
  test('two runs of one seeded scenario in one process serialise identically', async () => {
    const first = await scenario(runtimeModule);
    const second = await scenario(runtimeModule);
    expect(second).toBe(first);
  });

  test('a history can be shared: the runtime appends to the one it is given', async () => {
    const shared = new History();
    shared.append('harness.begin', 'test', null);
    const rt = new Runtime({ clock: 'virtual', history: shared });
    expect(rt.history).toBe(shared);
    const sup = await startSupervisor(rt, supervisor({ children: [child('w')] }));
    expect(shared.events[0]!.kind).toBe('harness.begin');
    expect(shared.ofKind('child.start').map((e: HistoryEvent) => (e.data as { id: string }).id)).toEqual(['w']);
    await sup.stop();
  });
});

describe('timelines with real time', () => {
  test('with work outside the runtime, real elapsed time is shown beside virtual time where it ran ahead', () => {
    let wall = 1_000;
    let virtual = 0;
    const history = new History(
      () => virtual,
      () => wall,
    );
    history.append('a.first', 'x', {});
    wall += 1_500; // an OS process took real time while the virtual clock stood
    history.append('os.exit', 'os:node', { pid: 42, code: 0, signal: null });
    wall += 10;
    virtual += 10;
    history.append('a.third', 'x', {});
    const lines = history.timeline().split('\n');
    expect(lines[0]).not.toMatch(/real/);
    expect(lines[1]).toMatch(/0ms \(real 1\.5s\) {2}os\.exit/);
    expect(lines[2]).toMatch(/10ms \(real 1\.51s\) {2}a\.third/);
    // The events themselves carry no wall-clock field: serialised histories stay identical.
    expect(history.toJSONLines()).not.toMatch(/1500|1510|wall/);
  });

  test('a closed simulation prints virtual time only: its real time is just how fast the machine ran it', () => {
    let wall = 0;
    const history = new History(
      () => 0,
      () => wall,
    );
    history.append('a.first', 'x', {});
    wall += 50;
    history.append('a.second', 'x', {});
    expect(history.timeline()).not.toMatch(/real/);
  });
});
