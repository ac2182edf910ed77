// 10,000 isolated-system tests in one file: each test gets its own TestSystem from the fixture,
// starts a process, exchanges a message through the inbox and tears down (with the leak check).
// QUIESCE_BENCH_PLAIN=1 runs the same 10,000 tests with plain Vitest and no system (the peer).
import { test as quiesceTest } from '@quiesce/harness';
import { test as plainTest } from 'vitest';

const COUNT = Number(process.env.QUIESCE_BENCH_TESTS ?? 10_000);

if (process.env.QUIESCE_BENCH_PLAIN === '1') {
  for (let i = 0; i < COUNT; i++) {
    plainTest(`plain ${i}`, async () => {
      await Promise.resolve(i);
    });
  }
} else {
  for (let i = 0; i < COUNT; i++) {
    quiesceTest(`isolated ${i}`, async ({ system, inbox }) => {
      const echo = system.runtime.spawn((msg) => system.runtime.send(inbox.pid, msg));
      system.send(echo, i);
      await inbox.receive(i);
    });
  }
}
