import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { VirtualClock } from '@quiesce/runtime';

describe('VirtualClock', () => {
  test('starts at 0 (or the given start) and moves only when told', () => {
    expect(new VirtualClock().now()).toBe(0);
    const clock = new VirtualClock(250);
    expect(clock.now()).toBe(250);
    expect(clock.kind).toBe('virtual');
    clock.setTimer(10, () => undefined);
    expect(clock.now()).toBe(250);
    expect(clock.advanceSync(5)).toBe(0);
    expect(clock.now()).toBe(255);
  });

  test('fires timers ordered by deadline, then by creation (property)', () => {
    // Delays include the "as soon as possible" ones (negative, NaN, Infinity) that normalise to 0.
    const delay = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -Infinity, 0.5));
    fc.assert(
      fc.property(fc.array(fc.record({ delay, cancel: fc.boolean() }), { maxLength: 40 }), fc.integer({ min: 0, max: 1000 }), (timers, start) => {
        const clock = new VirtualClock(start);
        const fired: number[] = [];
        const handles = timers.map((t, i) => clock.setTimer(t.delay, () => fired.push(i)));
        timers.forEach((t, i) => {
          if (t.cancel) expect(clock.clearTimer(handles[i]!)).toBe(true);
        });
        const live = timers.map((t, i) => ({ ...t, i })).filter((t) => !t.cancel);
        expect(clock.pendingTimers()).toBe(live.length);
        const norm = (d: number) => (Number.isFinite(d) && d > 0 ? d : 0);
        const expected = [...live].sort((a, b) => norm(a.delay) - norm(b.delay) || a.i - b.i).map((t) => t.i);
        clock.advanceSync(1000);
        expect(fired).toEqual(expected);
        expect(clock.pendingTimers()).toBe(0);
        expect(clock.now()).toBe(start + 1000);
        for (const [i, h] of handles.entries()) expect(h.deadline).toBe(start + norm(timers[i]!.delay));
      }),
      { numRuns: 200 },
    );
  });

  test('a timer set while firing, due at the same instant, fires after the ones already set', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimer(10, () => {
      fired.push('a');
      clock.setTimer(0, () => fired.push('a-child'));
    });
    clock.setTimer(10, () => fired.push('b'));
    clock.setTimer(11, () => fired.push('c'));
    clock.advanceSync(10);
    expect(fired).toEqual(['a', 'b', 'a-child']);
    expect(clock.now()).toBe(10);
    clock.advanceSync(1);
    expect(fired).toEqual(['a', 'b', 'a-child', 'c']);
  });

  test('fireNext fires one due timer at a time and moves the clock to its deadline', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimer(30, () => fired.push(30));
    clock.setTimer(10, () => fired.push(10));
    expect(clock.nextDeadline()).toBe(10);
    expect(clock.fireNext(5)).toBe(false);
    expect(clock.now()).toBe(0);
    expect(clock.fireNext(10)).toBe(true);
    expect(fired).toEqual([10]);
    expect(clock.now()).toBe(10);
    expect(clock.fireNext()).toBe(true);
    expect(clock.now()).toBe(30);
    expect(clock.fireNext()).toBe(false);
    expect(clock.nextDeadline()).toBeUndefined();
  });

  test('cancelled timers never fire, are skipped by nextDeadline, and cancel only once', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const a = clock.setTimer(1, () => fired.push('a'));
    clock.setTimer(2, () => fired.push('b'));
    expect(clock.clearTimer(a)).toBe(true);
    expect(clock.clearTimer(a)).toBe(false);
    expect(clock.nextDeadline()).toBe(2);
    clock.advanceSync(5);
    expect(fired).toEqual(['b']);
    // Cancelling a timer that already fired, or an unknown one, is a no-op.
    expect(clock.clearTimer({ id: 2, deadline: 2 })).toBe(false);
    expect(clock.clearTimer({ id: 999, deadline: 0 })).toBe(false);
  });

  test('setNow never moves the clock backwards; a late timer fires at the current time', () => {
    const clock = new VirtualClock();
    const t = clock.setTimer(5, () => undefined);
    clock.setNow(20);
    expect(clock.now()).toBe(20);
    clock.setNow(3);
    expect(clock.now()).toBe(20);
    expect(t.deadline).toBe(5);
    expect(clock.fireNext(20)).toBe(true);
    expect(clock.now()).toBe(20);
  });

  test('advanceSync with a bad delay only fires timers due now', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimer(0, () => fired.push(0));
    clock.setTimer(1, () => fired.push(1));
    expect(clock.advanceSync(Number.NaN)).toBe(1);
    expect(clock.advanceSync(-3)).toBe(0);
    expect(fired).toEqual([0]);
    expect(clock.now()).toBe(0);
  });
});
