import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { osProcess, supervisor } from '@quiesce/runtime';
import { test } from '@quiesce/harness';

const child = fileURLToPath(new URL('../fixtures/os-child.mjs', import.meta.url));

// A restart whose program takes longer than the quiet period to print its ready line: nothing
// happens for that long (no delivery, no event), yet the system is not quiet, because the start
// is an external operation in flight that will end in an event.
describe('settle() with an external operation in flight', () => {
  test('waits for a restart whose program is slower to get ready than the quiet period', async ({ system }) => {
    const pool = await system.start(
      supervisor({
        id: 'pool',
        intensity: 3,
        children: [osProcess('slow', { command: process.execPath, args: [child, 'slow-ready', '400'], ready: /^ready$/, readyTimeout: 10_000 })],
      }),
    );
    const mark = system.mark();
    system.kill(pool.child('slow')!, 'kill');
    await system.settle({ quietPeriod: 50 });
    // Settled means the restart is done: 400 ms of silence from the new program did not count as quiet.
    expect(system.history.events.filter((e) => e.seq >= mark && e.kind === 'child.restart')).toHaveLength(1);
    expect(pool.countChildren().active).toBe(1);
  });
});

describe('settle() that never sees the system quiet', () => {
  test('its timeout says what held the system: operations in flight and what was live outside', async ({ system }) => {
    const release = system.runtime.holdExternal('fake worker');
    let finish = (): void => undefined;
    const operation = system.runtime.external(new Promise<void>((resolve) => (finish = resolve)));
    const failure = await system.settle({ timeout: 150 }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(
      /^waiting for the system to be quiet \(when it gave up: 1 external operation\(s\) in flight; live outside: fake worker\) timed out after/,
    );
    finish();
    await operation;
    release();
  });
});

// The CI flake of the pool's chaos test (settle timed out with nothing busy and the clock
// standing still): settle saw an operation in flight and stepped; the operation ended while
// the step waited for the inside to be durably idle, and the step then waited for the *next*
// activity, which a silent system never has.
describe('settle() when an operation in flight ends while a step waits for idleness', () => {
  test('the step sees the activity it missed and settle decides, instead of waiting for another', async ({ system }) => {
    const release = system.runtime.holdExternal('fake worker');
    let finish = (): void => undefined;
    void system.runtime.external(new Promise<void>((resolve) => (finish = resolve)));
    const settled = system.settle({ timeout: 3000 }).then(
      (n) => ({ n }),
      (error: unknown) => ({ error: error as Error }),
    );
    // settle's first check for idleness takes one macrotask turn; its step then waits for
    // idleness across another. This callback runs between them: the operation ends while the
    // step waits.
    setImmediate(finish);
    try {
      const outcome = await settled;
      expect(outcome).not.toHaveProperty('error');
    } finally {
      release();
    }
  });
});
