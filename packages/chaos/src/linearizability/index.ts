/**
 * @quiesce/chaos/linearizability — concurrent scenarios checked for linearizability (fast-check
 * draws and shrinks them; an optional peer, hence a subpath of its own). See docs/linearizability.md.
 */
export {
  checkConcurrent,
  assertLinearizable,
  replayConcurrent,
  runScenario,
  scenarioArbitrary,
  concurrentOptions,
  LinearizabilityError,
  type ConcurrentSpec,
  type ConcurrentOptions,
  type ConcurrentReport,
  type ConcurrentRun,
  type Scenario,
  type ScheduleSource,
} from './scenario.js';
export { checkLinearizable, type Operation, type LinearizabilityVerdict } from './check.js';
export { resolveModel, type SequentialModel, type ResolvedModel } from './model.js';
export { formatHistory, describeVerdict } from './timeline.js';
export type { ChaosEvents } from '../events.js';
