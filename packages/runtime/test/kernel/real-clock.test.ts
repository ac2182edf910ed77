import { expect, test } from 'vitest';
import { CallTimeoutError, RealClock, Runtime, startServer } from '@quiesce/runtime';
import { withinReal } from '@quiesce/runtime/internal';

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

// One native timer serves every timer of a delay (see real-clock.ts): a timer never fires before
// its own deadline, whatever native timer of its delay was armed before it, and it does fire.
// No threshold on how late: settling at all (within a generous bound) is the point.
test('a real-clock call timeout fires no earlier than its duration, also when it reuses the native timer of an answered call', async () => {
  const rt = new Runtime();
  const silent = rt.spawn(() => undefined);
  const echo = await startServer(rt, { init: () => ({ state: null }), handleCall: (request: unknown, _from, state) => ({ reply: request, state }) }, undefined);
  // An answered call leaves its delay's native timer armed for its own deadline, earlier than the next call's.
  expect(await rt.call(echo, 'first', 60)).toBe('first');
  const started = rt.now();
  const outcome = await withinReal(
    rt.call(silent, 'never answered', 60).then(
      () => 'replied',
      (error: unknown) => error,
    ),
    30_000,
  );
  const elapsed = rt.now() - started;
  expect(outcome).toBeInstanceOf(CallTimeoutError);
  expect(elapsed).toBeGreaterThanOrEqual(60);
  await rt.shutdown();
});

test('a real-clock timer set after an earlier one of the same delay was cleared fires no earlier than its own duration', async () => {
  const clock = new RealClock();
  const early = clock.setTimer(80, () => undefined);
  // Set the second once real time has moved on (a shorter timer's firing is the event), so the
  // native timer armed for the first fires while the second is not yet due.
  const { set, firedAt } = await new Promise<{ set: number; firedAt: Promise<number> }>((resolve) =>
    clock.setTimer(30, () => {
      clock.clearTimer(early);
      const set = clock.now();
      resolve({ set, firedAt: new Promise<number>((fired) => clock.setTimer(80, () => fired(clock.now()))) });
    }),
  );
  const at = await withinReal(firedAt, 30_000);
  expect(at).toBeDefined();
  expect(at! - set).toBeGreaterThanOrEqual(80);
  expect(clock.pendingTimers()).toBe(0);
});

// Calls with a timeout leave their delay's native timer armed between calls; once the calls are
// over it must not hold the process open (the process would otherwise live 5 s after its work).
test('after a burst of calls with a 5 s timeout, no native timer holds the process open', async () => {
  const { execFile } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const script = fileURLToPath(new URL('../fixtures/calls-then-idle.mjs', import.meta.url));
  const stdout = await new Promise<string>((resolve, reject) => execFile(process.execPath, [script], (error, out) => (error ? reject(error) : resolve(out))));
  expect(JSON.parse(stdout.trim())).not.toContain('Timeout');
});
