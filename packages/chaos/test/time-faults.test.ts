import { describe, expect } from 'vitest';
import { test, type TestSystem } from '@quiesce/harness';
import { QuiesceError, Runtime, type Pid } from '@quiesce/runtime';
import { chaos, FAULT_KINDS } from '@quiesce/chaos';

/** A process that, told `{ after: [ms…] }`, sets one sendAfter per delay and logs each as it fires with the time it sees. */
function alarms(system: TestSystem): { pid: Pid; fired: Array<{ label: string; at: number }> } {
  const fired: Array<{ label: string; at: number }> = [];
  const pid = system.runtime.spawn((message, ctx) => {
    const m = message as { after?: number[]; alarm?: string };
    if (m.after) for (const ms of m.after) ctx.sendAfter(ms, { alarm: `t${ms}` });
    else fired.push({ label: m.alarm!, at: ctx.now() });
  });
  return { pid, fired };
}

/** A process that ticks every `every` ms of its own time, logging the time it sees at each tick. */
function ticker(system: TestSystem, every: number): { pid: Pid; ticks: number[] } {
  const ticks: number[] = [];
  const pid = system.runtime.spawn(async (_message, ctx) => {
    for (;;) {
      await ctx.sleep(every);
      ticks.push(ctx.now());
    }
  });
  system.runtime.send(pid, 'go');
  return { pid, ticks };
}

describe('clock jump', () => {
  test('the clock is at the new time before anything runs; the timers that came due fire in deadline order, late ones later', async ({ system }) => {
    const a = alarms(system);
    system.send(a.pid, { after: [300, 100, 200] });
    await system.quiescence();
    await chaos(system).clockJump(250);
    expect(system.now()).toBe(250);
    // Both due timers fired at the new time (not at their deadlines), in deadline order.
    expect(a.fired).toEqual([
      { label: 't100', at: 250 },
      { label: 't200', at: 250 },
    ]);
    await system.advance(50);
    expect(a.fired.at(-1)).toEqual({ label: 't300', at: 300 });
    const [jump] = system.history.ofKind(FAULT_KINDS.clockJump);
    expect(jump!.data).toMatchObject({ from: 0, to: 250, ms: 250 });
  });
});

describe('clock skew', () => {
  test("a process's clock running twice as fast: its timers fire in half the time and its now() runs ahead; heal ends it", async ({ system }) => {
    const fast = ticker(system, 100);
    const plain = ticker(system, 100);
    await system.quiescence();
    const fault = chaos(system).skew(fast.pid, { factor: 2 });
    await system.advance(400);
    // Its sleep set before the skew still fires at 100 (seen as 200); every later one takes 50 ms of system time.
    expect(plain.ticks).toEqual([100, 200, 300, 400]);
    expect(fast.ticks).toEqual([200, 300, 400, 500, 600, 700, 800]);
    fault.heal();
    await system.advance(200);
    expect(fast.ticks.slice(-2)).toEqual([450, 550]);
    expect(system.history.ofKind(FAULT_KINDS.clockSkew)[0]!.data).toMatchObject({ factor: 2 });
  });

  test("'*': every process's clock runs slow", async ({ system }) => {
    const slow = ticker(system, 100);
    await system.quiescence();
    chaos(system).skew('*', { factor: 0.5 });
    await system.advance(500);
    // The sleep set before the skew fires at 100 (seen as 50); each later one takes 200.
    expect(slow.ticks).toEqual([50, 150, 250]);
  });
});

describe('time faults need a virtual clock', () => {
  test('on a real clock they are refused with a QuiesceError that says why; nothing is recorded', async () => {
    const rt = new Runtime({ clock: 'real', seed: 3 });
    const c = chaos(rt);
    const pid = rt.spawn(() => undefined);
    await expect(c.clockJump(100)).rejects.toThrow(QuiesceError);
    await expect(c.clockJump(100)).rejects.toThrow(/virtual clock/);
    expect(() => c.skew(pid, { factor: 2 })).toThrow(/virtual clock/);
    expect(rt.history.ofKind(FAULT_KINDS.clockJump)).toEqual([]);
    c.dispose();
    await rt.shutdown();
  });
});
