import {
  sharedContainer as sharedContainerOf,
  type SharedContainer,
  type SharedContainerContext,
  type SharedContainerDefinition,
  type SharedContainerOptions,
  type StartedContainerLike,
} from '../containers/index.js';
import type { TestSystem } from './test-system.js';

/**
 * One container for every test of a file (see `SharedContainer`), with the test's own
 * `TestSystem` handed to `use` and to `reset`. The containers floor knows only the narrower
 * `ContainerSystem`; this is where the test's front door binds it.
 */
export function sharedContainer<S extends StartedContainerLike = StartedContainerLike>(
  define: (context: SharedContainerContext) => SharedContainerDefinition<S> | Promise<SharedContainerDefinition<S>>,
  options?: SharedContainerOptions<S, TestSystem>,
): SharedContainer<S, TestSystem> {
  return sharedContainerOf<S, TestSystem>(define, options);
}
