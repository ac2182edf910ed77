import type { ChaosEvents } from './events.js';

/**
 * Every history kind @quiesce/chaos records, by name: each is declared with its payload in the
 * typed event map (`ChaosEvents`, events.ts), and the checks below keep these names and the map's
 * keys the same set, so `history.ofKind(FAULT_KINDS.tcp)` is typed as `history.ofKind('fault.tcp')` is.
 *
 * Fault events share a shape: `source` is the label of what the fault hit (a process, an OS
 * program, a pair `a -> b`, a site), `data.fault` is the fault's id (`f1`, `f2`, … in the order
 * faults were armed) and the rest says what happened.
 */
export const FAULT_KINDS = {
  /** A fault was armed: it fires later, per message, per delivery or per call. */
  arm: 'fault.arm',
  /** A fault was healed: it fires no more (a hung process resumes, held messages go on). */
  heal: 'fault.heal',
  kill: 'fault.kill',
  exit: 'fault.exit',
  crash: 'fault.crash',
  hang: 'fault.hang',
  slow: 'fault.slow',
  drop: 'fault.drop',
  delay: 'fault.delay',
  duplicate: 'fault.duplicate',
  reorder: 'fault.reorder',
  failStart: 'fault.fail_start',
  crashLoop: 'fault.crash_loop',
  terminateThrow: 'fault.terminate_throw',
  /** injectFailures: a call to a wrapped object or function failed. */
  inject: 'fault.inject',
  /** A fault site (maybeFault) was activated for this run. */
  siteActive: 'fault.site_active',
  /** A fault site fired. */
  site: 'fault.site',
  /** A signal sent to an OS process group (SIGKILL, SIGTERM, SIGSTOP, SIGCONT). */
  osSignal: 'fault.os_signal',
  /** A command written to an OS program's stdin (the faulty-child fixture's `exit 3`), or its stdin closed. */
  osCommand: 'fault.os_command',
  /** The TCP proxy: a toxic took a connection, or closed it (timeout, limit_data, reset_peer); the proxy went down or up. */
  tcp: 'fault.tcp',
  /** An HTTP fault hit a request (msw): `data.action` is the fault ('status', 'network_error', 'latency', 'slow_body', 'truncated_body', 'malformed_body', 'reset'). */
  http: 'fault.http',
  /** The virtual clock jumped forward (`data.ms`); the timers due fired in order. */
  clockJump: 'fault.clock_jump',
  /** A process's (or the whole system's) timers run fast or slow by `data.factor`. */
  clockSkew: 'fault.clock_skew',
  /** A container fault through the engine's API (`data.action`: pause, unpause, stop, kill, restart). */
  container: 'fault.container',
} as const satisfies Record<string, Extract<keyof ChaosEvents, `fault.${string}`>>;

/** What the monkey records around its faults. */
export const CHAOS_KINDS = {
  /** The mix of actions a seed drew (swarm) or was given. */
  profile: 'chaos.profile',
  /** One monkey step: the action picked and what it aimed at. */
  step: 'chaos.step',
  /** An invariant failed, or the system failed under the monkey. */
  violation: 'chaos.violation',
  /** The liveness phase began: every fault healed. */
  liveness: 'chaos.liveness',
  /** The liveness phase ended: converged or not, after how much virtual time. */
  converged: 'chaos.converged',
} as const satisfies Record<string, Extract<keyof ChaosEvents, `chaos.${string}`>>;

export type FaultKind = (typeof FAULT_KINDS)[keyof typeof FAULT_KINDS];
export type ChaosKind = (typeof CHAOS_KINDS)[keyof typeof CHAOS_KINDS];

/** `true` when `A` and `B` are the same set of kinds; otherwise the kinds one has and the other lacks. */
type SameKinds<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : { missing: Exclude<B, A>; extra: Exclude<A, B> };

// A kind declared in the map but named in neither list (or the reverse) fails to compile here.
true satisfies SameKinds<FaultKind | ChaosKind, Extract<keyof ChaosEvents, `fault.${string}` | `chaos.${string}`>>;
