import { describe, expect } from 'vitest';
import { pauseContainer, sharedContainer, stopContainer, test } from '@quiesce/harness';
import { ask, REDIS_IMAGE, redisConnection } from './support.js';

// One Redis for the whole file: started by whichever test runs first (the order is shuffled),
// reset (FLUSHALL) for every later one. `ids` collects what each test saw.
const ids = new Set<string>();
const redis = sharedContainer(
  async ({ port }) => {
    const p = await port();
    return { image: REDIS_IMAGE, command: ['--port', String(p)], listening: p, label: 'shared-redis' };
  },
  {
    reset: async (container, system) => {
      const connection = await redisConnection(system, container.port!, 'reset');
      expect(await ask(system, connection, 'FLUSHALL', 'reset')).toBe('+OK');
    },
  },
);

const docker = { tags: ['docker'] };

describe('sharedContainer: one container per file, reset per test', () => {
  for (const name of ['a', 'b', 'c']) {
    test(`test ${name} finds the container running and empty, whatever the test before it did`, docker, async ({ system }) => {
      const container = await redis.use(system);
      ids.add(container.id);
      expect(ids.size).toBe(1); // the same container in every test
      const connection = await redisConnection(system, container.port!);
      // Keys of earlier tests are gone (reset), and this one leaves its own behind.
      await expect(ask(system, connection, 'DBSIZE')).resolves.toBe(':0');
      await expect(ask(system, connection, `SET key-${name} 1`)).resolves.toBe('+OK');
      // The container's events are this test's: it started it, or took it over.
      const kinds = system.history.events.filter((e) => e.source === container.source).map((e) => e.kind);
      expect(kinds[0] === 'container.starting' || kinds[0] === 'container.attached').toBe(true);
      // Leave it broken: the next test must still find it serving.
      if (name === 'b') await pauseContainer(container);
      if (name === 'c') await stopContainer(container, { grace: 1000 });
    });
  }

  test('a concurrent second user is rejected with CONTAINER_IN_USE, and teardown leaves it running', docker, async ({ system }) => {
    const container = await redis.use(system);
    ids.add(container.id);
    const { createTestSystem } = await import('@quiesce/harness');
    const other = createTestSystem({ testId: 'concurrent user' });
    await expect(redis.use(other)).rejects.toMatchObject({ code: 'CONTAINER_IN_USE' });
    await other.teardown();
    await expect(container.state()).resolves.toBe('running');
  });
});
