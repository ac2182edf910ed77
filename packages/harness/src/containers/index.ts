export { ContainerHandle, DEFAULT_OPERATION_TIMEOUT, type ContainerState, type ContainerSystem } from './container.js';
export { containerFor } from './start.js';
export { containerEngine, detectContainerEngine, endpointOf, ENGINE_HINT, type ContainerEngine, type EngineStatus } from './engine.js';
export {
  pauseContainer,
  unpauseContainer,
  stopContainer,
  killContainer,
  restartContainer,
  startContainer,
  type ContainerStopOptions,
  type ContainerKillOptions,
} from './faults.js';
export { sharedContainer, SharedContainer, type SharedContainerContext, type SharedContainerDefinition, type SharedContainerOptions } from './shared.js';
export { parseContainer, DEFAULT_STARTUP_TIMEOUT, type ContainerOptions } from './options.js';
export { OWNER_LABEL, INSTANCE_LABEL, TEST_LABEL, OWNER } from './owner.js';
export { parseEvent, type EngineEvent } from './events.js';
export type { ContainerSpecLike, StartedContainerLike, WaitStrategyLike, EngineContainer } from './types.js';
