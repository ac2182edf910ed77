// The same test on Quiesce, as examples/pool/test/integration/pool-lifecycle.test.ts has it:
// leased ports, the request's own acknowledgement, the restart awaited from the history.
import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import '@quiesce/assertions';
import { startPool } from '../../examples/pool/src/index.js';

const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 1) }, (_, i) => i);

test.for(runs)('a worker killed mid-request is restarted (Quiesce) #%i', async (_run, { system }) => {
  const pool = await startPool(system.runtime, { size: 2, port: () => system.port(), start: (spec) => system.start(spec, { timeout: 20_000 }) });
  const held = pool.stream({ op: 'hold' });
  expect((await held.next()).value).toBe('holding');
  const mark = system.mark();
  system.kill(pool.supervisor.child('w1')!, 'kill');
  await expect(held.next()).rejects.toMatchObject({ code: 'WORKER_DISCONNECTED' });
  await expect(pool.supervisor).toRestart('w1', { since: mark });
  expect((await pool.execute({ op: 'ping' })).result).toBe('pong');
});
