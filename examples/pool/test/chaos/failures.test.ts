import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import { chaos, FAULT_KINDS, injectFailures, injectionsOf } from '@quiesce/chaos';
import { tcpTransport, type Pool, type WorkerTarget } from '../../src/index.js';
import { startTestPool } from '../support/pool.js';

// The snakepit chaos scenario on real Python workers: half of all calls to a worker fail, as an
// exit (the worker's OS process is really killed), a timeout or a disconnect. The pool retries on
// whichever worker is up, the supervisor restarts the killed ones, and the pool still serves.
test('failures at rate 0.5 (exit, timeout, disconnect): at least 15 of 20 concurrent requests succeed', { tags: ['chaos'], timeout: 60_000 }, async ({
  system,
}) => {
  const c = chaos(system);
  let pool: Pool | undefined;
  const transport = injectFailures(tcpTransport, {
    rate: 0.5,
    types: ['exit', 'timeout', 'disconnect'],
    system, // draws from the test's seed; every failure is a fault.inject event in the history
    label: 'transport',
    timeout: 200,
    // An `exit` kills the worker the call went to, for real (SIGKILL to its process group).
    onExit: ({ args }) => {
      const pid = pool?.supervisor.child((args[0] as WorkerTarget).id);
      if (pid && system.runtime.isAlive(pid)) c.kill(pid);
    },
  });
  pool = await startTestPool(system, { size: 4, attempts: 5, maxRestarts: 100, transport });

  // Injected timeouts run on the test's clock: drive it while the requests are in flight. The
  // bound is generous: each kill costs a Python start (the supervisor restarts one at a time).
  const requests = Promise.allSettled(Array.from({ length: 20 }, (_, i) => pool.execute({ op: 'echo', payload: i })));
  const results = await system.drive(requests, { timeout: 25_000 });
  const ok = results.filter((r) => r.status === 'fulfilled');
  expect(ok.length).toBeGreaterThanOrEqual(15);
  for (const r of ok) expect(r.value.result).toBeTypeOf('number');

  // What happened, from the history: failures were injected, retried, and every kill was restarted.
  const injected = injectionsOf(transport).counts();
  expect(Object.values(injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  expect(system.history.ofKind('pypool.retry').length).toBeGreaterThan(0);
  // Settled: every restart done (a restart still starting Python is an event to come, not quiet).
  await system.settle({ timeout: 15_000 });
  const kills = c.counts()[FAULT_KINDS.kill] ?? 0;
  expect(system.history.ofKind('child.restart')).toHaveLength(kills);
  expect(pool.supervisor.countChildren().active).toBe(4);
});
