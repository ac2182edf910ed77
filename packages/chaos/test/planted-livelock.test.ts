import { describe, expect } from 'vitest';
import { createTestSystem, test } from '@quiesce/harness';
import { CallTimeoutError, supervisor, worker, type ServerBehaviour } from '@quiesce/runtime';
import { monkey, type Fault, type MonkeyAction } from '@quiesce/chaos';

// ---------------------------------------------------------------- planted bug: a livelock (a retry storm)
//
// A database serves one query at a time (20 ms each); three clients call it with a 100 ms
// timeout. Healthy, a query waits at most 60 ms. Under a persistent fault (the database slowed by
// 200 ms a query) every call times out, and the buggy client retries *hedged*: two calls at once.
// Queries arrive at 6 per 100 ms while the database can serve 5: once the fault is healed the
// backlog still only grows, the database is busy all the time on queries whose callers have
// given up, and no client ever gets an answer again. Busy, no progress: a livelock the safety
// phase cannot see (no invariant breaks) and the liveness phase finds (it never converges). The
// fixed client retries one call at a time with exponential backoff, and the backlog drains.

const CLIENTS = ['c1', 'c2', 'c3'];

const db: ServerBehaviour<null> = {
  init: () => ({ state: null }),
  handleCall: async (_query, _from, state, ctx) => {
    await ctx.sleep(20);
    return { reply: 'rows', state };
  },
};

/**
 * A client that queries forever; `answered[id]` is the virtual time of its last answer. Its
 * `c.sleep`s are the planted system's own think time and retry backoff on the runtime's virtual
 * clock (OTP's timer:sleep), the behaviour under test — not the test waiting for anything.
 */
function client(id: string, buggy: boolean, answered: Record<string, number>) {
  return worker(id, (ctx) => {
    // `c.sleep` below is the client's own pause and retry backoff on the virtual clock (the
    // behaviour under test, the fixed client's backoff against the buggy one's), not the test waiting.
    const pid = ctx.spawn(async (_go, c) => {
      let failures = 0;
      for (;;) {
        const calls = buggy && failures > 0 ? 2 : 1;
        try {
          await Promise.any(Array.from({ length: calls }, () => c.call('db', 'select', 100)));
          answered[id] = c.now();
          failures = 0;
          await c.sleep(50);
        } catch (error) {
          // Only timeouts are retried: anything else (the runtime stopping at teardown) ends the client.
          if (!(error instanceof AggregateError) || !error.errors.every((e) => e instanceof CallTimeoutError)) throw error;
          failures++;
          if (!buggy) await c.sleep(Math.min(100 * 2 ** failures, 3000));
        }
      }
    });
    ctx.runtime.send(pid, 'go');
    return pid;
  });
}

async function storm(seed: number, buggy: boolean) {
  const system = createTestSystem({ testId: 'retry storm', seed, trapExits: true });
  const answered: Record<string, number> = {};
  const app = await system.start(
    supervisor({
      id: 'app',
      children: [worker('db', (ctx) => ctx.startServer(db, undefined, { name: 'db' })), ...CLIENTS.map((id) => client(id, buggy, answered))],
    }),
  );
  await system.advance(300);
  const healthy = CLIENTS.every((id) => answered[id] !== undefined);
  // The persistent fault: the database slowed by 200 ms a query, armed once and left on for the whole safety phase.
  let slowed: Fault | undefined;
  const actions: MonkeyAction[] = [
    { name: 'slow_db', enabled: () => slowed === undefined, run: ({ chaos }) => void (slowed = chaos.slow('db', { delay: 200 })) },
  ];
  let healedAt = Number.POSITIVE_INFINITY;
  const ready = () => {
    healedAt = Math.min(healedAt, system.now());
    return CLIENTS.every((id) => (answered[id] ?? -1) > healedAt);
  };
  const report = await monkey(system, {
    target: app,
    actions,
    profile: { slow_db: 1 },
    steps: 4,
    gap: { min: 250, max: 250 },
    liveness: { within: 5000, ready },
  }).check();
  // The queries waiting in the database's mailbox when the liveness phase gave up (or converged).
  const backlog = system.runtime.messageQueueLength(system.runtime.whereis('db')!);
  await system.teardown();
  return { healthy, report, backlog };
}

describe('planted bug: a livelock under a persistent fault', () => {
  test('hedged retries without backoff keep the database busy for good once the fault heals: the liveness phase finds it; backoff fixes it for the same seeds', async () => {
    for (const seed of [1, 2, 3]) {
      const buggy = await storm(seed, true);
      expect(buggy.healthy, 'healthy before the fault').toBe(true);
      expect(buggy.report.violation).toBeUndefined(); // the safety phase sees nothing wrong
      expect(buggy.report.liveness).toMatchObject({ converged: false, missing: ['ready() is false'] });
      expect(buggy.report.ok).toBe(false);
      expect(buggy.backlog, 'queries nobody waits for any more').toBeGreaterThan(50);

      const fixed = await storm(seed, false);
      expect(fixed.report.liveness).toMatchObject({ converged: true });
      expect(fixed.report.ok).toBe(true);
      expect(fixed.backlog).toBeLessThan(3);
    }
  });
});
