export { spawnProcess } from './spawn.js';
export { TrackedProcess, type ExitStatus, type AwaitLineOptions } from './tracked-process.js';
export { awaitLine, awaitExit } from './await-stream.js';
export { ExternalWaitError, type ExternalWaitFailure, type ExternalWaitOptions } from '../waits/external-wait.js';
// One OS-process implementation: the reaper and the group helpers live in the runtime.
export { ProcessGroupReaper, processReaper, groupState, signalGroup, type GroupState } from '@quiesce/runtime';
export { DEFAULT_READY_TIMEOUT, DEFAULT_KILL_TIMEOUT, type SpawnOptions } from './options.js';
export type { SystemHost } from '../core/host.js';
