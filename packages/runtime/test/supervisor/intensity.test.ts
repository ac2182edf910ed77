import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_INTENSITY, DEFAULT_PERIOD, type Pid, type Runtime, startSupervisor, supervisor, type ChildSpec, type Strategy } from '@quiesce/runtime';
import { RestartIntensity } from '@quiesce/runtime/internal';
import { child, crashable, ofKind, trace, vrt } from '../support/helpers.js';

// The runtime follows OTP: restart times in whole seconds of the clock; a restart exactly `period`
// seconds old still counts; with intensity N the (N+1)-th restart within the window stops the
// supervisor with reason `shutdown` after terminating all children. Defaults: OTP's 1 in 5 s.

async function crash(rt: Runtime, pid: Pid | undefined) {
  if (!pid) throw new Error('no such child');
  rt.send(pid, { crash: 'boom' });
  await rt.idle();
}

describe('RestartIntensity', () => {
  test('counts restarts in whole seconds, keeping one exactly period seconds old', () => {
    const r = new RestartIntensity(1, 5);
    expect(r.add(0)).toBe(true);
    expect(r.add(5999)).toBe(false); // floor(5.999) = 5: 5 - 0 is not > 5, still in the window
    expect(r.recent).toEqual([5, 0]);
    const s = new RestartIntensity(1, 5);
    expect(s.add(999)).toBe(true);
    expect(s.add(6000)).toBe(true); // 6 - 0 > 5: dropped
    expect(s.recent).toEqual([6]);
  });

  test('a long run of restarts keeps only the window (old entries are compacted away)', () => {
    const r = new RestartIntensity(1000, 2);
    for (let s = 0; s < 300; s++) expect(r.add(s * 1000 + 500)).toBe(true);
    expect(r.recent).toEqual([299, 298, 297]);
    const tight = new RestartIntensity(2, 2);
    for (let s = 0; s < 300; s++) expect(tight.add(s * 1000)).toBe(s < 2);
    // Three in every 2-second window from then on, one too many each time.
    expect(tight.recent).toEqual([299, 298, 297]);
  });

  test('intensity 0 refuses every restart', () => {
    const r = new RestartIntensity(0, 1);
    expect(r.add(0)).toBe(false);
    expect(r.add(100_000)).toBe(false);
  });

  test('matches a direct count of restarts in the window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 30 }),
        (intensity, period, gaps) => {
          const r = new RestartIntensity(intensity, period);
          const times: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            times.push(Math.floor(now / 1000));
            const nowS = Math.floor(now / 1000);
            const inWindow = times.filter((t) => nowS - t <= period).length;
            expect(r.add(now)).toBe(inWindow <= intensity);
          }
        },
      ),
    );
  });

  test('defaults are OTP’s: 1 restart in 5 seconds', () => {
    expect([DEFAULT_INTENSITY, DEFAULT_PERIOD]).toEqual([1, 5]);
  });
});

describe('supervisor at the boundary (virtual time)', () => {
  test('default flags: a second restart exactly 5 s (5.999 s) after the first stops the supervisor', async () => {
    for (const gap of [5000, 5999]) {
      const rt = vrt();
      const sup = await startSupervisor(rt, supervisor({ children: [child('w')] }));
      await crash(rt, sup.child('w'));
      expect(sup.isAlive()).toBe(true);
      await rt.advance(gap);
      await crash(rt, sup.child('w'));
      expect([gap, sup.isAlive()]).toEqual([gap, false]);
      expect(rt.exitReason(sup.pid)).toBe('shutdown');
    }
  });

  test('default flags: a second restart 6 s after the first is allowed', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ children: [child('w')] }));
    await crash(rt, sup.child('w'));
    await rt.advance(6000);
    await crash(rt, sup.child('w'));
    expect(sup.isAlive()).toBe(true);
    expect(trace(rt, ['child.restart'])).toEqual(['child.restart w', 'child.restart w']);
  });

  test('whole seconds: restarts at 0.999 s and 6.0 s are 6 s apart (allowed); at 0.999 s and 5.999 s are 5 apart (not)', async () => {
    for (const [second, alive] of [
      [6000, true],
      [5999, false],
    ] as const) {
      const rt = vrt();
      const sup = await startSupervisor(rt, supervisor({ children: [child('w')] }));
      await rt.advance(999);
      await crash(rt, sup.child('w'));
      await rt.advance(second - 999);
      await crash(rt, sup.child('w'));
      expect([second, sup.isAlive()]).toEqual([second, alive]);
    }
  });

  test.each([0, 1, 2, 3])('intensity %i: N restarts at one instant are fine, the N+1-th stops the supervisor after terminating all children', async (n) => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ id: 'sup', intensity: n, period: 1, children: [child('a'), child('w'), child('z')] }));
    for (let i = 0; i < n; i++) {
      await crash(rt, sup.child('w'));
      expect(sup.isAlive()).toBe(true);
    }
    const a = sup.child('a')!;
    const z = sup.child('z')!;
    const from = rt.history.length;
    await crash(rt, sup.child('w'));
    expect(sup.isAlive()).toBe(false);
    expect(trace(rt, ['child.exit', 'supervisor.intensity', 'child.terminate', 'child.restart', 'supervisor.shutdown'], from)).toEqual([
      'child.exit w',
      'supervisor.intensity w',
      'child.terminate z',
      'child.terminate a',
      'supervisor.shutdown',
    ]);
    expect(ofKind(rt, 'supervisor.intensity', from)[0]!.data).toEqual({ id: 'w', intensity: n, period: 1 });
    expect(ofKind(rt, 'supervisor.shutdown', from)[0]!.data).toEqual({ reason: 'shutdown' });
    expect(rt.exitReason(sup.pid)).toBe('shutdown');
    expect([rt.exitReason(a), rt.exitReason(z)]).toEqual(['shutdown', 'shutdown']);
    expect(rt.processes()).toEqual([]);
    expect(sup.whichChildren()).toEqual([]);
    expect(sup.countChildren()).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
  });

  test('a sliding window: intensity 2 in 2 s', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ intensity: 2, period: 2, children: [child('w')] }));
    await crash(rt, sup.child('w')); // t=0
    await rt.advance(1000);
    await crash(rt, sup.child('w')); // t=1
    await rt.advance(2000);
    await crash(rt, sup.child('w')); // t=3: the one at 0 is 3 s old, dropped
    expect(sup.isAlive()).toBe(true);
    await rt.advance(2000);
    await crash(rt, sup.child('w')); // t=5: 1 dropped (4 s), 3 kept (2 s): 2 in the window
    expect(sup.isAlive()).toBe(true);
    await crash(rt, sup.child('w')); // t=5 again: 3 in the window
    expect(sup.isAlive()).toBe(false);
  });

  test.each<Strategy>(['one_for_one', 'one_for_all', 'rest_for_one'])(
    '%s: every restart counts once, whatever the number of children restarted',
    async (strategy) => {
      const rt = vrt();
      const sup = await startSupervisor(rt, supervisor({ strategy, intensity: 2, period: 5, children: [child('a'), child('b'), child('c')] }));
      await crash(rt, sup.child('a'));
      await crash(rt, sup.child('b'));
      expect(sup.isAlive()).toBe(true);
      await crash(rt, sup.child('c'));
      expect(sup.isAlive()).toBe(false);
    },
  );
});

describe('failed restart attempts', () => {
  /** A start that succeeds `ok` times and then fails forever. */
  function flaky(ok: number): ChildSpec['start'] {
    let starts = 0;
    const start = crashable();
    return (ctx) => (starts++ < ok ? start(ctx) : { error: `start ${starts} refused` });
  }

  test.each([1, 2, 3])('intensity %i: each failed restart counts; the supervisor stops after intensity attempts', async (n) => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ intensity: n, period: 5, children: [child('ok'), { id: 'w', start: flaky(1) }] }));
    const okPid = sup.child('ok')!;
    await crash(rt, sup.child('w'));
    expect(sup.isAlive()).toBe(false);
    expect(ofKind(rt, 'child.start_failed').map((e) => e.data)).toEqual(Array.from({ length: n }, (_, i) => ({ id: 'w', reason: `start ${i + 2} refused` })));
    expect(trace(rt, ['supervisor.intensity', 'child.terminate', 'supervisor.shutdown'])).toEqual([
      'supervisor.intensity w',
      'child.terminate ok',
      'supervisor.shutdown',
    ]);
    expect(rt.exitReason(okPid)).toBe('shutdown');
  });

  test('a restart that fails once is retried and the child comes back; whichChildren shows restarting meanwhile', async () => {
    const rt = vrt();
    let starts = 0;
    const start = crashable();
    const seen: unknown[] = [];
    const sup = await startSupervisor(
      rt,
      supervisor({
        intensity: 3,
        children: [
          {
            id: 'w',
            start: (ctx) => {
              starts++;
              if (starts === 3) seen.push(sup.whichChildren()[0]!.pid);
              return starts === 2 ? { error: 'transient failure' } : start(ctx);
            },
          },
        ],
      }),
    );
    await crash(rt, sup.child('w'));
    expect(starts).toBe(3);
    expect(seen).toEqual(['restarting']);
    expect(sup.isAlive()).toBe(true);
    expect(rt.isAlive(sup.child('w')!)).toBe(true);
    expect(trace(rt, ['child.start', 'child.exit', 'child.start_failed', 'child.restart'])).toEqual([
      'child.start w',
      'child.exit w',
      'child.start_failed w',
      'child.restart w',
    ]);
  });

  test.each<Strategy>(['one_for_all', 'rest_for_one'])('%s: a failing restart is retried for the whole group and counts', async (strategy) => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ strategy, intensity: 2, children: [child('a'), { id: 'b', start: flaky(1) }, child('c')] }));
    await crash(rt, sup.child('a'));
    expect(sup.isAlive()).toBe(false);
    expect(ofKind(rt, 'child.start_failed')).toHaveLength(2);
    expect(rt.processes()).toEqual([]);
  });
});
