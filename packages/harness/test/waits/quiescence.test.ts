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
