import { expect, test } from 'vitest';
import { RealClock } from '@quiesce/runtime';

// The real clock is only exercised through its own events: no test waits a guessed duration.

test('now() is monotonic and starts near 0', () => {
  const clock = new RealClock();
  const a = clock.now();
  const b = clock.now();
  expect(clock.kind).toBe('real');
  expect(a).toBeGreaterThanOrEqual(0);
  expect(b).toBeGreaterThanOrEqual(a);
});

test('a timer fires its callback once and is then no longer pending', async () => {
  const clock = new RealClock();
  let calls = 0;
  const fired = new Promise<void>((resolve) =>
    clock.setTimer(Number.NaN, () => {
      calls++;
      resolve();
    }),
  );
  expect(clock.pendingTimers()).toBe(1);
  await fired;
  expect(calls).toBe(1);
  expect(clock.pendingTimers()).toBe(0);
});

test('a cleared timer never fires; clearing twice or after firing returns false', async () => {
  const clock = new RealClock();
  let cancelledRan = false;
  const handle = clock.setTimer(0, () => {
    cancelledRan = true;
  });
  expect(handle.deadline).toBeGreaterThanOrEqual(0);
  expect(clock.clearTimer(handle)).toBe(true);
  expect(clock.clearTimer(handle)).toBe(false);
  expect(clock.pendingTimers()).toBe(0);
  // A later zero-delay timer fires after the cancelled one would have: its firing is the event we wait for.
  let h2!: ReturnType<RealClock['setTimer']>;
  await new Promise<void>((resolve) => {
    h2 = clock.setTimer(0, resolve);
  });
  expect(cancelledRan).toBe(false);
  expect(clock.clearTimer(h2)).toBe(false);
});
