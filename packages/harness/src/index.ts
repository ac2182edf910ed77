/**
 * @quiesce/harness — the Vitest side of Quiesce: one isolated TestSystem per test, event-driven
 * waits that drive virtual time, deterministic negatives, the test's inbox, and teardown with a
 * leak check.
 */
export { test, expect, createTestSystem, systemOptionsFor, fullTestName, type TestContextLike } from './fixtures/test.js';
export { TestSystem, toEventPredicate, type TestSystemOptions, type Startable, type HistoryPattern, type UntilOptions } from './system/test-system.js';
export { callerLocation, LeakError, type OwnedResource, type Owned } from './system/resources.js';
export { SEED_ENV, runSeed, testSeed, replayCommand } from './system/seed.js';
export { Inbox } from './inbox/inbox.js';
export { drive, DEFAULT_WAIT_TIMEOUT, validateWaitOptions, type WaitOptions, type DriveTarget } from './waits/driver.js';
export { WaitError, type WaitFailure } from './waits/wait-error.js';
export { matches, describePattern, type Pattern } from './match/match.js';
export { VERSION as RUNTIME_VERSION } from '@quiesce/runtime';
