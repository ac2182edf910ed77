import { killContainer, pauseContainer, runConformance, startContainer, type TestSystem, unpauseContainer } from '@quiesce/harness';
import type { RedisBackend } from '../support/redis.js';
import { startStack } from '../support/stack.js';
import { serviceContract } from './service-contract.js';

/** The same Redis in a container (image quiesce/redis:local, built by scripts/container-images.sh), on a leased port. */
async function redisContainer(system: TestSystem): Promise<RedisBackend> {
  const port = await system.port();
  const container = await system.container('quiesce/redis:local', {
    command: ['--port', String(port), '--appendonly', 'yes', '--appendfsync', 'always'],
    listening: port,
  });
  return {
    port,
    pause: () => pauseContainer(container),
    resume: () => unpauseContainer(container),
    kill: () => killContainer(container),
    restart: () => startContainer(container),
  };
}

// Tagged `docker`: run where a container engine answers, skipped with the reason where none does.
runConformance(serviceContract, { name: 'Redis container', tags: ['docker'], factory: async (system) => startStack(system, await redisContainer(system)) });
