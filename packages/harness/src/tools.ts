/**
 * `@quiesce/harness/tools`: the harness's helpers that work outside a Vitest run — in a test
 * runner script, a CI step, a deployment's smoke check. The main entry defines the `test` fixture
 * with Vitest's `test.extend`, which only loads inside a Vitest worker; this entry imports nothing
 * of Vitest's test API, so plain `node` can load it. Inside a test, import the same helpers from
 * `@quiesce/harness` (they are the same functions; with a system they record to its history).
 */
export { awaitListening, awaitHealthy, type AwaitListeningOptions, type AwaitHealthyOptions, type ProbeReport, type HealthReport } from './probes/index.js';
export { load, LatencyHistogram, type LoadOptions, type LoadTarget, type LoadFunction, type LoadRequest } from './load/index.js';
export type { LatencyBucket, LatencySummary } from './load/index.js';
export type { LoadStats } from './core/task-meta.js';
export { createPortAllocator, listenOnFreePort, type PortAllocator, type PortAllocatorOptions, type PortLease, type ListeningServer } from './ports/index.js';
export { memoryDuplex, MemoryDuplex } from './ports/memory-duplex.js';
export { PORT_DIR_ENV, type LoopbackHost } from './ports/options.js';
export {
  awaitLine,
  awaitExit,
  ExternalWaitError,
  type AwaitLineOptions,
  type ExitStatus,
  type ExternalWaitFailure,
  type ExternalWaitOptions,
} from './os/index.js';
