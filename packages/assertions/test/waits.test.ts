import { describe, expect } from 'vitest';
import { supervisor, worker } from '@quiesce/runtime';
import { createTestSystem, test, type OwnedResource } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf, flaky, slowStart } from './support.js';

describe('toBeResponsive', () => {
  test('a process that handles its mailbox answers; a stalled one fails at once (deadlock), a dead one says so', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 5, children: [worker('w1', flaky()), worker('w2', flaky())] }));
    await expect(pool).toBeResponsive();
    await expect(pool.child('w1')).toBeResponsive({ timeout: 100 });

    const w2 = pool.child('w2')!;
    system.send(w2, { stall: true });
    const stalled = await failureOf(() => expect(w2).toBeResponsive({ timeout: 3_600_000 }));
    expect(stalled).toMatch(/^expect\(received\)\.toBeResponsive\(\)/);
    expect(stalled).toMatch(/Expected pool\/w2 \(<0\.\d+>\) to answer a sync within 3600000 ms, but the sync can never happen/);
    await expect(w2).not.toBeResponsive({ timeout: 100 });

    const w1 = pool.child('w1')!;
    system.send(w1, 'crash');
    await expect(pool).toRestart('w1');
    const dead = await failureOf(() => expect(w1).toBeResponsive());
    expect(dead).toMatch(/but it is not alive \(exit reason \{"error":"Error","message":"boom"\}\)/);

    const not = await failureOf(() => expect(pool).not.toBeResponsive());
    expect(not).toMatch(/Expected pool \(<0\.\d+>\) not to answer a sync within 5000 ms, but it answered/);
    await expect(expect(pool).toBeResponsive({ timeout: 'soon' } as never)).rejects.toThrow(/toBeResponsive\.timeout: got "soon"/);
  });
});

describe('toReceive', () => {
  test('takes a matching message, driving virtual time to it', async ({ system, inbox }) => {
    const echo = system.runtime.spawn((msg, self) => {
      const m = msg as { reply: typeof inbox.pid; n: number };
      self.send(m.reply, { type: 'echo', n: m.n });
    });
    const later = system.runtime.spawn(() => undefined, { init: (self) => void self.sendAfter(2000, 'tick') });
    system.runtime.setHandler(later, (msg, self) => self.send(inbox.pid, { type: 'late', msg }));
    system.send(echo, { reply: inbox.pid, n: 1 });
    await expect(inbox).toReceive({ type: 'echo', n: 1 });
    expect(inbox.messages).toEqual([]);
    await expect(inbox).toReceive({ type: 'late' }, { timeout: 5000 });
    expect(system.now()).toBe(2000);
  });

  test('fails with the messages it did get; .not decides at durable idle', async ({ system, inbox }) => {
    system.send(inbox.pid, { type: 'ready', port: 4000 });
    await expect(inbox).not.toReceive({ type: 'error' });
    const missing = await failureOf(() => expect(inbox).toReceive({ type: 'error' }, { timeout: 100 }));
    expect(missing).toMatch(/^expect\(received\)\.toReceive\(pattern\)/);
    expect(missing).toMatch(/Expected to receive a message matching \{"type":"error"\}, but the wait can never happen/);
    expect(missing).toMatch(/Messages in the inbox \(1\), none matching:\n {2}\{"type":"ready","port":4000\}/);

    const unwanted = await failureOf(() => expect(inbox).not.toReceive({ type: 'ready' }));
    expect(unwanted).toMatch(/^expect\(received\)\.not\.toReceive\(pattern\)/);
    expect(unwanted).toMatch(
      /Expected no message matching \{"type":"ready"\} \(decided when the system was durably idle\), but received:\n {2}\{"type":"ready","port":4000\}/,
    );
    await expect(inbox).toReceive(expect.objectContaining({ port: expect.any(Number) }));
    await expect(inbox).not.toReceive();
    await expect(expect(system).toReceive('x')).rejects.toThrow(/toReceive\(\): received: .*expected a TestSystem's Inbox/);
  });
});

describe('toConverge', () => {
  test('drives virtual time until the tree is whole again at durable idle', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 5, children: [worker('fast', flaky()), worker('slow', slowStart(300))] }));
    expect(system.now()).toBe(300);
    system.kill(pool.child('slow')!, 'boom');
    system.kill(pool.child('fast')!, 'boom');
    await expect(pool).toConverge({ within: '1s' });
    expect(system.now()).toBe(600);
    expect(pool).toHaveAllChildrenAlive();
  });

  test('fails when the tree cannot heal in time, with the tree in the message; .not passes then', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 5, children: [worker('slow', slowStart(300))] }));
    system.kill(pool.child('slow')!, 'boom');
    const message = await failureOf(() => expect(pool).toConverge({ within: '100ms' }));
    expect(message).toMatch(/^expect\(received\)\.toConverge\(options\)/);
    expect(message).toMatch(
      /Expected pool to converge within 100ms \(supervisor alive, every child running, at durable idle\), but it did not: the wait timed out after 100 ms virtual/,
    );
    expect(message).toMatch(/tree:\n {2}slow +not running/);
    await expect(pool).not.toConverge({ within: 50 });
    await expect(pool).toConverge({ within: 1000 });
    const not = await failureOf(() => expect(pool).not.toConverge());
    expect(not).toMatch(/Expected pool not to converge within 5s, but after 0ms of virtual time it was alive with every child running/);
  });

  test('a supervisor that gave up never converges, and the failure says why', async ({ system }) => {
    system.trapExits();
    const pool = await system.start(supervisor({ id: 'pool', intensity: 0, children: [worker('w', flaky())] }));
    system.kill(pool.child('w')!, 'boom');
    const message = await failureOf(() => expect(pool).toConverge({ within: '1h' }));
    expect(message).toMatch(/but the supervisor is not alive \(exit reason "shutdown"\)/);
    await expect(expect(pool).toConverge({ within: 'soon' as never })).rejects.toThrow(/toConverge\.within: got "soon"; expected a duration/);
  });
});

describe('toHaveNoLeaks', () => {
  test('a dry run before teardown lists what is still running', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', children: [worker('w1', flaky(60_000))] }));
    const message = await failureOf(() => expect(system).toHaveNoLeaks());
    expect(message).toMatch(/Expected nothing to outlive the test now \(a dry run: the system has not been torn down\), but 3 thing\(s\) do:/);
    expect(message).toMatch(/- process pool \(<0\.\d+>\), created at history #\d+ at 0ms/);
    expect(message).toMatch(/- process pool\/w1 \(<0\.\d+>\)/);
    expect(message).toMatch(/- timer 1 runtime timer\(s\) still pending/);
    await expect(system).not.toHaveNoLeaks();
    await system.stop(pool);
    await expect(system).toHaveNoLeaks();
  });

  test("after teardown it reports teardown's own leak check", async () => {
    const system = createTestSystem({ testId: 'leaky' });
    let closed = false;
    const stubborn: OwnedResource = { kind: 'server', label: 'a server that will not close', dispose: () => undefined, alive: () => !closed };
    system.own(stubborn);
    await system.teardown().catch(() => undefined);
    const message = await failureOf(() => expect(system).toHaveNoLeaks());
    expect(message).toMatch(
      /Expected nothing to outlive the test after teardown, but 1 thing\(s\) do:\n {2}- server a server that will not close, created at .*waits\.test\.ts/,
    );
    closed = true;

    const clean = createTestSystem({ testId: 'clean' });
    await clean.start(supervisor({ id: 'pool', children: [worker('w1', flaky())] }));
    await clean.teardown();
    await expect(clean).toHaveNoLeaks();
    const not = await failureOf(() => expect(clean).not.toHaveNoLeaks());
    expect(not).toMatch(/Expected something to outlive the test after teardown, but nothing does\./);
  });
});
