import { describe, expect, test } from 'vitest';
import { InvalidOptionError, Runtime, type Pid } from '@quiesce/runtime';

describe('interceptors of time (what @quiesce/chaos skews a clock with)', () => {
  test("timer() changes the delay of a process's timers; now() what its ctx.now() reads; removing them restores both", async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const seen: number[] = [];
    const pid: Pid = rt.spawn(async (_m, ctx) => {
      await ctx.sleep(100);
      seen.push(ctx.now());
    });
    const other = rt.spawn(() => undefined);
    const remove = rt.intercept({
      timer: (owner, delay) => (owner?.toString() === pid.toString() ? delay / 4 : delay),
      now: (p, now) => (p.toString() === pid.toString() ? now * 10 : now),
    });
    rt.send(pid, 'go');
    await rt.advance(25);
    expect(seen).toEqual([250]); // fired at 25 (100 / 4), read as 25 * 10
    expect(rt.timeOf(pid)).toBe(250);
    expect(rt.timeOf(other)).toBe(25);
    remove();
    expect(rt.timeOf(pid)).toBe(25);
    rt.send(pid, 'again');
    await rt.advance(99);
    expect(seen).toHaveLength(1);
    await rt.advance(1);
    expect(seen).toEqual([250, 125]);
    await rt.shutdown();
  });

  test('an interceptor must have at least one hook, each a function', () => {
    const rt = new Runtime({ clock: 'virtual' });
    expect(() => rt.intercept({})).toThrow(InvalidOptionError);
    expect(() => rt.intercept({ timer: 5 } as never)).toThrow(/timer\(owner, delayMs\)/);
    expect(() => rt.intercept({ now: (_p, n) => n })()).not.toThrow();
  });
});
