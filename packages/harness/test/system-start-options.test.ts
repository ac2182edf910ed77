import { describe, expect } from 'vitest';
import { InvalidOptionError, supervisor, worker, type ChildSpec } from '@quiesce/runtime';
import { test, type TestSystem } from '@quiesce/harness';

/** A child whose start takes `ms` of kernel time (a program slow to get ready), then spawns an idle process. */
const slowChild = (system: TestSystem, id: string, ms: number): ChildSpec =>
  worker(id, async (ctx) => {
    await new Promise<void>((resolve) => system.runtime.setTimer(ms, resolve));
    return ctx.spawn(() => undefined);
  });

// A tree whose children each take seconds to get ready (OS workers loading an interpreter) needs
// a start wait longer than the default 5000 ms; `start` takes the same wait options as every wait.
describe('system.start(spec, options)', () => {
  test('a start slower than the default wait fails with a WaitError; a timeout given to start lets it finish', async ({ system }) => {
    await expect(system.start(supervisor({ id: 'slow', children: [slowChild(system, 'a', 3000), slowChild(system, 'b', 3000)] }))).rejects.toMatchObject({
      name: 'WaitError',
      failure: 'timeout',
    });
    const began = system.now();
    const tree = await system.start(supervisor({ id: 'patient', children: [slowChild(system, 'a', 3000), slowChild(system, 'b', 3000)] }), { timeout: 10_000 });
    expect(tree.countChildren().active).toBe(2);
    expect(system.now() - began).toBe(6000); // children start one at a time: 3 s each, virtual
  });

  test('a single child spec takes the options too', async ({ system }) => {
    const pid = await system.start(slowChild(system, 'one', 7000), { timeout: 8000 });
    expect(system.runtime.isAlive(pid)).toBe(true);
  });

  test('bad wait options are refused before anything starts', async ({ system }) => {
    let starts = 0;
    const spec = supervisor({
      id: 'never',
      children: [
        worker('w', (ctx) => {
          starts++;
          return ctx.spawn(() => undefined);
        }),
      ],
    });
    await expect(system.start(spec, { timout: 1 } as never)).rejects.toThrow(/^start options\.timout: got 1; no such option, did you mean 'timeout'\?/);
    await expect(system.start(spec, { timeout: -1 })).rejects.toBeInstanceOf(InvalidOptionError);
    expect(starts).toBe(0);
    expect(system.runtime.processes()).toEqual([system.self]);
  });
});
