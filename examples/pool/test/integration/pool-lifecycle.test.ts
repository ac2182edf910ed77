import { describe, expect } from 'vitest';
import { test } from '@quiesce/harness';
import '@quiesce/assertions';
import { PoolError } from '../../src/index.js';
import { startTestPool } from '../support/pool.js';

describe('pool lifecycle', () => {
  test('the pool starts the configured number of workers, all alive, each answering a ping', async ({ system }) => {
    const pool = await startTestPool(system, { size: 3 });
    expect(pool.supervisor).toHaveChildren(['w1', 'w2', 'w3']);
    expect(pool.supervisor.countChildren()).toMatchObject({ specs: 3, active: 3 });
    const pongs = await pool.pingAll();
    expect(pongs.map((p) => p.worker)).toEqual(['w1', 'w2', 'w3']);
    expect(new Set(pongs.map((p) => p.pid)).size).toBe(3); // three OS processes
    // Each announced readiness on stdout before the supervisor counted it started.
    expect(system.history.ofKind('os.ready').map((e) => e.data.line)).toEqual(pool.workers().map((w) => `READY ${w.id} ${w.port}`));
  });

  test('10 concurrent requests all succeed, spread over the workers', async ({ system }) => {
    const pool = await startTestPool(system, { size: 2 });
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.execute({ op: 'echo', payload: { id: i } })));
    expect(replies.map((r) => r.result)).toEqual(Array.from({ length: 10 }, (_, i) => ({ id: i })));
    expect(new Set(replies.map((r) => r.worker))).toEqual(new Set(['w1', 'w2']));
    const sums = await Promise.all([1, 2, 3].map((n) => pool.execute({ op: 'compute', fn: 'fib', args: [n * 10] })));
    expect(sums.map((r) => r.result)).toEqual([55, 6765, 832040]);
  });

  test('a worker killed mid-request is restarted and the pool keeps serving (from the history, no sleep)', async ({ system }) => {
    const pool = await startTestPool(system, { size: 2 });
    // A request that the worker acknowledges, then holds: it is in flight, in the worker, for sure.
    const held = pool.stream({ op: 'hold' });
    expect((await held.next()).value).toBe('holding');
    const [dispatch] = system.history.ofKind('pypool.dispatch');
    const victim = dispatch!.data.worker;
    const before = pool.supervisor.child(victim)!;

    const mark = system.mark();
    system.kill(before, 'kill');
    // The request in flight fails with a clear error rather than hanging...
    await expect(held.next()).rejects.toMatchObject({ name: 'PoolError', code: 'WORKER_DISCONNECTED', status: 502 });
    // ...the supervisor restarts that worker (counted from the mark: never missed)...
    await expect(pool.supervisor).toRestart(victim, { since: mark });
    await system.until({ kind: 'pypool.worker_up', data: { worker: victim } }, { since: mark });
    expect(pool.supervisor.child(victim)).not.toEqual(before);
    // ...and the pool serves again on every worker, the restarted one included.
    const replies = await Promise.all(Array.from({ length: 4 }, () => pool.execute({ op: 'ping' })));
    expect(new Set(replies.map((r) => r.worker))).toEqual(new Set(['w1', 'w2']));
    expect(system.history.events.filter((e) => e.seq >= mark && e.kind === 'child.restart')).toHaveLength(1);
    expect(system.history.ofKind('os.exit').map((e) => e.data)).toContainEqual(expect.objectContaining({ signal: 'SIGKILL' }));
  });

  test('a worker that crashes on a request: the request fails, the worker comes back', async ({ system }) => {
    const pool = await startTestPool(system, { size: 1 });
    const mark = system.mark();
    const error = await pool.execute({ op: 'crash' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolError);
    expect(error).toMatchObject({ code: 'WORKER_DISCONNECTED', retryable: true });
    await expect(pool.supervisor).toRestart('w1', { since: mark });
    expect(system.history.ofKind('os.exit').map((e) => e.data)).toContainEqual(expect.objectContaining({ code: 3 }));
    expect((await pool.execute({ op: 'echo', payload: 'back' })).result).toBe('back');
  });
});
