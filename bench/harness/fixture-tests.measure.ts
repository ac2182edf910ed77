// 10,000 isolated-system tests in one file: each test gets its own TestSystem from the fixture,
// starts a process, exchanges a message through the inbox and tears down (with the leak check).
// QUIESCE_BENCH_PLAIN=1 runs the same 10,000 tests with plain Vitest and no system (the peer).
// QUIESCE_BENCH_VITEST_FIXTURES=1 runs plain's tests through two trivial Vitest fixtures of the same
// shape as Quiesce's (`system` with a cleanup, `inbox` from it): what Vitest's fixtures cost alone.
import { test as plainTest } from 'vitest';

const COUNT = Number(process.env.QUIESCE_BENCH_TESTS ?? 10_000);

if (process.env.QUIESCE_BENCH_VITEST_FIXTURES === '1') {
  const fixtureTest = plainTest
    .extend('system', async ({ task }, { onCleanup }) => {
      const system = { inbox: { test: task.name } };
      onCleanup(async () => undefined);
      return system;
    })
    .extend('inbox', ({ system }) => system.inbox);
  for (let i = 0; i < COUNT; i++) {
    fixtureTest(`fixtures ${i}`, async ({ system, inbox }) => {
      await Promise.resolve(system === inbox ? -i : i);
    });
  }
} else if (process.env.QUIESCE_BENCH_PLAIN === '1') {
  for (let i = 0; i < COUNT; i++) {
    plainTest(`plain ${i}`, async () => {
      await Promise.resolve(i);
    });
  }
} else {
  // Imported here only: the plain peer's run loads no Quiesce module.
  const { test: quiesceTest } = await import('@quiesce/harness');
  for (let i = 0; i < COUNT; i++) {
    quiesceTest(`isolated ${i}`, async ({ system, inbox }) => {
      const echo = system.runtime.spawn((msg) => system.runtime.send(inbox.pid, msg));
      system.send(echo, i);
      await inbox.receive(i);
    });
  }
}
