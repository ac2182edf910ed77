import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { createTestSystem, test } from '@quiesce/harness';
import { QuiesceError, Runtime, SystemLimitError, worker, type Pid } from '@quiesce/runtime';
import { spawnWorkerThread } from '@quiesce/runtime/internal';
import { chaos, FAULT_KINDS } from '@quiesce/chaos';

/** A child that does nothing: `worker` start functions spawn one process. */
const idle = (id: string) => worker(id, (ctx) => ctx.spawn(() => undefined));

/** A Node program that opens /dev/null until it cannot, then prints the error's code and how many it opened. */
const OPEN_UNTIL_FULL = `
const fs = require('node:fs');
let n = 0;
try { for (;;) { fs.openSync('/dev/null', 'r'); n++; } }
catch (e) { console.log(e.code + ' after ' + n); }
`;

/** A worker thread that grows its heap until it cannot. */
const GROW_HEAP = `data:text/javascript,${encodeURIComponent(`
const keep = [];
for (;;) keep.push(new Array(100000).fill(keep.length));
`)}`;

describe('the runtime process cap', () => {
  test('a spawn at the cap is refused with system_limit, recorded; heal lifts the cap', async ({ system }) => {
    const live = system.runtime.processCount;
    const c = chaos(system);
    const cap = c.limitProcesses(live + 2);
    system.runtime.spawn(() => undefined);
    system.runtime.spawn(() => undefined);
    const refused = (() => {
      try {
        system.runtime.spawn(() => undefined, { label: 'third' });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(SystemLimitError);
    expect(refused).toMatchObject({ code: 'SYSTEM_LIMIT', message: expect.stringContaining('system_limit') });
    expect(system.history.ofKind('process.system_limit').map((e) => [e.source, e.data])).toEqual([['third', { limit: live + 2, live: live + 2 }]]);
    expect(system.history.ofKind(FAULT_KINDS.arm).at(-1)!.data).toEqual({ fault: cap.id, type: 'limit_processes', limit: live + 2, live });
    cap.heal();
    expect(system.runtime.processLimit).toBeUndefined();
    system.runtime.spawn(() => undefined);
  });

  test('a supervisor starting a child at the cap gets the refusal as the start failure', async ({ system }) => {
    const dyn = await system.startDynamic({ label: 'pool' });
    chaos(system).limitProcesses(system.runtime.processCount);
    await expect(dyn.startChild(idle('w1'))).rejects.toMatchObject({ code: 'START_FAILED', details: { reason: expect.any(SystemLimitError) } });
    expect(system.history.ofKind('child.start_failed')[0]!.data).toMatchObject({ id: 'w1', reason: { error: 'SystemLimitError' } });
  });

  test('undone at teardown; a seeded range draws the same cap for the same seed', async () => {
    const draw = async (seed: number): Promise<number> => {
      const system = createTestSystem({ testId: 'cap range', seed });
      chaos(system).limitProcesses({ min: 50, max: 5000 });
      const cap = system.runtime.processLimit!;
      await system.teardown();
      expect(system.runtime.processLimit).toBeUndefined();
      return cap;
    };
    const first = await draw(7);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(5000);
    expect(await draw(7)).toBe(first);
  });
});

describe("a dynamic supervisor's children cap", () => {
  test('startChild at the cap is refused with max_children, recorded; heal restores the supervisor’s own limit', async ({ system }) => {
    const dyn = await system.startDynamic({ label: 'pool', maxChildren: 10 });
    const c = chaos(system);
    const cap = c.limitChildren(dyn, 2);
    await dyn.startChild(idle('a'));
    await dyn.startChild(idle('b'));
    await expect(dyn.startChild(idle('c'))).rejects.toMatchObject({ code: 'MAX_CHILDREN' });
    expect(system.history.ofKind('supervisor.max_children').map((e) => [e.source, e.data])).toEqual([['pool', { maxChildren: 2, children: 2 }]]);
    cap.heal();
    expect(dyn.maxChildren).toBe(10);
    await dyn.startChild(idle('c'));
    expect(dyn.children()).toHaveLength(3);
  });

  test('refuses what is not a dynamic supervisor', async ({ system }) => {
    expect(() => chaos(system).limitChildren(system.self as never, 1)).toThrow(/limitChildren\(supervisor\): got .*; expected a DynamicSupervisorRef/);
  });
});

describe('file descriptors of an OS child', () => {
  test('its limit is lowered at spawn: past it the program gets EMFILE', async ({ system }) => {
    const options = chaos(system).limitFds({ command: process.execPath, args: ['-e', OPEN_UNTIL_FULL] }, 64);
    const proc = await system.spawn(options.command, options.args);
    const line = await proc.awaitLine(/^EMFILE after \d+$/);
    // Node holds some descriptors itself; the rest of the 64 were opened before the refusal.
    expect(Number(line.split(' ').at(-1))).toBeLessThan(64);
    expect(await proc.awaitExit()).toEqual({ code: 0, signal: null });
    expect(system.history.ofKind(FAULT_KINDS.arm).at(-1)!.data).toMatchObject({ type: 'limit_fds', limit: 64 });
  });

  test('without the limit the same program opens far more', async ({ system }) => {
    // 512 rather than the machine's own limit (which may be a million): lowering is always allowed.
    const proc = await system.spawn('sh', ['-c', `ulimit -n 512 && exec "${process.execPath}" -e "$0"`, OPEN_UNTIL_FULL]);
    const line = await proc.awaitLine(/after \d+$/);
    expect(Number(line.split(' ').at(-1))).toBeGreaterThan(400);
  });
});

describe('memory pressure', () => {
  test('a worker thread past its heap limit dies of it (ERR_WORKER_OUT_OF_MEMORY)', async ({ system }) => {
    const options = chaos(system).limitHeap({ url: GROW_HEAP }, 16);
    expect(options.resourceLimits).toEqual({ maxOldGenerationSizeMb: 16 });
    const pid: Pid = await spawnWorkerThread(system.runtime, options, { label: 'grower' });
    const reason = await system.monitor(pid, { timeout: 60_000 });
    expect(reason).toEqual({ exit_code: 1 });
    expect(system.history.ofKind('thread.exit')[0]!.data.error).toMatch(/ERR_WORKER_OUT_OF_MEMORY|out of memory/i);
    expect(system.history.ofKind(FAULT_KINDS.arm).at(-1)!.data).toMatchObject({ type: 'limit_heap', mb: 16, via: 'resourceLimits' });
  });

  test('a Node OS child gets --max-old-space-size; any other program RLIMIT_AS', async ({ system }) => {
    const c = chaos(system);
    expect(c.limitHeap({ command: process.execPath, args: ['app.js'] }, 64)).toEqual({
      command: process.execPath,
      args: ['--max-old-space-size=64', 'app.js'],
    });
    const other = c.limitHeap({ command: 'python3', args: ['w.py'] }, 64);
    expect(other).toEqual({ command: 'sh', args: ['-c', 'ulimit -v "$0" && exec "$@"', String(64 * 1024), 'python3', 'w.py'] });
    // The wrapper for real: the program it starts sees the lowered RLIMIT_AS.
    const shown = c.limitHeap({ command: 'sh', args: ['-c', 'ulimit -v'] }, 64);
    const proc = await system.spawn(shown.command, shown.args);
    expect(await proc.awaitLine(/^\d+$/)).toBe(String(64 * 1024));
  });
});

describe('option checks', () => {
  test('limits are integers or seeded ranges; options name what is wrong', async () => {
    const runtime = new Runtime({ clock: 'virtual' });
    const c = chaos(runtime);
    expect(() => c.limitFds({ command: '' }, 10)).toThrow(/limitFds\(options\)/);
    expect(() => c.limitFds({ command: 'x' }, 2)).toThrow(/limitFds\(limit\): got 2; expected an integer >= 3/);
    expect(() => c.limitProcesses({ min: 5, max: 1 })).toThrow(/limitProcesses\(limit\)/);
    fc.assert(
      fc.property(fc.anything(), (limit) => {
        const ok =
          (Number.isSafeInteger(limit) && (limit as number) >= 0) ||
          (typeof limit === 'object' &&
            limit !== null &&
            !Array.isArray(limit) &&
            Object.keys(limit).length === 2 &&
            Number.isSafeInteger((limit as { min: number }).min) &&
            Number.isSafeInteger((limit as { max: number }).max) &&
            (limit as { min: number }).min >= 0 &&
            (limit as { max: number }).max >= (limit as { min: number }).min);
        if (ok) c.limitProcesses(limit as number).heal();
        else expect(() => c.limitProcesses(limit as number)).toThrow(QuiesceError);
      }),
      { numRuns: 200 },
    );
    c.dispose();
    await runtime.shutdown();
  });
});
