import { afterEach, expect, test, vi } from 'vitest';
import { createTestSystem, WaitError } from '@quiesce/harness';

// A test that also uses Vitest's fake timers must not freeze the real-time bound of its waits:
// the bound comes from the native timers captured when Quiesce loaded, not from the globals.
afterEach(() => {
  vi.useRealTimers();
});

test('a wait on the outside world still times out on its real bound under vi.useFakeTimers()', async () => {
  vi.useFakeTimers();
  const system = createTestSystem({ testId: 'fake-timers real bound' });
  // Something outside stays live (an observer-like resource), so only the real bound can end the wait.
  system.own({ kind: 'observer', label: 'a live outside source', dispose: () => undefined, alive: () => false, external: () => true });
  const error = (await system.until('test.never', { timeout: 50 }).catch((e: unknown) => e)) as WaitError;
  expect(error).toBeInstanceOf(WaitError);
  expect(error.failure).toBe('timeout');
  expect(error.realElapsed).toBeGreaterThanOrEqual(45);
  await system.teardown();
});

test('a closed system still drives its virtual clock under vi.useFakeTimers()', async () => {
  vi.useFakeTimers();
  const system = createTestSystem({ testId: 'fake-timers virtual' });
  const fired: number[] = [];
  system.runtime.setTimer(1_000, () => fired.push(system.now()));
  await system.settle();
  expect(fired).toEqual([1_000]);
  await system.teardown();
});
