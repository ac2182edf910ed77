/**
 * @quiesce/harness — the Vitest side of Quiesce: one isolated TestSystem per test, event-driven
 * waits that drive virtual time, deterministic negatives, the test's inbox, and teardown with a
 * leak check.
 */
export { test, expect, createTestSystem } from './fixtures/quiesce-test.js';
export { TestSystem, systemOf, type TestSystemOptions, type Startable, type HistoryPattern, type UntilOptions } from './system/test-system.js';
export { LeakError, type OwnedResource } from './core/resources.js';
export type { AnyKindPattern, EventPattern, EventRecorder, HarnessEvents, ValuePattern } from './core/events.js';
export { TeardownError } from './system/teardown-error.js';
export type { Leftover } from './system/leftovers.js';
export { SEED_ENV } from './system/seed.js';
export { Inbox } from './inbox/inbox.js';
export {
  memoryDuplex,
  MemoryDuplex,
  listenOnFreePort,
  createPortAllocator,
  defaultPortAllocator,
  PORT_DIR_ENV,
  RUN_ID_ENV,
  POOL_ID_ENV,
  DEFAULT_LEASE_RANGE,
  DEFAULT_EPHEMERAL_RANGE,
  type ListenOptions,
  type ListeningServer,
  type PortAllocator,
  type PortAllocatorLayout,
  type PortLease,
  type PortAllocatorOptions,
  type LoopbackHost,
  type PortRange,
  type ProcessIdentity,
} from './ports/index.js';
export {
  Observer,
  type BridgeOptions,
  type EventMapper,
  type EventMapping,
  type EventTargetLike,
  type NodeEmitterLike,
  type ObservableEmitter,
  type ObservedEvent,
  type ObserveOptions,
} from './observe/index.js';
export {
  spawnProcess,
  TrackedProcess,
  awaitLine,
  awaitExit,
  ExternalWaitError,
  processReaper,
  DEFAULT_READY_TIMEOUT,
  DEFAULT_KILL_TIMEOUT,
  type SpawnOptions,
  type ExternalWaitOptions,
  type ExitStatus,
  type AwaitLineOptions,
  type ExternalWaitFailure,
  type GroupState,
  type SystemHost,
} from './os/index.js';
export { awaitListening, awaitHealthy, type AwaitListeningOptions, type AwaitHealthyOptions, type ProbeReport, type HealthReport } from './probes/index.js';
export { drive, DEFAULT_WAIT_TIMEOUT, type WaitOptions, type DriveTarget } from './waits/driver.js';
export { WaitError, formatWaitFailure, describeWaitFailure, type WaitFailure, type WaitFailureDetails } from './waits/wait-error.js';
// For matchers of your own: waits that return a timeout or deadlock as data (what the built-in matchers use).
export {
  waitForEventOutcome,
  waitForOutcome,
  waitInRealTime,
  quiescenceOf,
  describeWaitFailed,
  defaultTimeoutOf,
  type WaitPlace,
  type WaitFailed,
  type WaitOutcome,
} from './waits/outcome.js';
export { sharedContainer } from './system/shared-container.js';
export {
  ContainerHandle,
  SharedContainer,
  pauseContainer,
  unpauseContainer,
  stopContainer,
  killContainer,
  restartContainer,
  startContainer,
  detectContainerEngine,
  ENGINE_HINT,
  OWNER_LABEL,
  DEFAULT_OPERATION_TIMEOUT,
  DEFAULT_STARTUP_TIMEOUT,
  type ContainerOptions,
  type ContainerState,
  type ContainerSystem,
  type ContainerStopOptions,
  type ContainerKillOptions,
  type SharedContainerContext,
  type SharedContainerDefinition,
  type SharedContainerOptions,
  type EngineStatus,
  type ContainerSpecLike,
  type StartedContainerLike,
  type WaitStrategyLike,
  type EngineContainer,
} from './containers/index.js';
export { awaitQuiescence, describeQuiescence, DEFAULT_QUIET_PERIOD, type Quiescence, type QuiescenceOptions } from './waits/quiescence.js';
export { matches, describePattern, type Pattern } from './match/match.js';
export {
  defineConformance,
  type ConformanceSuite,
  type ConformanceBuilder,
  type ContractContext,
  type ContractTest,
  type ContractTestFn,
  type ContractTestOptions,
} from './conformance/define.js';
export { runConformance, type ConformanceTarget } from './conformance/run.js';
export { expectRequest, type RequestExpectation } from './msw/expect-request.js';
export { collectUnhandled, type UnhandledCollector } from './msw/collect-unhandled.js';
export { observeHttp, HttpObserver, type ObservedRequest } from './msw/observe.js';
export type { ExpectRequestOptions, CollectUnhandledOptions } from './msw/options.js';
export { RequestExpectationError, UnhandledRequestError } from './msw/errors.js';
export type { MswServerLike, MswHandlerLike, SeenRequest } from './msw/types.js';
export { MAX_RECORDED_BODY, type BodySnapshot } from './msw/request-snapshot.js';
// propTest lives at '@quiesce/harness/prop' (its types need fast-check, an optional peer); what the
// packages share beyond this API at '@quiesce/harness/internal'.
export { load, LatencyHistogram, type LoadOptions, type LoadTarget, type LoadFunction, type LoadRequest } from './load/index.js';
export type { LatencyBucket, LatencySummary } from './load/index.js';
export type { LoadStats, QuiesceTaskMeta, TimelineEvent } from './core/task-meta.js';
