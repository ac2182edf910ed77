import type { TestSystem } from '@quiesce/harness';
import { startPool, type Pool, type PoolOptions } from '../../src/index.js';

/**
 * A pool owned by the test: its supervisor is started by the test's system (linked to the test,
 * stopped at teardown, its crash fails the test), on the test's runtime, with ports leased from
 * the harness. Each test gets its own pool; nothing is shared between tests. The start may take a
 * while: the supervisor starts its Python workers one at a time, each ready when it prints its
 * READY line, which on a loaded machine can take seconds; the wait is bounded accordingly.
 */
export function startTestPool(system: TestSystem, options: Partial<PoolOptions> = {}): Promise<Pool> {
  return startPool(system.runtime, {
    size: 2,
    port: () => system.port(),
    start: (spec) => system.start(spec, { timeout: 20_000 }),
    ...options,
  });
}
