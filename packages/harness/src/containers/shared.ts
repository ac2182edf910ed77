import { afterAll } from 'vitest';
import { InvalidOptionError, QuiesceError } from '@quiesce/runtime';
import { defaultPortAllocator, type PortLease } from '../ports/allocator.js';
import { boundedReal, ContainerHandle, DEFAULT_OPERATION_TIMEOUT, type ContainerSystem } from './container.js';
import { containerEngine } from './engine.js';
import { startContainer, unpauseContainer } from './faults.js';
import { parseContainer, type ContainerOptions } from './options.js';
import type { ContainerSpecLike, StartedContainerLike } from './types.js';

/** What a shared container is made from: an image or a container object, and `system.container`'s options. */
export interface SharedContainerDefinition<S extends StartedContainerLike = StartedContainerLike> extends ContainerOptions {
  image: string | ContainerSpecLike<S>;
}

/** Handed to a shared container's definition: ports leased for the whole file (released after its last test). */
export interface SharedContainerContext {
  port(): Promise<number>;
}

export interface SharedContainerOptions<S extends StartedContainerLike = StartedContainerLike, Sys extends ContainerSystem = ContainerSystem> {
  /**
   * Runs when a test takes the container over from an earlier test, after the harness has brought
   * it back to running (unpaused, or started again if a test stopped it): put its state back
   * (`FLUSHALL`, truncate tables). Recorded as `container.reset` in the test's history.
   */
  reset?: (container: ContainerHandle<S>, system: Sys) => void | Promise<void>;
}

/**
 * One container for every test of a file, for containers too slow to start per test:
 *
 * ```ts
 * const redis = sharedContainer(async ({ port }) => {
 *   const p = await port();
 *   return { image: 'quiesce/redis:local', command: ['--port', String(p)], listening: p };
 * }, { reset: (c) => flushAll(c.port!) });
 *
 * test('...', { tags: ['docker'] }, async ({ system }) => {
 *   const container = await redis.use(system);
 * });
 * ```
 *
 * Started by the first test that calls `use(system)`; every later `use` brings it back to running
 * and runs `reset`. While a test uses it, its events go to that test's history and it is a live
 * external actor of that test's system; chaos on it works as on a container of the test's own.
 * Removed after the file's last test (an `afterAll` registered here: call `sharedContainer` at the
 * top of the file or in a `describe`), and by the reaper if the worker dies. One test at a time:
 * a concurrent `use` is rejected with CONTAINER_IN_USE.
 */
export function sharedContainer<S extends StartedContainerLike = StartedContainerLike, Sys extends ContainerSystem = ContainerSystem>(
  define: (context: SharedContainerContext) => SharedContainerDefinition<S> | Promise<SharedContainerDefinition<S>>,
  options: SharedContainerOptions<S, Sys> = {},
): SharedContainer<S, Sys> {
  const shared = new SharedContainer<S, Sys>(define, options);
  afterAll(() => shared.dispose());
  return shared;
}

export class SharedContainer<S extends StartedContainerLike = StartedContainerLike, Sys extends ContainerSystem = ContainerSystem> {
  readonly #define: (context: SharedContainerContext) => SharedContainerDefinition<S> | Promise<SharedContainerDefinition<S>>;
  readonly #reset: SharedContainerOptions<S, Sys>['reset'];
  readonly #leases: PortLease[] = [];
  #handle: Promise<ContainerHandle<S>> | undefined;
  /** The started container, once `#handle` resolved (teardown detaches it synchronously). */
  #resolved: ContainerHandle<S> | undefined;
  #user: ContainerSystem | undefined;
  #disposed = false;

  /** @internal use `sharedContainer`. */
  constructor(
    define: (context: SharedContainerContext) => SharedContainerDefinition<S> | Promise<SharedContainerDefinition<S>>,
    options: SharedContainerOptions<S, Sys>,
  ) {
    if (typeof define !== 'function') {
      throw new InvalidOptionError('sharedContainer(define)', define, 'a function ({ port }) => ({ image, ...container options })');
    }
    if (typeof options !== 'object' || options === null || (options.reset !== undefined && typeof options.reset !== 'function')) {
      throw new InvalidOptionError('sharedContainer options.reset', options?.reset, 'a function (container, system) => void | Promise<void>');
    }
    this.#define = define;
    this.#reset = options.reset;
  }

  /** Take the container for this test: started on first use, brought back to running and reset on every later one. */
  async use(system: Sys): Promise<ContainerHandle<S>> {
    if (this.#disposed) throw new QuiesceError('CONTAINER_FAILED', 'sharedContainer: used after the file ended (it has been removed)');
    if (this.#user && this.#user !== system && !this.#user.tornDown) {
      const why = 'another test is using it now (concurrent tests cannot share one container: give each its own with system.container)';
      throw new QuiesceError('CONTAINER_IN_USE', `sharedContainer: ${why}`);
    }
    this.#user = system;
    system.own({
      kind: 'container-use',
      label: 'a shared container, in use by this test',
      dispose: () => this.#release(system),
      alive: () => false,
    });
    const first = this.#handle === undefined;
    this.#handle ??= this.#start(system).catch((error: unknown) => {
      this.#handle = undefined; // the next test tries again
      throw error;
    });
    const handle = (this.#resolved = await this.#handle);
    if (!first) await this.#takeOver(handle, system);
    return handle;
  }

  /** Remove the container and give back its ports (after the file's last test). Idempotent. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const handle = await this.#handle?.catch(() => undefined);
    try {
      await handle?.dispose();
    } finally {
      await Promise.all(this.#leases.map((lease) => lease.release()));
    }
  }

  async #start(system: ContainerSystem): Promise<ContainerHandle<S>> {
    const definition = await this.#define({ port: () => this.#lease() });
    if (typeof definition !== 'object' || definition === null) {
      throw new InvalidOptionError('sharedContainer(define) result', definition, '{ image, ...container options }');
    }
    const { image, ...options } = definition;
    const parsed = parseContainer(image, options);
    const engine = await system.runtime.external(containerEngine());
    const handle = new ContainerHandle<S>(engine, parsed, system);
    await handle.start();
    return handle;
  }

  async #takeOver(handle: ContainerHandle<S>, system: Sys): Promise<void> {
    handle.attach(system);
    system.record('container.attached', handle.source, { id: handle.id.slice(0, 12) });
    const state = await system.runtime.external(boundedReal(handle.state(), DEFAULT_OPERATION_TIMEOUT, 'inspect'));
    if (state === 'paused') await unpauseContainer(handle);
    else if (state === 'exited' || state === 'created' || state === 'dead') await startContainer(handle);
    else if (state === 'removed') throw new QuiesceError('CONTAINER_FAILED', `sharedContainer: ${handle.label} was removed by something else`);
    if (this.#reset) {
      await this.#reset(handle, system);
      system.record('container.reset', handle.source, { id: handle.id.slice(0, 12) });
    }
  }

  #release(system: ContainerSystem): void {
    if (this.#user !== system) return;
    this.#user = undefined;
    // Synchronous: the test's leak check right after must not find the container still held.
    this.#resolved?.detach(system);
  }

  async #lease(): Promise<number> {
    const lease = await defaultPortAllocator().lease();
    this.#leases.push(lease);
    return lease.port;
  }
}
