import { describe, expect, test } from 'vitest';
import { startSupervisor, supervisor, type ChildSpec, type Shutdown, type StartContext } from '@quiesce/runtime';
import { child, ofKind, trace, vrt } from '../support/helpers.js';

/** A child that traps exits and ignores the shutdown signal (until told to exit). */
const stubborn = (ctx: StartContext) =>
  ctx.spawn(
    (m, pctx) => {
      if (m === 'give up') pctx.exit('shutdown');
    },
    { trapExit: true },
  );

/** A child that traps exits and takes `ms` of virtual time to clean up after a shutdown signal. */
const slowToStop = (ms: number) => (ctx: StartContext) =>
  ctx.spawn(
    async (m, pctx) => {
      if (typeof m === 'object' && m !== null && (m as { type?: string }).type === 'EXIT') {
        await pctx.sleep(ms);
        pctx.exit('shutdown');
      }
    },
    { trapExit: true },
  );

async function oneChild(spec: ChildSpec) {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ id: 'sup', children: [spec] }));
  const pid = sup.child(spec.id)!;
  return { rt, sup, pid };
}

describe('brutal_kill', () => {
  test('the child is killed at once, even when it traps exits', async () => {
    const { rt, sup, pid } = await oneChild({ id: 'w', start: stubborn, shutdown: 'brutal_kill' });
    await sup.stop();
    expect(rt.exitReason(pid)).toBe('killed');
    expect(ofKind(rt, 'child.terminate')[0]!.data).toEqual({ id: 'w', pid: String(pid), reason: 'killed' });
    expect(rt.now()).toBe(0);
  });
});

describe('a number of milliseconds', () => {
  test('a child that ignores the shutdown signal is killed after the timeout, in virtual time', async () => {
    const { rt, sup, pid } = await oneChild({ id: 'w', start: stubborn, shutdown: 2000 });
    let stopped = false;
    const stopping = sup.stop().then(() => (stopped = true));
    await rt.advance(1999);
    expect(rt.isAlive(pid)).toBe(true);
    expect(sup.isAlive()).toBe(true);
    expect(stopped).toBe(false);
    await rt.advance(1);
    await stopping;
    expect(rt.exitReason(pid)).toBe('killed');
    const terminate = ofKind(rt, 'child.terminate')[0]!;
    expect(terminate.time).toBe(2000);
    expect(terminate.data).toMatchObject({ reason: 'killed' });
    expect(rt.exitReason(sup.pid)).toBe('shutdown');
  });

  test('a child that stops within the timeout exits with shutdown and the kill timer is cancelled', async () => {
    const { rt, sup, pid } = await oneChild({ id: 'w', start: slowToStop(300), shutdown: 1000 });
    const stopping = sup.stop();
    await rt.advance(300);
    await stopping;
    expect(rt.exitReason(pid)).toBe('shutdown');
    expect(ofKind(rt, 'child.terminate')[0]!.time).toBe(300);
    expect(rt.clock.pendingTimers()).toBe(0);
  });

  test('a child that does not trap exits stops at once with shutdown', async () => {
    const { rt, sup, pid } = await oneChild(child('w', { shutdown: 1000 }));
    await sup.stop();
    expect(rt.exitReason(pid)).toBe('shutdown');
    expect(rt.now()).toBe(0);
    expect(rt.clock.pendingTimers()).toBe(0);
  });

  test('0 ms: the kill follows the shutdown signal without any time passing', async () => {
    const { rt, sup, pid } = await oneChild({ id: 'w', start: stubborn, shutdown: 0 });
    const stopping = sup.stop();
    await rt.advance(0);
    await stopping;
    expect(rt.exitReason(pid)).toBe('killed');
    expect(rt.now()).toBe(0);
  });

  test('the default for a worker is 5000 ms', async () => {
    const { rt, sup, pid } = await oneChild({ id: 'w', start: stubborn });
    const stopping = sup.stop();
    await rt.advance(4999);
    expect(rt.isAlive(pid)).toBe(true);
    await rt.advance(1);
    await stopping;
    expect(rt.exitReason(pid)).toBe('killed');
  });

  test('children are shut down one at a time: timeouts add up right to left', async () => {
    const rt = vrt();
    const sup = await startSupervisor(
      rt,
      supervisor({
        children: [
          { id: 'a', start: stubborn, shutdown: 100 },
          { id: 'b', start: stubborn, shutdown: 200 },
        ],
      }),
    );
    const stopping = sup.stop();
    await rt.advance(1000);
    await stopping;
    expect(ofKind(rt, 'child.terminate').map((e) => [(e.data as { id: string }).id, e.time])).toEqual([
      ['b', 200],
      ['a', 300],
    ]);
  });
});

describe('infinity', () => {
  test('the supervisor waits for as long as the child takes', async () => {
    const { rt, sup, pid } = await oneChild({ id: 'w', start: stubborn, shutdown: 'infinity' });
    let stopped = false;
    const stopping = sup.stop().then(() => (stopped = true));
    await rt.advance(10_000_000);
    expect(rt.isAlive(pid)).toBe(true);
    expect(stopped).toBe(false);
    rt.send(pid, 'give up');
    await stopping;
    expect(rt.exitReason(pid)).toBe('shutdown');
    expect(ofKind(rt, 'child.terminate')[0]!.time).toBe(10_000_000);
  });

  test('the default for a supervisor child is infinity: a nested supervisor is never killed mid-shutdown', async () => {
    const rt = vrt();
    const root = await startSupervisor(
      rt,
      supervisor({ id: 'root', children: [supervisor({ id: 'inner', children: [{ id: 'slow', start: stubborn, shutdown: 20_000 }] })] }),
    );
    const inner = root.supervisor('inner')!;
    const slow = inner.child('slow')!;
    const stopping = root.stop();
    await rt.advance(19_999);
    expect(inner.isAlive()).toBe(true);
    await rt.advance(1);
    await stopping;
    expect(rt.exitReason(slow)).toBe('killed');
    expect(rt.exitReason(inner.pid)).toBe('shutdown');
    expect(trace(rt, ['child.terminate'])).toEqual(['child.terminate slow', 'child.terminate inner']);
  });
});

describe.each<Shutdown>(['brutal_kill', 0, 100, 'infinity'])('shutdown %s', (shutdown) => {
  test('a child that already exited on its own is not waited for', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ children: [child('w', { shutdown, restart: 'transient' })] }));
    rt.send(sup.child('w')!, { crash: 'normal' });
    await rt.idle();
    await sup.stop();
    expect(ofKind(rt, 'child.terminate')).toEqual([]);
    expect(rt.processes()).toEqual([]);
  });
});

test('stop with a custom reason: children get shutdown, the supervisor exits with the reason', async () => {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ children: [child('w')] }));
  const w = sup.child('w')!;
  await sup.stop({ shutdown: 'maintenance' });
  expect(rt.exitReason(w)).toBe('shutdown');
  expect(rt.exitReason(sup.pid)).toEqual({ shutdown: 'maintenance' });
  expect(ofKind(rt, 'supervisor.shutdown')[0]!.data).toEqual({ reason: { shutdown: 'maintenance' } });
  await sup.stop(); // already stopped: resolves at once
});

test('a supervisor killed outright takes its children down through the links', async () => {
  const rt = vrt();
  const sup = await startSupervisor(rt, supervisor({ children: [child('a'), child('b')] }));
  const [a, b] = [sup.child('a')!, sup.child('b')!];
  rt.exit(sup.pid, 'kill');
  await rt.idle();
  expect([rt.exitReason(a), rt.exitReason(b)]).toEqual(['killed', 'killed']);
});
