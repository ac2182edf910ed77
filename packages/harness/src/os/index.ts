export { spawnProcess } from './spawn.js';
export { TrackedProcess, type ExitStatus, type AwaitLineOptions } from './tracked-process.js';
export { awaitLine, awaitExit } from './await-stream.js';
export { ExternalWaitError, type ExternalWaitFailure } from './external-wait.js';
export { ProcessGroupReaper, processReaper } from './reaper.js';
export { groupState, signalGroup, type GroupState } from './process-group.js';
export { DEFAULT_READY_TIMEOUT, DEFAULT_KILL_TIMEOUT, type SpawnOptions, type ExternalWaitOptions } from './options.js';
export type { SystemLike } from './system-like.js';
