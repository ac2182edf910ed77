import { describe, expect } from 'vitest';
import { supervisor, worker } from '@quiesce/runtime';
import { test } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf, flaky, slowStart } from './support.js';

describe('toHaveChildren / toHaveChildCount', () => {
  test('lists the running children in order, with a diff when they differ', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('a', flaky()), worker('b', flaky()), worker('c', flaky())] }));
    expect(pool).toHaveChildren(['a', 'b', 'c']);
    expect(pool).not.toHaveChildren(['c', 'b', 'a']);
    expect(pool).toHaveChildCount(3);

    await pool.terminateChild('b');
    expect(pool).toHaveChildren(['a', 'c']);
    expect(pool).toHaveChildCount(2);

    const message = await failureOf(() => expect(pool).toHaveChildren(['a', 'b', 'c']));
    expect(message).toMatch(/^expect\(received\)\.toHaveChildren\(ids\)/);
    expect(message).toMatch(/Running children of pool \(<0\.\d+>\), in order:/);
    expect(message).toMatch(/- Expected\n\+ Received\n\n {2}\[\n {4}"a",\n- {3}"b",\n {4}"c",\n {2}\]/);
    expect(message).toMatch(/children:\n {2}a +running <0\.\d+>\n {2}b +not running\n {2}c +running/);
    expect(message).toMatch(/child\.terminate +pool \{"id":"b"/);

    const count = await failureOf(() => expect(pool).toHaveChildCount(3));
    expect(count).toMatch(/Expected: 3\nReceived: 2/);
    const not = await failureOf(() => expect(pool).not.toHaveChildCount(2));
    expect(not).toMatch(/Expected not: 2\nReceived: 2/);
  });

  test('a dynamic supervisor names its children from the history', async ({ system }) => {
    const dyn = await system.startDynamic({ label: 'dyn', intensity: 5 });
    await dyn.startChild({ id: 'job1', start: flaky() });
    const job2 = await dyn.startChild({ id: 'job2', start: flaky() });
    expect(dyn).toHaveChildren(['job1', 'job2']);
    system.kill(job2!, 'boom');
    await expect(dyn).toRestart('job2');
    expect(dyn).toHaveChildren(['job1', 'job2']);
    await dyn.terminateChild(dyn.children()[0]!);
    expect(dyn).toHaveChildren(['job2']);
    expect(dyn).toHaveChildCount(1);
  });
});

describe('toHaveAllChildrenAlive', () => {
  test('walks the whole tree and names what is down', async ({ system }) => {
    const root = await system.start(
      supervisor({
        id: 'root',
        intensity: 10,
        children: [worker('a', flaky()), supervisor({ id: 'sub', intensity: 10, children: [worker('w', flaky()), worker('slow', slowStart(500))] })],
      }),
    );
    expect(root).toHaveAllChildrenAlive();
    const sub = root.supervisor('sub')!;
    system.kill(sub.child('slow')!, 'boom');
    // The restart takes 500 ms of virtual time; at idle, before it, the child is down.
    await system.runtime.idle();
    const message = await failureOf(() => expect(root).toHaveAllChildrenAlive());
    expect(message).toMatch(/Expected every child of root \(<0\.\d+>\) to be running, but sub\/slow is not running\./);
    expect(message).toMatch(/tree:\n {2}a +running <0\.\d+>\n {2}sub +running <0\.\d+>\n {2}sub\/w +running <0\.\d+>\n {2}sub\/slow +not running/);
    expect(root).not.toHaveAllChildrenAlive();
    await expect(sub).toRestart('slow');
    expect(root).toHaveAllChildrenAlive();
    const not = await failureOf(() => expect(root).not.toHaveAllChildrenAlive());
    expect(not).toMatch(/Expected some child of root .* not to be running, but all 4 are\./);
  });

  test('a supervisor that is gone fails, saying so', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('a', flaky())] }));
    await system.stop(pool);
    const message = await failureOf(() => expect(pool).toHaveAllChildrenAlive());
    expect(message).toMatch(/Expected pool \(<0\.\d+>, not alive: exited with "shutdown"\) and all its children to be alive, but the supervisor is not\./);
  });
});

describe('toHaveTerminatedInOrder', () => {
  test('children stop right to left at shutdown', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('a', flaky()), worker('b', flaky()), worker('c', flaky())] }));
    await system.stop(pool);
    expect(pool).toHaveTerminatedInOrder(['c', 'b', 'a']);
    expect(pool).toHaveTerminatedInOrder(['c', 'a']);
    expect(pool).not.toHaveTerminatedInOrder(['a', 'b', 'c']);
    const message = await failureOf(() => expect(pool).toHaveTerminatedInOrder(['a', 'b', 'c']));
    expect(message).toMatch(/Order of the last terminations by pool:/);
    expect(message).toMatch(/Expected: \["a","b","c"\]\nReceived: \["c","b","a"\]/);
    expect(message).toMatch(/terminations:\n.*child\.terminate +pool \{"id":"c".*\n.*"id":"b".*\n.*"id":"a"/);
  });

  test('names the children that were never terminated', async ({ system }) => {
    const pool = await system.start(
      supervisor({ id: 'pool', strategy: 'rest_for_one', intensity: 5, children: [worker('a', flaky()), worker('b', flaky()), worker('c', flaky())] }),
    );
    system.kill(pool.child('b')!, 'boom');
    await expect(pool).toRestart('c');
    // rest_for_one: the crashed child is already gone; only the ones to its right are terminated.
    expect(pool).toHaveTerminatedInOrder(['c']);
    const message = await failureOf(() => expect(pool).toHaveTerminatedInOrder(['c', 'b', 'a']));
    expect(message).toMatch(/Never terminated: "b", "a"/);
    expect(() => expect(pool).toHaveTerminatedInOrder(['a', 'a'])).toThrow(
      /toHaveTerminatedInOrder\(ids\): got an array of 2; expected an array of distinct child ids/,
    );
  });
});
