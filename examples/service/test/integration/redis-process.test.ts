import { runConformance } from '@quiesce/harness';
import { describe } from 'vitest';
import { REDIS_MISSING, redisProcess } from '../support/redis.js';
import { startStack } from '../support/stack.js';
import { serviceContract } from './service-contract.js';

// The embedded default: a real redis-server per test, an OS process the test's system owns.
if (REDIS_MISSING) {
  console.warn(`[quiesce] the service's redis-server tests are skipped: ${REDIS_MISSING}`);
  describe.skip(`session service — redis-server process (skipped: ${REDIS_MISSING})`, () => undefined);
} else {
  runConformance(serviceContract, { name: 'redis-server process', factory: async (system) => startStack(system, await redisProcess(system)) });
}
