import { supervisor, worker } from '@quiesce/runtime';
import { expect, onTestFinished } from 'vitest';
import { createTestSystem, systemOf, test } from '@quiesce/harness';

// How matchers find the system of what they are given (systemOf): a runtime or a ref always, a
// bare pid while its system is live. Nothing in the lookup is weak (see registry.ts).

test('a runtime, a ref and a pid lead to their own system; two systems never mix', async () => {
  const a = createTestSystem({ testId: 'registry a' });
  const b = createTestSystem({ testId: 'registry b' });
  const ref = await a.start(supervisor({ id: 'sup', children: [worker('w', (ctx) => ctx.spawn(() => undefined))] }));
  const pid = b.runtime.spawn(() => undefined);
  expect(systemOf(a.runtime)).toBe(a);
  expect(systemOf(ref)).toBe(a);
  expect(systemOf(ref.pid)).toBe(a);
  expect(systemOf(pid)).toBe(b);
  expect(systemOf(b.inbox.pid)).toBe(b);
  await a.teardown();
  await b.teardown();
});

test('after teardown a runtime and a ref still lead to their system, a bare pid no longer does', async () => {
  const system = createTestSystem({ testId: 'registry torn down' });
  const pid = system.runtime.spawn(() => undefined);
  await system.teardown();
  expect(systemOf(system.runtime)).toBe(system);
  expect(systemOf({ runtime: system.runtime })).toBe(system);
  expect(systemOf(pid)).toBeUndefined();
});

test('a runtime made outside a TestSystem has none', async () => {
  const { Runtime } = await import('@quiesce/runtime');
  const runtime = new Runtime({ clock: 'virtual' });
  expect(systemOf(runtime)).toBeUndefined();
  expect(systemOf(runtime.spawn(() => undefined))).toBeUndefined();
  await runtime.shutdown();
});

// Vitest keeps a test's context until its file ends: the fixture's torn-down system must not stay
// in it (a file of 10,000 short tests would otherwise keep 10,000 systems).
test('once the test is over, its context no longer holds the torn-down system or its inbox', ({ system, inbox, task }) => {
  expect(inbox.pid.node).toBe(system.runtime.node);
  onTestFinished(() => {
    const context = (task as unknown as { context: Record<string, unknown> }).context;
    expect(system.tornDown).toBe(true);
    expect(context.system).toBeUndefined();
    expect(context.inbox).toBeUndefined();
  });
});
