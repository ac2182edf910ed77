import { callerLocation } from '../core/resources.js';
import { ContainerHandle, type ContainerSystem } from './container.js';
import { containerEngine } from './engine.js';
import { parseContainer, type ContainerOptions } from './options.js';
import type { ContainerSpecLike, StartedContainerLike } from './types.js';

/**
 * `system.container(...)`: check the arguments, find the engine, own the container before it is
 * created (teardown removes it whatever happens next), start it and wait until it is ready.
 */
export async function containerFor<S extends StartedContainerLike = StartedContainerLike>(
  system: ContainerSystem,
  what: string | ContainerSpecLike<S>,
  options: ContainerOptions = {},
): Promise<ContainerHandle<S>> {
  const createdAt = callerLocation();
  const parsed = parseContainer(what, options);
  const engine = await system.runtime.external(containerEngine());
  const handle = system.own(new ContainerHandle<S>(engine, parsed, system), createdAt);
  await handle.start();
  return handle;
}
