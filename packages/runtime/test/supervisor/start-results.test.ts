import { describe, expect, test } from 'vitest';
import { Pid, QuiesceError, startSupervisor, supervisor, worker, serverChild, type StartContext } from '@quiesce/runtime';
import { startSupervisorOutcome } from '@quiesce/runtime/internal';
import { child, crashable, ofKind, rejection, trace, vrt } from '../support/helpers.js';

describe('ok', () => {
  test('the child is linked to the supervisor: its crash reaches the supervisor', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ children: [child('w')] }));
    const w = sup.child('w')!;
    expect(ofKind(rt, 'process.spawn')[1]!.data).toEqual({ pid: String(w), parent: String(sup.pid) });
    rt.send(w, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, ['child.exit', 'child.restart'])).toEqual(['child.exit w', 'child.restart w']);
  });

  test('an async start function, and a pid spawned without the start context, are linked too', async () => {
    const rt = vrt();
    const sup = await startSupervisor(
      rt,
      supervisor({
        children: [
          worker('async', async (ctx) => {
            await Promise.resolve();
            return crashable()(ctx);
          }),
          worker('raw', (ctx) => ctx.runtime.spawn(() => undefined)), // not linked by the context
          serverChild('srv', { init: (n: number) => ({ state: n }), handleCall: (_r, _f, s: number) => ({ reply: s, state: s }) }, 7),
        ],
      }),
    );
    expect(await rt.call(sup.child('srv')!, 'get')).toBe(7);
    expect(rt.label(sup.child('srv')!)).toBe('supervisor/srv');
    rt.exit(sup.child('raw')!, 'boom');
    await rt.idle();
    expect(trace(rt, ['child.exit'])).toEqual(['child.exit raw']);
  });

  test('start functions returning pids and promises mix: one at a time, left to right, at start and on a one_for_all restart', async () => {
    const rt = vrt();
    const begun: string[] = [];
    const plain = (id: string) =>
      worker(id, (ctx) => {
        begun.push(id);
        return crashable()(ctx);
      });
    const later = (id: string) =>
      worker(id, async (ctx) => {
        begun.push(id);
        await Promise.resolve();
        begun.push(`${id} done`);
        return crashable()(ctx);
      });
    const sup = await startSupervisor(rt, supervisor({ strategy: 'one_for_all', intensity: 5, children: [plain('a'), later('b'), plain('c'), later('d')] }));
    const order = ['a', 'b', 'b done', 'c', 'd', 'd done'];
    expect(begun).toEqual(order);
    expect(trace(rt, ['child.start'])).toEqual(['child.start a', 'child.start b', 'child.start c', 'child.start d']);
    begun.length = 0;
    rt.send(sup.child('c')!, { crash: 'boom' });
    await rt.idle();
    expect(begun).toEqual(order);
    expect(trace(rt, ['child.restart'])).toEqual(['child.restart a', 'child.restart b', 'child.restart c', 'child.restart d']);
    expect(sup.whichChildren().map((c) => c.pid instanceof Pid && rt.isAlive(c.pid))).toEqual([true, true, true, true]);
  });
});

describe('ignore', () => {
  test('the spec is kept with no process; nothing is restarted for it', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ children: [child('a'), { id: 'ig', start: () => 'ignore' }, child('c')] }));
    expect(trace(rt, ['child.start', 'child.ignore'])).toEqual(['child.start a', 'child.ignore ig', 'child.start c']);
    expect(sup.whichChildren()).toEqual([
      { id: 'a', pid: sup.child('a'), type: 'worker', restart: 'permanent' },
      { id: 'ig', pid: undefined, type: 'worker', restart: 'permanent' },
      { id: 'c', pid: sup.child('c'), type: 'worker', restart: 'permanent' },
    ]);
    expect(sup.countChildren()).toEqual({ specs: 3, active: 2, supervisors: 0, workers: 3 });
  });

  test('a temporary child that returns ignore is dropped', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ children: [{ id: 'ig', start: () => 'ignore', restart: 'temporary' }] }));
    expect(sup.whichChildren()).toEqual([]);
  });

  test('ignore on a one_for_one restart leaves the spec without a process', async () => {
    const rt = vrt();
    let starts = 0;
    const start = crashable();
    const sup = await startSupervisor(rt, supervisor({ children: [{ id: 'w', start: (ctx) => (starts++ === 0 ? start(ctx) : 'ignore') }] }));
    rt.send(sup.child('w')!, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, ['child.exit', 'child.ignore', 'child.restart'])).toEqual(['child.exit w', 'child.ignore w']);
    expect(sup.whichChildren()[0]!.pid).toBeUndefined();
    expect(sup.isAlive()).toBe(true);
  });
});

describe('error during the supervisor start', () => {
  test('children already started are terminated right to left, later ones never start, and the start fails', async () => {
    const rt = vrt();
    const calls: string[] = [];
    const tracked = (id: string, start: (ctx: StartContext) => ReturnType<ReturnType<typeof crashable>> | { error: unknown }) => ({
      id,
      start: (ctx: StartContext) => {
        calls.push(id);
        return start(ctx);
      },
    });
    const spec = supervisor({
      id: 'root',
      children: [tracked('a', crashable()), tracked('b', crashable()), tracked('bad', () => ({ error: 'no database' })), tracked('d', crashable())],
    });
    const error = (await rejection(startSupervisor(rt, spec))) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe('START_FAILED');
    expect(error.message).toContain('root');
    expect(error.message).toContain('failed_to_start_child');
    expect(error.details.reason).toEqual({ shutdown: { failed_to_start_child: 'bad', reason: 'no database' } });
    expect(calls).toEqual(['a', 'b', 'bad']);
    expect(trace(rt, ['child.start', 'child.start_failed', 'child.terminate'])).toEqual([
      'child.start a',
      'child.start b',
      'child.start_failed bad',
      'child.terminate b',
      'child.terminate a',
    ]);
    await rt.idle();
    expect(rt.processes()).toEqual([]);
    expect(ofKind(rt, 'process.exit').at(-1)!.data).toMatchObject({ reason: { shutdown: { failed_to_start_child: 'bad' } } });
  });

  test('a start function that throws, or returns something else, is an error too', async () => {
    const rt = vrt();
    const thrown = await startSupervisorOutcome(
      rt,
      supervisor({
        children: [
          {
            id: 't',
            start: () => {
              throw new Error('exploded');
            },
          },
        ],
      }),
    );
    expect(thrown).toEqual({ error: { shutdown: { failed_to_start_child: 't', reason: { error: 'Error', message: 'exploded' } } } });
    const odd = (await startSupervisorOutcome(rt, supervisor({ children: [{ id: 'odd', start: () => 42 as never }] }))) as {
      error: { shutdown: { reason: unknown } };
    };
    expect(odd.error.shutdown.reason).toMatchObject({
      error: 'QuiesceError',
      message: expect.stringContaining("returned 42; expected a Pid, 'ignore' or { error }"),
    });
    const rejected = await startSupervisorOutcome(rt, supervisor({ children: [{ id: 'r', start: async () => Promise.reject('nope') }] }));
    expect(rejected).toEqual({ error: { shutdown: { failed_to_start_child: 'r', reason: 'nope' } } });
    await rt.idle();
    expect(rt.processes()).toEqual([]);
  });

  test('a server child whose init fails makes the start fail with its reason', async () => {
    const rt = vrt();
    const outcome = await startSupervisorOutcome(rt, supervisor({ children: [serverChild('s', { init: () => ({ stop: 'bad_config' }) }, undefined)] }));
    expect(outcome).toEqual({ error: { shutdown: { failed_to_start_child: 's', reason: 'bad_config' } } });
    const ignored = await startSupervisor(rt, supervisor({ children: [serverChild('i', { init: () => ({ ignore: true as const }) }, undefined)] }));
    expect(ignored.whichChildren()[0]!.pid).toBeUndefined();
  });

  test('a nested supervisor whose child fails makes the whole start fail with the nested reason', async () => {
    const rt = vrt();
    const outcome = await startSupervisorOutcome(
      rt,
      supervisor({ id: 'root', children: [child('a'), supervisor({ id: 'inner', children: [child('x'), { id: 'bad', start: () => ({ error: 'e' }) }] })] }),
    );
    expect(outcome).toEqual({
      error: { shutdown: { failed_to_start_child: 'inner', reason: { shutdown: { failed_to_start_child: 'bad', reason: 'e' } } } },
    });
    await rt.idle();
    expect(rt.processes()).toEqual([]);
  });

  test('a supervisor name that is taken fails before any child starts', async () => {
    const rt = vrt();
    rt.spawn(() => undefined, { name: 'pool' });
    let started = false;
    const error = (await rejection(
      startSupervisor(
        rt,
        supervisor({
          children: [
            {
              id: 'w',
              start: (ctx) => {
                started = true;
                return crashable()(ctx);
              },
            },
          ],
        }),
        { name: 'pool' },
      ),
    )) as QuiesceError;
    expect(error.code).toBe('NAME_TAKEN');
    expect(started).toBe(false);
    expect(rt.processes()).toHaveLength(1);
  });
});

test('name, label and link options', async () => {
  const rt = vrt();
  const parent = rt.spawn(() => undefined, { trapExit: true });
  const sup = await startSupervisor(rt, supervisor({ id: 'spec-id', children: [child('w')] }), { name: 'pool', link: parent });
  expect(rt.whereis('pool')).toBe(sup.pid);
  expect(sup.label).toBe('pool');
  expect(ofKind(rt, 'child.start')[0]!.source).toBe('pool');
  expect(rt.label(sup.child('w')!)).toBe('pool/w');
  const labelled = await startSupervisor(rt, supervisor({ id: 'spec-id', children: [] }), { label: 'custom' });
  expect(labelled.label).toBe('custom');
  const byId = await startSupervisor(rt, supervisor({ id: 'spec-id', children: [] }));
  expect(byId.label).toBe('spec-id');
  // Linked to the parent: the parent's exit stops the supervisor through terminate.
  rt.exit(parent, 'kill');
  await rt.idle();
  expect(rt.exitReason(sup.pid)).toBe('killed');
  expect(trace(rt, ['child.terminate', 'supervisor.shutdown'])).toEqual(['child.terminate w', 'supervisor.shutdown']);
});

test('a start function can wait for an external operation; the system is not idle meanwhile', async () => {
  const rt = vrt();
  let finish!: () => void;
  const external = new Promise<void>((r) => (finish = r));
  let entered!: () => void;
  const inStart = new Promise<void>((r) => (entered = r));
  const starting = startSupervisor(
    rt,
    supervisor({
      children: [
        worker('os', async (ctx) => {
          entered();
          await ctx.external(external);
          return crashable()(ctx);
        }),
      ],
    }),
  );
  await inStart;
  expect(rt.isQuiet()).toBe(false);
  finish();
  const sup = await starting;
  expect(sup.child('os')).toBeDefined();
  await rt.idle();
  expect(rt.isQuiet()).toBe(true);
});

test('a nested supervisor child with brutal_kill shutdown is killed, its children follow through links', async () => {
  const rt = vrt();
  const root = await startSupervisor(
    rt,
    supervisor({ id: 'root', children: [supervisor({ id: 'inner', shutdown: 'brutal_kill', restart: 'transient', children: [child('w')] })] }),
  );
  const inner = root.supervisor('inner')!;
  const w = inner.child('w')!;
  expect(root.whichChildren()[0]).toMatchObject({ id: 'inner', type: 'supervisor', restart: 'transient' });
  await root.stop();
  expect(rt.exitReason(inner.pid)).toBe('killed');
  expect(rt.exitReason(w)).toBe('killed');
});

test('casts and stray retries sent to a supervisor are ignored', async () => {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ children: [child('a')] }));
  const a = sup.child('a');
  rt.cast(sup.pid, 'hello');
  rt.cast(sup.pid, { $retry: 'a' }); // 'a' is running, not waiting for a retry
  rt.cast(sup.pid, { $retry: 'nope' });
  await rt.idle();
  expect(sup.isAlive()).toBe(true);
  expect(sup.child('a')).toBe(a);
  expect(trace(rt, ['child.restart', 'child.terminate'])).toEqual([]);
});
