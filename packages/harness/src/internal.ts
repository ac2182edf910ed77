/**
 * `@quiesce/harness/internal`: what the Quiesce packages and their own tests share beyond the
 * public API (context plumbing, option resolvers, seed derivation, identity probes). Not part of
 * the public API: it may change in any release. @internal
 */
export { systemOptionsFor, fullTestName, defaultWaitTimeoutFor, type TestContextLike } from './fixtures/quiesce-test.js';
export { toEventPredicate } from './system/test-system.js';
export { callerLocation, type Owned } from './core/resources.js';
export { runSeed, testSeed, replayCommand } from './system/seed.js';
export { readEphemeralRange, processStartTime, ownerGone } from './ports/index.js';
export { validateWaitOptions, waitsAwaitingTurn } from './waits/driver.js';
export { waitFailureDetails } from './waits/wait-error.js';
export { resolveExpectRequestOptions, resolveCollectUnhandledOptions, resolveUseHandlersOptions } from './msw/options.js';
export { validateConformanceTarget } from './conformance/run.js';
export { isConformanceSuite } from './conformance/define.js';
export { readable, READABLE_LIMITS, type ReadableLimits } from './observe/index.js';
export { memoryTrendOptions } from './measure/memory.js';
export { countOptions } from './waits/count.js';
export { awaitActorsGone } from './system/teardown.js';
