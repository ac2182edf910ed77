import { afterEach, expect, test, vi } from 'vitest';
import { RealClock } from '@quiesce/runtime';
import type { RealTimeSource } from '@quiesce/runtime/internal';

// The clock takes the native timers captured at load, so fake timers cannot reach it by
// accident; the test hands it the (faked) globals on purpose.
const fakeable: RealTimeSource = {
  now: () => Date.now(),
  timer: (ms, fn) => {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

// Node (and Vitest's fake timers, which copy it) run a setTimeout longer than 2^31 - 1 ms after
// 1 ms. A real-clock timer of 25 days must not fire after 1 ms: a wait's real-time bound of
// `timeout: 3e9` would otherwise expire at once. Fake timers make the check exact, with no waiting.
afterEach(() => {
  vi.useRealTimers();
});

test('a timer longer than 2^31 - 1 ms fires at its deadline, not after 1 ms', () => {
  vi.useFakeTimers();
  const clock = new RealClock(fakeable);
  const delay = 2 ** 31 + 1_000;
  let fired = 0;
  const handle = clock.setTimer(delay, () => fired++);
  vi.advanceTimersByTime(10);
  expect(fired).toBe(0);
  vi.advanceTimersByTime(2 ** 31 - 1 - 10);
  expect(fired).toBe(0);
  expect(clock.pendingTimers()).toBe(1);
  vi.advanceTimersByTime(1_001);
  expect(fired).toBe(1);
  expect(clock.pendingTimers()).toBe(0);
  expect(clock.clearTimer(handle)).toBe(false);
});

test('a long timer cleared before its deadline never fires, even across its re-arming', () => {
  vi.useFakeTimers();
  const clock = new RealClock(fakeable);
  let fired = 0;
  const handle = clock.setTimer(3 * 2 ** 31, () => fired++);
  vi.advanceTimersByTime(2 ** 31);
  expect(clock.clearTimer(handle)).toBe(true);
  vi.advanceTimersByTime(3 * 2 ** 31);
  expect(fired).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
});

// The clock keeps one native timer per delay: a timer cleared before its deadline leaves its
// native timer armed (not holding the process open), and the next timer of that delay reuses it.
// That native timer fires at the old deadline, before the new one's: nothing may run then.
const holdable: RealTimeSource = {
  ...fakeable,
  holdableTimer: (ms, fn) => {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle), hold: (on) => void (on ? handle.ref() : handle.unref()) };
  },
};

test('a timer that reuses the native timer of a cleared one fires at its own deadline, not the old one', () => {
  vi.useFakeTimers();
  const clock = new RealClock(holdable);
  const fired: number[] = [];
  const first = clock.setTimer(100, () => fired.push(1));
  vi.advanceTimersByTime(40);
  expect(clock.clearTimer(first)).toBe(true);
  const second = clock.setTimer(100, () => fired.push(clock.now()));
  expect(second.deadline).toBe(140);
  expect(vi.getTimerCount()).toBe(1); // the first's native timer serves the second
  vi.advanceTimersByTime(60); // the old deadline (100): the native timer fires, nothing is due
  expect(fired).toEqual([]);
  expect(clock.pendingTimers()).toBe(1);
  vi.advanceTimersByTime(39);
  expect(fired).toEqual([]);
  vi.advanceTimersByTime(1);
  expect(fired).toEqual([140]);
  expect(clock.pendingTimers()).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
});

test('timers of one delay fire in the order they were set, each at its deadline; a timer set while they fire waits its full delay', () => {
  vi.useFakeTimers();
  const clock = new RealClock(holdable);
  const fired: Array<[string, number]> = [];
  clock.setTimer(50, () => fired.push(['a', clock.now()]));
  vi.advanceTimersByTime(10);
  const b = clock.setTimer(50, () => fired.push(['b', clock.now()]));
  clock.setTimer(50, () => {
    fired.push(['c', clock.now()]);
    clock.setTimer(50, () => fired.push(['d', clock.now()]));
  });
  clock.setTimer(20, () => fired.push(['short', clock.now()]));
  expect(clock.clearTimer(b)).toBe(true);
  vi.advanceTimersByTime(200);
  expect(fired).toEqual([
    ['short', 30],
    ['a', 50],
    ['c', 60],
    ['d', 110],
  ]);
  expect(clock.pendingTimers()).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
});

test('a timer that throws does not lose the due timers after it', () => {
  vi.useFakeTimers();
  const clock = new RealClock(holdable);
  const fired: string[] = [];
  clock.setTimer(10, () => {
    throw new Error('boom');
  });
  clock.setTimer(10, () => fired.push('after'));
  expect(() => vi.advanceTimersByTime(10)).toThrow('boom');
  vi.advanceTimersByTime(1);
  expect(fired).toEqual(['after']);
  expect(clock.pendingTimers()).toBe(0);
});

// A native timer whose list empties stops holding the process open after the turn, not at once:
// a call loop sets and clears a timer of one delay per round-trip, and toggling Node's ref/unref
// for each was a tenth of a call's cost. The source here records what the clock asks of it.
function scripted() {
  const holds: boolean[] = [];
  const turnEnds: Array<() => void> = [];
  const source: RealTimeSource = {
    ...fakeable,
    holdableTimer: (ms, fn) => {
      const handle = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(handle), hold: (on) => void holds.push(on) };
    },
    afterTurn: (fn) => void turnEnds.push(fn),
  };
  const endTurn = (): void => {
    for (const fn of turnEnds.splice(0)) fn();
  };
  return { source, holds, endTurn };
}

test('timers of one delay set and cleared again and again in a turn toggle no hold; the emptied list stops holding after the turn', () => {
  vi.useFakeTimers();
  const { source, holds, endTurn } = scripted();
  const clock = new RealClock(source);
  for (let i = 0; i < 100; i++) expect(clock.clearTimer(clock.setTimer(5000, () => undefined))).toBe(true);
  expect(holds).toEqual([]);
  expect(vi.getTimerCount()).toBe(1);
  endTurn();
  expect(holds).toEqual([false]);
  // The next turn's first timer holds the process again, through the same native timer.
  const handle = clock.setTimer(5000, () => undefined);
  expect(holds).toEqual([false, true]);
  expect(vi.getTimerCount()).toBe(1);
  clock.clearTimer(handle);
  endTurn();
  expect(holds).toEqual([false, true, false]);
});

test('a list emptied and refilled within the turn keeps holding the process', () => {
  vi.useFakeTimers();
  const { source, holds, endTurn } = scripted();
  const clock = new RealClock(source);
  clock.clearTimer(clock.setTimer(5000, () => undefined));
  let fired = 0;
  clock.setTimer(5000, () => fired++);
  endTurn();
  expect(holds).toEqual([]);
  vi.advanceTimersByTime(5000);
  expect(fired).toBe(1);
});
