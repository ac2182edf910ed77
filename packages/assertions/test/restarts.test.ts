import { describe, expect } from 'vitest';
import { InvalidOptionError, QuiesceError, startDynamicSupervisor, supervisor, worker } from '@quiesce/runtime';
import { test } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf, flaky } from './support.js';

describe('toRestart', () => {
  test('resolves on the restart event, in the same virtual instant as the crash', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 3, children: [worker('w1', flaky()), worker('w2', flaky())] }));
    const before = pool.child('w1')!;
    system.kill(before, 'boom');
    await expect(pool).toRestart('w1');
    expect(pool.child('w1')).not.toEqual(before);
    expect(system.now()).toBe(0);
  });

  test('since: a restart that landed before the assertion ran counts from the mark', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 3, children: [worker('w1', flaky()), worker('w2', flaky())] }));
    const mark = system.mark();
    system.kill(pool.child('w1')!, 'boom');
    await system.settle(); // the restart happens here, before the assertion
    await expect(pool).toRestart('w1', { since: mark });
    await expect(pool).not.toRestart('w2', { since: mark });
    const message = await failureOf(() => expect(pool).toRestart('w1', { since: mark, times: 2, timeout: 100 }));
    expect(message).toMatch(/Expected: 2 restarts of "w1" by pool after the mark \(history #\d+\)\nReceived: 1 restart/);
    // Without the mark, the restart that already happened is not counted.
    await expect(expect(pool).toRestart('w1', { timeout: 100 })).rejects.toThrow(/Received: 0 restarts/);
  });

  test('drives virtual time to a crash that a timer causes, and counts `times`', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 10, period: 60, children: [worker('w1', flaky(1000))] }));
    await expect(pool).toRestart('w1', { times: 3, timeout: 10_000 });
    expect(system.now()).toBe(3000);
    await expect(pool).toRestart({ times: 2, timeout: 10_000 });
    expect(system.now()).toBe(5000);
  });

  test('fails with a deadlock at once when no restart can ever come, showing the timeline', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('w1', flaky())] }));
    const message = await failureOf(() => expect(pool).toRestart('w1', { timeout: 3_600_000 }));
    expect(message).toMatch(/^expect\(received\)\.toRestart\(childId\)/);
    expect(message).toMatch(
      /Expected: 1 restart of "w1" by pool after the assertion started\nReceived: 0 restarts; the wait can never happen: the system is idle, no timer is pending and nothing outside the runtime is running after 0 ms virtual/,
    );
    expect(message).toMatch(/The supervisor is alive\./);
    expect(message).toMatch(/restarts since the assertion started:\n {2}\(none\)/);
    expect(message).toMatch(/last \d+ events:\n(.*\n)*.*child\.start +pool \{"id":"w1"/);
    expect(system.now()).toBe(0);
  });

  test('fails on its timeout in virtual time, reporting the restarts it saw', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 10, period: 60, children: [worker('w1', flaky(1000))] }));
    await expect(expect(pool).toRestart('w1', { times: 3, timeout: 2500 })).rejects.toThrow(/Received: 2 restarts; the wait timed out after 2500 ms virtual/);
    expect(system.now()).toBe(2500);
  });

  test('.not decides at durable idle without moving the clock', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 10, period: 60, children: [worker('w1', flaky(1000)), worker('w2', flaky())] }));
    await expect(pool).not.toRestart('w1');
    expect(system.now()).toBe(0);

    system.kill(pool.child('w2')!, 'boom');
    await expect(pool).not.toRestart('w1');
    const message = await failureOf(() => {
      system.kill(pool.child('w2')!, 'boom');
      return expect(pool).not.toRestart('w2');
    });
    expect(message).toMatch(/^expect\(received\)\.not\.toRestart\(childId\)/);
    expect(message).toMatch(/Expected: no restart of "w2" by pool \(decided when the system was durably idle\)\nReceived: 1 restart/);
    expect(message).toMatch(/restarts since the assertion started:\n.*child\.restart +pool \{"id":"w2"/);
    expect(system.now()).toBe(0);
  });

  test('a supervisor that gives up fails the wait with its exit reason (the test traps exits)', async ({ system }) => {
    system.trapExits();
    const pool = await system.start(supervisor({ id: 'pool', intensity: 1, period: 60, children: [worker('w1', flaky(100))] }));
    const message = await failureOf(() => expect(pool).toRestart('w1', { times: 2 }));
    expect(message).toMatch(/Received: 1 restart; the wait can never happen/);
    expect(message).toMatch(/The supervisor is not alive \(exit reason "shutdown"\)/);
    expect(message).toMatch(/supervisor\.intensity/);
  });

  test('a child id that is not a child names the known children and what did restart', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 3, children: [worker('mock-1', flaky()), worker('mock-2', flaky(1000))] }));
    const message = await failureOf(() => expect(pool).toRestart('mock-999', { timeout: 1500 }));
    expect(message).toContain('Expected: 1 restart of "mock-999" by pool after the assertion started\n');
    expect(message).toContain('Received: 0 restarts; the wait timed out after 1500 ms virtual');
    expect(message).toMatch(/\n"mock-999" is not a child of pool: its children are "mock-1", "mock-2"\.\n/);
    expect(message).toMatch(/restarts since the assertion started:\n {2}\(none\)/);
    expect(message).toMatch(/restarts of other children since the assertion started:\n.*child\.restart +pool \{"id":"mock-2"/);
    // A known child that did not restart gets no such line.
    const known = await failureOf(() => expect(pool).toRestart('mock-1', { timeout: 500 }));
    expect(known).not.toMatch(/is not a child/);
    expect(known).toMatch(/restarts of other children since the assertion started:\n.*"id":"mock-2"/);
  });

  test('works for dynamic supervisors', async ({ system }) => {
    const dyn = await system.startDynamic({ label: 'dyn', intensity: 5 });
    const child = await dyn.startChild({ id: 'job', start: flaky() });
    system.kill(child!, 'boom');
    await expect(dyn).toRestart('job');
  });

  test('bad options throw InvalidOptionError before anything waits', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('w1', flaky())] }));
    await expect(expect(pool).toRestart('w1', { times: 0 })).rejects.toThrow(/toRestart\.times: got 0; expected an integer >= 1/);
    await expect(expect(pool).toRestart('w1', { timeout: -1 })).rejects.toThrow(/toRestart\.timeout: got -1/);
    await expect(expect(pool).toRestart('w1', { time: 2 } as never)).rejects.toThrow(/toRestart\.time: got 2; no such option, did you mean 'times'\?/);
    await expect(expect(pool).toRestart('')).rejects.toThrow(InvalidOptionError);
    await expect(expect(pool).toRestart(7 as never)).rejects.toThrow(/toRestart\(childId\): got 7/);
    await expect(expect(pool.child('w1')).toRestart()).rejects.toThrow(/expected a SupervisorRef or DynamicSupervisorRef/);
    await expect(expect(system).toRestart()).rejects.toThrow(QuiesceError);
  });
});

describe('toHaveRestarted', () => {
  test('counts restarts of this supervisor incarnation so far, per child or in all', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 10, children: [worker('w1', flaky()), worker('w2', flaky())] }));
    expect(pool).toHaveRestarted(0);
    system.kill(pool.child('w1')!, 'boom');
    await expect(pool).toRestart('w1');
    system.kill(pool.child('w1')!, 'boom');
    await expect(pool).toRestart('w1');
    system.kill(pool.child('w2')!, 'boom');
    await expect(pool).toRestart('w2');
    expect(pool).toHaveRestarted(3);
    expect(pool).toHaveRestarted(2, 'w1');
    expect(pool).toHaveRestarted(1, 'w2');
    expect(pool).not.toHaveRestarted(1, 'w1');

    const message = await failureOf(() => expect(pool).toHaveRestarted(1, 'w1'));
    expect(message).toMatch(/^expect\(received\)\.toHaveRestarted\(times, childId\)/);
    expect(message).toMatch(/Expected: 1 restart\(s\) of "w1" by pool so far\nReceived: 2/);
    expect(message).toMatch(/restarts so far:\n.*child\.restart.*"w1".*\n.*child\.restart.*"w1"/);
    const not = await failureOf(() => expect(pool).not.toHaveRestarted(3));
    expect(not).toMatch(/Expected: not 3 restart\(s\) of any child by pool so far\nReceived: 3/);
  });

  test('a nested supervisor restarted by its parent starts counting afresh', async ({ system }) => {
    const root = await system.start(
      supervisor({ id: 'root', intensity: 10, children: [supervisor({ id: 'sub', intensity: 10, children: [worker('w', flaky())] })] }),
    );
    const sub = root.supervisor('sub')!;
    system.kill(sub.child('w')!, 'boom');
    await expect(sub).toRestart('w');
    expect(sub).toHaveRestarted(1);
    system.kill(sub.pid, 'kill');
    await expect(root).toRestart('sub');
    const fresh = root.supervisor('sub')!;
    expect(fresh).toHaveRestarted(0);
    expect(sub).toHaveRestarted(1);
    expect(root.child('sub')).toHaveRestarted(0);
  });

  test('a runtime without a TestSystem still judges from its history', async () => {
    const { Runtime } = await import('@quiesce/runtime');
    const rt = new Runtime({ clock: 'virtual' });
    const dyn = await startDynamicSupervisor(rt, { label: 'dyn', intensity: 5 });
    const pid = await dyn.startChild({ id: 'job', start: flaky() });
    const restarted = expect(dyn).toRestart('job', { timeout: 100 });
    rt.exit(pid!, 'boom');
    await restarted;
    expect(dyn).toHaveRestarted(1, 'job');
    await rt.shutdown();
  });
});
