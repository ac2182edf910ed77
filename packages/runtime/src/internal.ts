/**
 * `@quiesce/runtime/internal`: what the Quiesce packages share beyond the user's API (option checks,
 * number formatting, the time flow, OS-group plumbing, outcome-returning starts). Not public API: names and signatures change without notice; each export is marked
 * internal where it is defined.
 */

export {
  MAX_TIMER_MS,
  checkKnownKeys,
  checkMilliseconds,
  checkObject,
  checkOptions,
  closestKey,
  type Checked,
  type MillisecondsRule,
} from './checks/options.js';
export { round } from './kernel/format.js';
export { jsonReplacer } from './kernel/history.js';

// What @quiesce/harness and @quiesce/chaos build on beyond the user's API.
export { TimeFlow, Activity, type StepResult, type TimeHost } from './kernel/time-flow.js';
export { realNow, realTimer, realDelay, realImmediate, withinReal } from './kernel/real-time.js';
export { isPromise, type MaybePromise } from './kernel/maybe-promise.js';
export type { RealTimeSource, HoldableTimer } from './kernel/real-clock.js';
export { touchesOutside } from './kernel/history.js';
export { probeWithBackoff, PROBE_INITIAL_DELAY, PROBE_MAX_DELAY, type ProbeOutcome, type Probed } from './kernel/backoff.js';
export { RUNTIME_MARK, isRuntimeMessage } from './diagnostics/channels.js';
export { RUNTIME_LOADED } from './diagnostics/realm-mark.js';
export { startServerOutcome } from './server/server.js';
export { startSupervisorOutcome, supervisorRefOf, validateSupervisorSpec } from './supervisor/supervisor.js';
export { RestartIntensity } from './supervisor/intensity.js';
export { childStartContext } from './supervisor/child-ops.js';
export { isSupervisorSpec } from './supervisor/spec.js';
export { LineSplitter } from './children/lines.js';
export type { OsGroupOptions, SignalledBy } from './children/os/group.js';
export { ProcessGroupReaper } from './children/os/reaper.js';
export { groupState, signalGroup, awaitGroupGone, type GroupState } from './children/os/process-group.js';
export { spawnOsProcess, osExitReason } from './children/os-process.js';
export { spawnWorkerThread } from './children/worker-thread.js';
export type { ProxySpawnOptions } from './children/options.js';
