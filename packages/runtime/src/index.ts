/**
 * @quiesce/runtime — a deterministic kernel (clock, scheduler, random, history) and an OTP-like
 * runtime on it: processes, servers, supervisors, dynamic supervisors, a registry, and children
 * that are OS processes or worker threads. No runtime dependencies.
 */
export const VERSION = '0.1.0';

export * from './errors.js';

export type { Clock, TimerHandle } from './kernel/clock.js';
export { RealClock } from './kernel/real-clock.js';
export { VirtualClock } from './kernel/virtual-clock.js';
export { Random, deriveSeed } from './kernel/random.js';
export { History, formatTimeline, isKind, type EventOf, type HistoryEvent, type HistoryListener, type HistoryRetention } from './kernel/history.js';
export type { CustomKind, EventData, EventKind, LifecycleEvents, QuiesceEvents, ReservedNamespace, RuntimeEvents } from './kernel/events.js';
export { Scheduler, fifo, seededRandom, replay, type Delivery, type SchedulingPolicy } from './kernel/scheduler.js';

export { Pid, isPid } from './process/pid.js';
export {
  isNormalExit,
  isExitMessage,
  isDownMessage,
  serialiseReason,
  type ExitReason,
  type ExitMessage,
  type DownMessage,
  type ShutdownReason,
} from './process/exit-reason.js';
export type { From } from './process/protocol.js';
export {
  Runtime,
  ProcessContext,
  type Interceptor,
  type GroupReaper,
  type RuntimeOptions,
  type RetainOptions,
  type RuntimeBusy,
  type SpawnOptions,
  type MessageHandler,
  type MailboxListener,
  type SchedulerOption,
} from './process/runtime.js';
// The fault-injection hook @quiesce/chaos installs (Runtime.intercept).
export type { InterceptedDelivery, DeliveryKind } from './process/intercept.js';

export {
  startServer,
  type ServerBehaviour,
  type InitResult,
  type CallResult,
  type CastResult,
  type StartServerOptions,
} from './server/server.js';

export {
  supervisor,
  worker,
  serverChild,
  startSupervisor,
  SupervisorRef,
  type ChildInfo,
  type ChildCounts,
  type ChildPid,
  type StartSupervisorOptions,
} from './supervisor/supervisor.js';
export {
  DEFAULT_INTENSITY,
  DEFAULT_PERIOD,
  DEFAULT_WORKER_SHUTDOWN,
  type ChildSpec,
  type SupervisorSpec,
  type SupervisorFlags,
  type StartContext,
  type StartFn,
  type StartReturn,
  type Strategy,
  type RestartType,
  type Shutdown,
  type AutoShutdown,
  type ChildType,
} from './supervisor/spec.js';
export { terminateChild } from './supervisor/child-ops.js';
export { startDynamicSupervisor, DynamicSupervisorRef, type DynamicSupervisorOptions } from './supervisor/dynamic.js';
export { Registry } from './registry/registry.js';
export { DuplicateRegistry, type RegistryEntry, type EntryPattern } from './registry/duplicate.js';

export {
  CHANNEL_PREFIX,
  LIFECYCLE_KINDS,
  channelName,
  type LifecycleKind,
  type LifecycleMessage,
} from './diagnostics/channels.js';
export type { ChannelName } from './diagnostics/channels.js';

export { OsProcessGroup, type ExitStatus } from './children/os/group.js';
export { processReaper } from './children/os/reaper.js';
export { osProcess, type OsProcessOptions, type OsProcessChildOptions } from './children/os-process.js';
export {
  workerThread,
  WORKER_SHUTDOWN_MESSAGE,
  type WorkerThreadOptions,
  type WorkerResourceLimits,
  type WorkerThreadChildOptions,
} from './children/worker-thread.js';
