/**
 * @quiesce/chaos — every fault a process system meets, from the test's seed and recorded in its
 * history: runtime faults (kill, crash, hang, slow, drop/delay/duplicate/reorder, failing starts,
 * crash loops, throwing terminates), OS-process faults, failures injected into any object,
 * fault sites, and the monkey. See docs/chaos.md.
 */
export {
  chaos,
  Chaos,
  type ChaosOptions,
  type CrashOnOptions,
  type SlowOptions,
  type LinkOptions,
  type DelayOptions,
  type ReorderOptions,
  type FailStartOptions,
  type CrashLoopOptions,
} from './runtime/chaos.js';
export type { ProcessTarget, PairEnd } from './runtime/targets.js';
export { DEFAULT_LINK_KINDS } from './runtime/link-faults.js';
export type { Fault } from './fault.js';
export { InjectedFault } from './errors.js';
export { FAULT_KINDS, CHAOS_KINDS, type FaultKind, type ChaosKind } from './kinds.js';
export type { ChaosHost, ChaosSystem } from './host.js';
export { OsFaults, type ChaosProcess } from './os/os-faults.js';
export { FAULTY_CHILD } from './os/fixture.js';
export {
  injectFailures,
  injectionsOf,
  FAILURE_TYPES,
  type FailureType,
  type FailedCall,
  type InjectOptions,
  type InjectionLog,
} from './inject/inject-failures.js';
export { maybeFault, enableFaultSites, FaultSites, type FaultSitesOptions, type SiteStats } from './inject/fault-sites.js';
export {
  monkey,
  Monkey,
  describeReport,
  type MonkeyOptions,
  type LivenessOptions,
  type Invariant,
  type SafetyReport,
  type LivenessReport,
  type MonkeyReport,
  type Violation,
} from './monkey/monkey.js';
export { treeActions, processActions, type MonkeyAction, type MonkeyContext } from './monkey/actions.js';
export { swarm, type Profile, type Weights, type SwarmOptions } from './monkey/profile.js';
export { runningWorkers, treeMissing, type TreeWorker } from './monkey/tree.js';
export { sweep, type Scenario, type SeedContext, type SweepOptions, type SweepReport, type SeedResult } from './monkey/sweep.js';
export { TcpProxy, type TcpProxyOptions } from './tcp/proxy.js';
export { containerProxy, type ContainerProxyOptions, type ProxiedContainer } from './tcp/container-proxy.js';
export { TOXIC_TYPES, type ToxicType, type ToxicOptions, type ToxicAttributes, type ToxicCommon, type Direction } from './tcp/toxics.js';
export {
  explore,
  type ExploreReport,
  type ExploreFailure,
  type ScheduleSummary,
  type PctBound,
  type ReplayResult,
} from './explore/explore.js';
export { STRATEGIES, type ExploreOptions, type ExploreStrategy, type ReplayOptions } from './explore/options.js';
export type { ExploreScenario, ExploreCheck, Verdict } from './explore/run.js';
