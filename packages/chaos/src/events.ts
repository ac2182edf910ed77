/**
 * The history kinds @quiesce/chaos declares in the typed event map (docs/events.md). Fault events
 * (`fault.*`, `chaos.*`, see kinds.ts) are still custom kinds; the concurrent scenarios' calls are
 * declared here.
 */
export interface ChaosEvents {
  /**
   * A client of a concurrent scenario invoked operation `op` (its id in the run's history). Source: `client<n>`.
   * @writer concurrent scenarios (checkConcurrent, assertLinearizable, replayConcurrent)
   */
  'scenario.invoke': { client: number; op: number; input: unknown };
  /**
   * Operation `op` returned `output`, or threw `error` (then it counts as pending: it may or may not have taken effect). Source: `client<n>`.
   * @writer concurrent scenarios
   */
  'scenario.return': { client: number; op: number; output?: unknown; error?: string };
}

declare module '@quiesce/runtime' {
  // Declaration merging: chaos's declared kinds join the one event map.
  interface QuiesceEvents extends ChaosEvents {}
}
