import { describe, expect, test } from 'vitest';
import { Runtime, startServer, type VirtualClock, type Pid, type ServerBehaviour } from '@quiesce/runtime';
import { vrt } from '../support/helpers.js';

/** A promise the test settles itself: work the runtime knows nothing about. */
function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves when `pid` has exited and its exit has been processed. */
function exited(rt: Runtime, pid: Pid): Promise<unknown> {
  return new Promise((resolve) => rt.watch(pid, resolve));
}

/** A process whose handler is busy on something outside the runtime until `work` settles; resolves once it is. */
async function busyOn(rt: Runtime, work: Promise<void>): Promise<Pid> {
  const started = deferred();
  const pid = rt.spawn(async () => {
    started.resolve();
    await work;
  });
  rt.send(pid, 'go');
  await started.promise;
  return pid;
}

describe('idleness accounting', () => {
  test('a handler that leaves a kernel wait pending (Promise.race) does not make later busy handlers look idle', async () => {
    const rt = vrt();
    const silent = rt.spawn(() => undefined); // takes calls and never answers
    const done = deferred();
    const racer = rt.spawn(async (_msg, ctx) => {
      await Promise.race([ctx.call(silent, 'never answered', 'infinity'), ctx.sleep(10)]);
      done.resolve();
    });
    rt.send(racer, 'go');
    await rt.idle();
    (rt.clock as VirtualClock).fireNext(); // the sleep wins the race
    await done.promise;
    // Nothing is running: one call waits for an answer that never comes.
    expect(rt.isQuiet()).toBe(true);

    const work = deferred();
    await busyOn(rt, work.promise);
    // A handler is awaiting work outside the runtime: the system is not quiet.
    expect(rt.isQuiet()).toBe(false);
    work.resolve();
    await rt.idle();
    expect(rt.isQuiet()).toBe(true);
  });

  test('a kernel wait started outside a running handler does not unbalance the count', async () => {
    const rt = vrt();
    const silent = rt.spawn(() => undefined);
    // A synchronous handler that fires a call and does not wait for it.
    const handled = deferred();
    const detached = rt.spawn((_msg, ctx) => {
      void ctx.call(silent, 'fire and forget', 'infinity').catch(() => undefined);
      handled.resolve();
    });
    rt.send(detached, 'go');
    await handled.promise;
    // Nothing is running: one call waits for an answer that never comes.
    expect(rt.isQuiet()).toBe(true);

    const work = deferred();
    await busyOn(rt, work.promise);
    expect(rt.isQuiet()).toBe(false);
    work.resolve();
    await rt.idle();
  });

  test('a process killed while its handler awaits something that never settles no longer holds the system busy', async () => {
    const rt = vrt();
    const stuck = await busyOn(rt, new Promise<void>(() => undefined));
    expect(rt.isQuiet()).toBe(false);
    const gone = exited(rt, stuck);
    rt.exit(stuck, 'kill');
    await gone;
    expect(rt.isQuiet()).toBe(true);
    // ...so shutdown (teardown) finishes instead of hanging.
    await rt.shutdown();
    expect(rt.stopped).toBe(true);
  });

  test('a process killed while blocked in ctx.sleep or ctx.call leaves the count balanced', async () => {
    const rt = vrt();
    const silent = rt.spawn(() => undefined);
    const sleeper = rt.spawn(async (_msg, ctx) => void (await ctx.sleep(1000)));
    const caller = rt.spawn(async (_msg, ctx) => void (await ctx.call(silent, 'x', 'infinity')));
    rt.send(sleeper, 'go');
    rt.send(caller, 'go');
    await rt.idle();
    rt.exit(sleeper, 'kill');
    rt.exit(caller, 'kill');
    await rt.idle();

    const work = deferred();
    await busyOn(rt, work.promise);
    expect(rt.isQuiet()).toBe(false);
    work.resolve();
    await rt.idle();
    expect(rt.isQuiet()).toBe(true);
  });

  test('a handler that awaits a call and then crashes leaves the count balanced', async () => {
    const rt = vrt();
    const echo = await startServer(
      rt,
      { init: () => ({ state: null }), handleCall: (req: unknown, _from, state) => ({ reply: req, state }) } satisfies ServerBehaviour<null>,
      undefined,
    );
    const crasher = rt.spawn(async (_msg, ctx) => {
      await ctx.call(echo, 'ping');
      throw new Error('boom after the reply');
    });
    const gone = exited(rt, crasher);
    rt.send(crasher, 'go');
    expect(await gone).toMatchObject({ message: 'boom after the reply' });
    await rt.idle();

    const work = deferred();
    await busyOn(rt, work.promise);
    expect(rt.isQuiet()).toBe(false);
    work.resolve();
    await rt.idle();
  });

  test('a server whose init awaits a call to another server starts, and the system then goes idle', async () => {
    const rt = vrt();
    const config = await startServer(
      rt,
      { init: () => ({ state: 42 }), handleCall: (_req: unknown, _from, state) => ({ reply: state, state }) } satisfies ServerBehaviour<number>,
      undefined,
    );
    const client = await startServer(
      rt,
      {
        init: async (_args: void, ctx) => ({ state: await ctx.call<number>(config, 'get') }),
        handleCall: (_req: unknown, _from, state) => ({ reply: state, state }),
      } satisfies ServerBehaviour<number>,
      undefined,
    );
    await rt.idle();
    expect(rt.isQuiet()).toBe(true);
    expect(await rt.getState(client)).toBe(42);
  });
});

describe('busy(): what keeps a runtime from being quiet', () => {
  test('names handlers running, deliveries pending, operations in flight and live actors; all clear when quiet', async () => {
    const rt = vrt();
    expect(rt.busy()).toEqual({ handlersRunning: 0, deliveriesPending: false, operationsInFlight: 0, liveActors: [] });
    const work = deferred();
    await busyOn(rt, work.promise);
    const outside = deferred();
    const tracked = rt.external(outside.promise);
    const release = rt.holdExternal('os:worker.py');
    const idle = rt.spawn(() => undefined);
    rt.send(idle, 'queued');
    expect(rt.busy()).toEqual({ handlersRunning: 1, deliveriesPending: true, operationsInFlight: 1, liveActors: ['os:worker.py'] });
    work.resolve();
    outside.resolve();
    await tracked;
    release();
    await rt.idle();
    expect(rt.busy()).toEqual({ handlersRunning: 0, deliveriesPending: false, operationsInFlight: 0, liveActors: [] });
  });
});

describe('step(): activity while it waits for the inside to be idle', () => {
  // The caller stepped because of what it saw (an operation in flight). That operation ended while
  // the step waited for durable idleness, across a macrotask turn: the step must end on it, not
  // wait for another activity a silent system never has (a settle() that timed out in CI).
  test.each(['virtual', 'real'] as const)('an operation that ends meanwhile ends the step (%s clock)', async (clock) => {
    const rt = clock === 'virtual' ? vrt() : new Runtime();
    const release = rt.holdExternal('fake worker');
    const operation = deferred();
    const tracked = rt.external(operation.promise);
    // Queued before the step's own macrotask turn (the one that confirms idleness): the operation
    // ends after the step began and before it looks for activity.
    setImmediate(() => operation.resolve());
    const stepped = rt.step();
    expect(await stepped).toBe('flowed');
    await tracked;
    expect(rt.busy()).toEqual({ handlersRunning: 0, deliveriesPending: false, operationsInFlight: 0, liveActors: ['fake worker'] });
    release();
    await rt.shutdown();
  });
});
