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
