/**
 * @quiesce/harness — the Vitest side of Quiesce: one isolated TestSystem per test, event-driven
 * waits that drive virtual time, deterministic negatives, the test's inbox, and teardown with a
 * leak check.
 */
export { test, expect, createTestSystem, systemOptionsFor, fullTestName, type TestContextLike } from './fixtures/test.js';
export { TestSystem, toEventPredicate, type TestSystemOptions, type Startable, type HistoryPattern, type UntilOptions } from './system/test-system.js';
export { callerLocation, LeakError, type OwnedResource, type Owned } from './system/resources.js';
export { systemOf } from './system/registry.js';
export type { Leftover } from './system/leftovers.js';
export { SEED_ENV, runSeed, testSeed, replayCommand } from './system/seed.js';
export { Inbox } from './inbox/inbox.js';
export { memoryDuplex, MemoryDuplex, listenOnFreePort, createPortAllocator, defaultPortAllocator, PORT_DIR_ENV, RUN_ID_ENV, POOL_ID_ENV, DEFAULT_LEASE_RANGE, DEFAULT_EPHEMERAL_RANGE, readEphemeralRange, processStartTime, ownerGone, type ListenOptions, type ListeningServer, type PortAllocator, type PortAllocatorLayout, type PortLease, type PortAllocatorOptions, type LoopbackHost, type PortRange, type ProcessIdentity } from './ports/index.js';
export { Observer, type BridgeOptions, type EventMapper, type EventMapping, type EventTargetLike, type NodeEmitterLike, type ObservableEmitter, type ObservedEvent, type ObserveOptions } from './observe/index.js';
export { drive, DEFAULT_WAIT_TIMEOUT, validateWaitOptions, type WaitOptions, type DriveTarget } from './waits/driver.js';
export { WaitError, type WaitFailure } from './waits/wait-error.js';
export { matches, describePattern, type Pattern } from './match/match.js';
export { propTest, type PropTest, type PropMeta } from './prop/prop-test.js';
export { runProperty, resolvePropSeed, type PropContext, type PropBody, type Arbitraries, type PropertySpec, type PropertyOutcome, type PropSeed } from './prop/run-property.js';
export { resolvePropOptions, readPropEnv, PROP_SEED_ENV, PROP_PATH_ENV, type PropTestOptions, type ResolvedPropOptions, type PropEnv } from './prop/options.js';
export { propReplayCommand } from './prop/replay.js';
export { PropertyFailure, type PropertyFailureDetails } from './prop/property-failure.js';
export { VERSION as RUNTIME_VERSION } from '@quiesce/runtime';
