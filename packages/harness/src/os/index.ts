export { spawnProcess } from './spawn.js';
export { TrackedProcess, type ExitStatus, type AwaitLineOptions } from './tracked-process.js';
export { awaitLine, awaitExit } from './await-stream.js';
export { ExternalWaitError, type ExternalWaitFailure, type ExternalWaitOptions } from '../waits/external-wait.js';
// One OS-process implementation: the reaper and the group helpers live in the runtime.
export { processReaper } from '@quiesce/runtime';
export { ProcessGroupReaper, groupState, signalGroup, type GroupState } from '@quiesce/runtime/internal';
export { DEFAULT_READY_TIMEOUT, DEFAULT_KILL_TIMEOUT, type SpawnOptions } from './options.js';
export type { SystemHost } from '../core/host.js';
