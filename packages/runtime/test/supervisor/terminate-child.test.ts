import { expect, test } from 'vitest';
import { terminateChild, VirtualClock, type ExitReason, type Pid, type ProcessContext } from '@quiesce/runtime';
import { vrt } from '../support/helpers.js';

/** Run `body` as the code of a process of `rt` (the caller of terminateChild is a supervisor's code). */
async function inProcess<T>(rt: ReturnType<typeof vrt>, body: (ctx: ProcessContext) => T): Promise<T> {
  let result!: T;
  const p = rt.spawn((_message, ctx: ProcessContext) => {
    result = body(ctx);
  });
  rt.send(p, 'go');
  await rt.idle();
  return result;
}

/** terminateChild's outcome as a value: its reason, its rejection, or what it threw. */
function settle(run: () => Promise<ExitReason>): Promise<{ reason: ExitReason } | { rejected: unknown } | { thrown: unknown }> {
  // Caught as values: a throw would fail the process, not reach the test.
  try {
    return run().then(
      (reason) => ({ reason }),
      (rejected: unknown) => ({ rejected }),
    );
  } catch (thrown) {
    return Promise.resolve({ thrown });
  }
}

test('terminateChild rejects, never throws: a pid that is not one', async () => {
  const rt = vrt();
  const outcome = await inProcess(rt, (ctx) => settle(() => terminateChild(rt, ctx, 'not a pid' as unknown as Pid, 1000)));
  expect(await outcome).toEqual({ rejected: expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/watch\(target\)/) }) });
});

test('terminateChild rejects, never throws: a shutdown time that is not one, for a live child', async () => {
  const rt = vrt();
  const child = rt.spawn(() => undefined, { trapExit: true });
  const outcome = await inProcess(rt, (ctx) => settle(() => terminateChild(rt, ctx, child, 'soon' as never)));
  expect(await outcome).toEqual({ rejected: expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/setTimer\(delayMs\)/) }) });
});

test('terminateChild: a child that exits within its shutdown time leaves no shutdown timer behind', async () => {
  const rt = vrt();
  const child = rt.spawn(
    async (message: unknown, ctx: ProcessContext) => {
      if ((message as { type?: string } | undefined)?.type === 'EXIT') {
        await ctx.sleep(100);
        ctx.exit('shutdown');
      }
    },
    { trapExit: true },
  );
  const reason = inProcess(rt, (ctx) => terminateChild(rt, ctx, child, 1000));
  await rt.advance(100);
  expect(await reason).toBe('shutdown');
  const clock = rt.clock;
  if (!(clock instanceof VirtualClock)) throw new Error('vrt() gives a virtual clock');
  expect(clock.pendingTimers()).toBe(0);
  expect(rt.now()).toBe(100);
});

test('terminateChild kills a child that outlives its shutdown time, at that time', async () => {
  const rt = vrt();
  const child = rt.spawn(() => undefined, { trapExit: true });
  const reason = inProcess(rt, (ctx) => terminateChild(rt, ctx, child, 500));
  await rt.advance(1000);
  expect(await reason).toBe('killed');
  expect(rt.history.ofKind('process.exit').find((e) => e.data.pid === child.toString())?.time).toBe(500);
});
