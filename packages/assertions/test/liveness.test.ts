import { describe, expect } from 'vitest';
import { InvalidOptionError, Runtime, supervisor, worker } from '@quiesce/runtime';
import { createTestSystem, systemOf, test } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf, flaky } from './support.js';

describe('toBeAlive / toHaveExited', () => {
  test('a running supervisor and its children are alive; a killed child has exited with its reason', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 0, children: [worker('w1', flaky())] }));
    const w1 = pool.child('w1')!;
    expect(pool).toBeAlive();
    expect(w1).toBeAlive();
    expect(w1).not.toHaveExited();

    system.trapExits();
    system.kill(w1, 'boom');
    await system.monitor(pool);
    expect(w1).not.toBeAlive();
    expect(w1).toHaveExited();
    expect(w1).toHaveExited('boom');
    expect(w1).toHaveExited(/bo+m/);
    expect(w1).toHaveExited(expect.stringContaining('oo'));
    expect(w1).not.toHaveExited('normal');
    expect(pool).toHaveExited('shutdown');
  });

  test('failure messages say what was expected, what happened, and show the timeline', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 5, children: [worker('w1', flaky())] }));
    const w1 = pool.child('w1')!;

    const alive = await failureOf(() => expect(w1).not.toBeAlive());
    expect(alive).toMatch(/expect\(received\)\.not\.toBeAlive\(\)/);
    expect(alive).toMatch(/Expected pool\/w1 \(<0\.\d+>\) not to be alive, but it is/);
    expect(alive).toMatch(/last \d+ events:\n.*process\.spawn/s);

    system.send(w1, 'crash');
    await expect(pool).toRestart('w1');
    const dead = await failureOf(() => expect(w1).toBeAlive());
    expect(dead).toMatch(/Expected pool\/w1 \(<0\.\d+>\) to be alive, but it exited with \{"error":"Error","message":"boom"\}/);
    expect(dead).toMatch(/events about <0\.\d+>:\n.*process\.spawn.*child\.start.*process\.exit.*child\.exit/s);

    const reason = await failureOf(() => expect(w1).toHaveExited('normal'));
    expect(reason).toMatch(/Expected pool\/w1 .* to have exited with another reason/);
    expect(reason).toMatch(/Expected: "normal"\nExit reason: Object \{\n {2}"error": "Error",\n {2}"message": "boom",\n\}/);
    expect(reason).toMatch(/- Expected:\n"normal"\n\n\+ Received:\n\{\n {2}"error": "Error"/);

    const running = await failureOf(() => expect(pool.child('w1')).toHaveExited('boom'));
    expect(running).toMatch(/to have exited with "boom", but it is alive/);

    const not = await failureOf(() => expect(w1).not.toHaveExited());
    expect(not).toMatch(/not to have exited, but it exited with \{"error":"Error"/);
  });

  test('pids of a runtime no TestSystem owns are named explicitly with { runtime, pid }', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const pid = rt.spawn(() => undefined);
    expect({ runtime: rt, pid }).toBeAlive();
    expect(() => expect(pid).toBeAlive()).toThrow(InvalidOptionError);
    expect(() => expect(pid).toBeAlive()).toThrow(/toBeAlive\(\): received: got "<0\.1>"; expected .*\{ runtime, pid \}/);
    rt.exit(pid, 'gone');
    await rt.idle();
    expect({ runtime: rt, pid }).toHaveExited('gone');
    await rt.shutdown();
  });

  test('a bare pid leads to its own system, even when another system has a pid with the same number', async ({ system }) => {
    const other = createTestSystem({ testId: 'other' });
    const mine = system.runtime.spawn(() => undefined);
    const theirs = other.runtime.spawn(() => undefined);
    expect(String(mine)).toBe(String(theirs));
    expect(systemOf(mine)).toBe(system);
    expect(systemOf(theirs)).toBe(other);
    other.runtime.exit(theirs, 'gone');
    await other.runtime.idle();
    expect(theirs).toHaveExited('gone');
    expect(mine).toBeAlive();
    await other.teardown();
  });

  test('anything else as a subject throws InvalidOptionError naming the matcher', ({ system }) => {
    expect(() => expect(42).toBeAlive()).toThrow(/toBeAlive\(\): received: got 42; expected a SupervisorRef/);
    expect(() => expect({ pid: system.self }).toHaveExited()).toThrow(InvalidOptionError);
    expect({ system, pid: system.self }).toBeAlive();
  });
});
