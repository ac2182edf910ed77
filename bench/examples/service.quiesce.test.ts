// The Quiesce way (examples/service, the chaos contract test): a leased port, redis-server owned by
// the test's system, readiness from its own log line, SIGSTOP/SIGCONT through @quiesce/chaos.
import { test } from '@quiesce/harness';
import { expect } from 'vitest';
import { redisProcess } from '../../examples/service/test/support/redis.js';
import { startStack } from '../../examples/service/test/support/stack.js';

const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 1) }, (_, i) => i + 1);

test.for(runs)('Redis paused: a clear 503, then served again; the acknowledged write is kept (run %i)', async (_run, { system }) => {
  const stack = await startStack(system, await redisProcess(system));
  const { id } = (await stack.call('POST', '/sessions')).body;
  await stack.call('POST', `/sessions/${id}/exec`, { code: 'acked = 1' });

  await stack.redis.pause();
  expect((await stack.call('POST', `/sessions/${id}/exec`, { code: 'other = 2' })).status).toBe(503);
  await stack.redis.resume();

  const after = await stack.call('GET', `/sessions/${id}/state`);
  expect(after.status).toBe(200);
  expect(after.body.vars.acked).toBe(1);
});
