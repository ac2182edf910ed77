import { describe, expect, test } from 'vitest';
import { Pid, QuiesceError, startDynamicSupervisor, type ChildSpec, type DynamicSupervisorOptions, type StartContext } from '@quiesce/runtime';
import { crashable, ofKind, rejection, trace, vrt } from '../support/helpers.js';

const spec = (options: Partial<ChildSpec> = {}): Omit<ChildSpec, 'id'> & { id?: string } => ({ start: crashable(), ...options });

async function code(p: Promise<unknown>): Promise<string> {
  const error = await rejection(p);
  expect(error).toBeInstanceOf(QuiesceError);
  return (error as QuiesceError).code;
}

describe('DynamicSupervisor', () => {
  test('starts with no children and adds them on demand, with generated ids', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt, { name: 'pool' });
    expect(dyn.children()).toEqual([]);
    expect(dyn.maxChildren).toBe(Number.POSITIVE_INFINITY);
    const a = await dyn.startChild(spec());
    const b = await dyn.startChild(spec({ id: 'named' }));
    expect(dyn.children()).toEqual([a, b]);
    expect(dyn.countChildren()).toEqual({ active: 2, specs: 2 });
    expect(trace(rt, ['child.start'])).toEqual(['child.start child1', 'child.start named']);
    expect(rt.whereis('pool')).toBe(dyn.pid);
    expect(dyn.label).toBe('pool');
    expect(rt.label(a!)).toBe('pool/child1');
    expect(ofKind(rt, 'supervisor.start')[0]!.data).toEqual({ strategy: 'one_for_one', dynamic: true, maxChildren: null });
  });

  test('maxChildren: startChild beyond the limit fails with MAX_CHILDREN; an exit frees a slot', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt, { maxChildren: 2 });
    const a = (await dyn.startChild(spec({ restart: 'temporary' })))!;
    await dyn.startChild(spec());
    const before = rt.processes();
    const error = (await rejection(dyn.startChild(spec()))) as QuiesceError;
    expect(error.code).toBe('MAX_CHILDREN');
    expect(error.message).toContain('maxChildren (2)');
    expect(rt.processes()).toEqual(before);
    rt.send(a, { crash: 'normal' });
    await rt.idle();
    expect(dyn.children()).toHaveLength(1);
    expect(await dyn.startChild(spec())).toBeInstanceOf(Pid);
    expect(ofKind(rt, 'supervisor.start')[0]!.data).toMatchObject({ maxChildren: 2 });
  });

  test('maxChildren 0 refuses every child', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt, { maxChildren: 0 });
    expect(await code(dyn.startChild(spec()))).toBe('MAX_CHILDREN');
  });

  test('restart types: permanent restarted, transient only on abnormal exit, temporary never', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt, { intensity: 10 });
    const p = (await dyn.startChild(spec({ id: 'p' })))!;
    const tNormal = (await dyn.startChild(spec({ id: 'tn', restart: 'transient' })))!;
    const tCrash = (await dyn.startChild(spec({ id: 'tc', restart: 'transient' })))!;
    const tmp = (await dyn.startChild(spec({ id: 'tmp', restart: 'temporary' })))!;
    rt.send(p, { crash: 'normal' });
    rt.send(tNormal, { crash: { shutdown: 'x' } });
    rt.send(tCrash, { crash: 'boom' });
    rt.send(tmp, { crash: 'boom' });
    await rt.idle();
    expect(trace(rt, ['child.restart'])).toEqual(['child.restart p', 'child.restart tc']);
    expect(dyn.children()).toHaveLength(2);
    expect(dyn.children()).not.toContain(p);
  });

  test('intensity: one restart too many stops it with shutdown and terminates every child', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt, { intensity: 1, period: 5 });
    const a = (await dyn.startChild(spec({ id: 'a' })))!;
    const b = (await dyn.startChild(spec({ id: 'b' })))!;
    rt.send(a, { crash: 'boom' });
    await rt.idle();
    expect(rt.isAlive(dyn.pid)).toBe(true);
    rt.send(dyn.children()[1]!, { crash: 'boom' });
    await rt.idle();
    expect(rt.exitReason(dyn.pid)).toBe('shutdown');
    expect(rt.exitReason(b)).toBe('shutdown');
    expect(trace(rt, ['supervisor.intensity', 'child.terminate', 'supervisor.shutdown'])).toEqual([
      'supervisor.intensity a',
      'child.terminate b',
      'supervisor.shutdown',
    ]);
    expect(dyn.children()).toEqual([]);
  });

  test('intensity window in virtual time: restarts 6 s apart are allowed with the defaults', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt);
    await dyn.startChild(spec());
    rt.send(dyn.children()[0]!, { crash: 'boom' });
    await rt.idle();
    await rt.advance(6000);
    rt.send(dyn.children()[0]!, { crash: 'boom' });
    await rt.idle();
    expect(rt.isAlive(dyn.pid)).toBe(true);
    await rt.advance(5000);
    rt.send(dyn.children()[0]!, { crash: 'boom' });
    await rt.idle();
    expect(rt.isAlive(dyn.pid)).toBe(false);
  });

  test('start results: ignore gives undefined and no child; an error is START_FAILED', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt);
    expect(await dyn.startChild({ start: () => 'ignore' })).toBeUndefined();
    expect(dyn.children()).toEqual([]);
    const error = (await rejection(dyn.startChild({ id: 'bad', start: () => ({ error: 'nope' }) }))) as QuiesceError;
    expect(error.code).toBe('START_FAILED');
    expect(error.details.reason).toBe('nope');
    const thrown = (await rejection(
      dyn.startChild({
        start: () => {
          throw new Error('exploded');
        },
      }),
    )) as QuiesceError;
    expect(thrown.message).toContain('exploded');
    expect(trace(rt, ['child.start_failed'])).toHaveLength(2);
  });

  test('invalid child specs are refused with INVALID_CHILD_SPEC', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt);
    expect(await code(dyn.startChild({ start: 5 as never }))).toBe('INVALID_CHILD_SPEC');
    expect(await code(dyn.startChild(spec({ restart: 'sometimes' as never })))).toBe('INVALID_CHILD_SPEC');
    expect(await code(dyn.startChild(spec({ restart: 'transient', significant: true })))).toBe('INVALID_CHILD_SPEC');
    expect(await code(dyn.startChild(spec({ shutdown: -1 })))).toBe('INVALID_CHILD_SPEC');
    expect(dyn.children()).toEqual([]);
  });

  test('terminateChild stops one child by pid; an unknown pid is CHILD_NOT_FOUND', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt);
    const a = (await dyn.startChild(spec()))!;
    const b = (await dyn.startChild(spec()))!;
    await dyn.terminateChild(a);
    expect(rt.exitReason(a)).toBe('shutdown');
    expect(dyn.children()).toEqual([b]);
    expect(await code(dyn.terminateChild(a))).toBe('CHILD_NOT_FOUND');
    await rt.idle();
    expect(trace(rt, ['child.restart'])).toEqual([]);
  });

  test('stop shuts every child down together, honouring each shutdown, in virtual time', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt);
    const stubborn = (ctx: StartContext) => ctx.spawn(() => undefined, { trapExit: true });
    const slow = (await dyn.startChild({ start: stubborn, shutdown: 1000 }))!;
    const slower = (await dyn.startChild({ start: stubborn, shutdown: 3000 }))!;
    const quick = (await dyn.startChild(spec()))!;
    const stopping = dyn.stop();
    await rt.advance(3000);
    await stopping;
    expect([rt.exitReason(slow), rt.exitReason(slower), rt.exitReason(quick)]).toEqual(['killed', 'killed', 'shutdown']);
    // Together, not one after the other: the 1000 ms child is killed at 1000, not at 4000.
    expect(
      ofKind(rt, 'child.terminate')
        .map((e) => e.time)
        .sort((x, y) => x - y),
    ).toEqual([0, 1000, 3000]);
    expect(rt.exitReason(dyn.pid)).toBe('shutdown');
    expect(dyn.children()).toEqual([]);
    await dyn.stop(); // already stopped
  });

  test('linked to a parent: the parent receives the exit', async () => {
    const rt = vrt();
    const inbox: unknown[] = [];
    const parent = rt.spawn((m) => void inbox.push(m), { trapExit: true });
    const dyn = await startDynamicSupervisor(rt, { link: parent, intensity: 0, label: 'dyn' });
    expect(dyn.label).toBe('dyn');
    rt.send((await dyn.startChild(spec()))!, { crash: 'boom' });
    await rt.idle();
    expect(inbox).toEqual([{ type: 'EXIT', from: dyn.pid, reason: 'shutdown' }]);
  });

  test('non-EXIT info and EXITs from strangers are ignored', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt);
    const stranger = rt.spawn(() => undefined);
    rt.link(dyn.pid, stranger);
    rt.exit(stranger, 'boom');
    rt.send(dyn.pid, 'hello');
    await rt.idle();
    expect(rt.isAlive(dyn.pid)).toBe(true);
  });

  test('a restart whose start returns ignore drops the child', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt, { intensity: 5 });
    let starts = 0;
    const start = crashable();
    const pid = (await dyn.startChild({ start: (ctx) => (starts++ === 0 ? start(ctx) : 'ignore') }))!;
    rt.send(pid, { crash: 'boom' });
    await rt.idle();
    expect(dyn.children()).toEqual([]);
    expect(rt.isAlive(dyn.pid)).toBe(true);
  });

  // KNOWN GAP (reported): OTP's simple_one_for_one / Elixir's DynamicSupervisor retry a failed
  // restart (try_again), each attempt counted against the intensity, as OTP does (docs/runtime.md, "Supervisors")
  // ("failed restart attempts count too"). The runtime records child.start_failed and drops the
  // child instead, so the supervisor neither retries nor reaches its intensity.
  test('a failing restart is retried and each attempt counts toward intensity', async () => {
    const rt = vrt();
    const dyn = await startDynamicSupervisor(rt, { intensity: 2 });
    let starts = 0;
    const start = crashable();
    const pid = (await dyn.startChild({ start: (ctx) => (starts++ === 0 ? start(ctx) : { error: 'refused' }) }))!;
    rt.send(pid, { crash: 'boom' });
    await rt.idle();
    expect(ofKind(rt, 'child.start_failed')).toHaveLength(2);
    expect(rt.exitReason(dyn.pid)).toBe('shutdown');
  });
});

describe('DynamicSupervisor options', () => {
  const bad: Array<[string, unknown, string, string]> = [
    ['options null', null, 'INVALID_OPTION', 'dynamic supervisor options'],
    ['maxChildren -1', { maxChildren: -1 }, 'INVALID_OPTION', 'dynamicSupervisor.maxChildren'],
    ['maxChildren 1.5', { maxChildren: 1.5 }, 'INVALID_OPTION', 'dynamicSupervisor.maxChildren'],
    ['maxChildren string', { maxChildren: '3' }, 'INVALID_OPTION', 'dynamicSupervisor.maxChildren'],
    ['intensity -1', { intensity: -1 }, 'INVALID_CHILD_SPEC', 'dynamicSupervisor.intensity'],
    ['period 0', { period: 0 }, 'INVALID_CHILD_SPEC', 'dynamicSupervisor.period'],
    ['name empty', { name: '' }, 'INVALID_OPTION', 'name'],
  ];
  test.each(bad)('%s is rejected naming the option, and nothing starts', async (_l, options, expectedCode, option) => {
    const rt = vrt();
    const error = (await rejection(startDynamicSupervisor(rt, options as DynamicSupervisorOptions))) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe(expectedCode);
    expect(error.message.startsWith(`${option}: got `)).toBe(true);
    await rt.idle();
    expect(rt.processes()).toEqual([]);
    expect(rt.history.ofKind('process.spawn')).toEqual([]);
  });
});
