/**
 * The history kinds @quiesce/chaos records, declared in the typed event map (docs/events.md): the
 * faults (`fault.*`), the monkey (`chaos.*`) and the concurrent scenarios' calls (`scenario.*`).
 * Every recording site in chaos is keyed on this map, so a misspelt kind or a wrong payload does
 * not compile, and `history.ofKind('fault.tcp')` types its data without a cast. `FAULT_KINDS` and
 * `CHAOS_KINDS` (kinds.ts) name the same kinds and are checked against these keys.
 *
 * Fault events share a shape: the source is the label of what the fault hit (a process, an OS
 * program, a pair `a -> b`, a site), `fault` is the fault's id (`f1`, `f2`, … in the order faults
 * were armed on the runtime) and the rest says what happened. Payload types are spelt out (not
 * imported from the rooms that write them) so the catalogue shows them whole.
 */
export interface ChaosEvents {
  /**
   * A fault was armed: it fires later, per message, per delivery or per call; the rest of the data is its options, JSON-safe. Source: its target.
   * @writer every armed fault (Chaos, OS, TCP proxy, HTTP and container faults)
   */
  'fault.arm': { fault: string; type: string; [option: string]: unknown };
  /**
   * A fault was healed: it fires no more (a hung process resumes, held messages go on). Source: its target.
   * @writer every armed fault
   */
  'fault.heal': { fault: string; type: string };
  /**
   * A process was killed (exit reason `kill`). Source: its label.
   * @writer Chaos.kill
   */
  'fault.kill': { fault: string; pid: string };
  /**
   * A process was sent an exit signal with `reason` (serialised). Source: its label.
   * @writer Chaos.exit
   */
  'fault.exit': { fault: string; pid: string; reason: unknown };
  /**
   * A process crashed on its `message`th message, as armed. Source: its label.
   * @writer Chaos.crashOn
   */
  'fault.crash': { fault: string; pid: string; message: number };
  /**
   * A process stopped handling messages until the fault heals. Source: its label.
   * @writer Chaos.hang
   */
  'fault.hang': { fault: string; pid: string };
  /**
   * A process's message handling was held `delay` ms. Source: its label.
   * @writer Chaos.slow
   */
  'fault.slow': { fault: string; pid: string; delay: number };
  /**
   * A delivery between two processes was dropped. Source: the pair `a -> b`.
   * @writer Chaos.drop
   */
  'fault.drop': { fault: string; kind: 'message' | 'call' | 'system' | 'reply' | 'signal'; payload: string };
  /**
   * A delivery was held `delay` ms (later deliveries of the pair wait behind it). Source: the pair `a -> b`.
   * @writer Chaos.delay
   */
  'fault.delay': { fault: string; kind: 'message' | 'call' | 'system' | 'reply' | 'signal'; payload: string; delay: number };
  /**
   * A delivery was delivered twice. Source: the pair `a -> b`.
   * @writer Chaos.duplicate
   */
  'fault.duplicate': { fault: string; kind: 'message' | 'call' | 'system' | 'reply' | 'signal'; payload: string };
  /**
   * A delivery was moved behind other deliveries (behind its own pair's with `withinPair`). Source: the pair `a -> b`.
   * @writer Chaos.reorder
   */
  'fault.reorder': { fault: string; kind: 'message' | 'call' | 'system' | 'reply' | 'signal'; payload: string; withinPair: boolean };
  /**
   * A child's start failed with an error, or returned ignore (`mode`). Source: the child's path.
   * @writer Chaos.failStart
   */
  'fault.fail_start': { fault: string; child: string; mode: 'error' | 'ignore' };
  /**
   * The crash loop crashed child `child` for the `n`th time. Source: the process's label.
   * @writer Chaos.crashLoop
   */
  'fault.crash_loop': { fault: string; child: string; pid: string; n: number; reason: unknown };
  /**
   * A server's terminate threw after it ran (its exit `reason` serialised). Source: the process's label.
   * @writer Chaos.throwInTerminate
   */
  'fault.terminate_throw': { fault: string; reason: unknown };
  /**
   * A call to an object or function wrapped by injectFailures failed with `type`. Source: the wrapper's label.
   * @writer injectFailures
   */
  'fault.inject': { call: number; method: string; type: 'exit' | 'timeout' | 'disconnect' | 'throw' | 'reject' | 'hang' };
  /**
   * A fault site (maybeFault) was activated for this run, drawn or `forced`. Source: the site.
   * @writer fault sites (enableFaultSites, maybeFault)
   */
  'fault.site_active': { site: string; forced?: boolean };
  /**
   * A fault site fired on its `hit`th hit. Source: the site.
   * @writer fault sites (enableFaultSites, maybeFault)
   */
  'fault.site': { site: string; hit: number };
  /**
   * A signal was sent to an OS process group (a pause's SIGSTOP carries its `fault`). Source: the program's label.
   * @writer OS faults (chaos.os)
   */
  'fault.os_signal': { pid: number; signal: NodeJS.Signals; fault?: string };
  /**
   * A command was written to an OS program's stdin (the faulty-child fixture's `exit 3`), or its stdin closed. Source: the program's label.
   * @writer OS faults (chaos.os)
   */
  'fault.os_command': { pid: number; command: string };
  /**
   * The TCP proxy: a toxic took a connection, or closed it (timeout, limit_data, reset_peer); the proxy went down or up. Source: the proxy's label.
   * @writer TCP proxy (chaos.tcpProxy, containerProxy)
   */
  'fault.tcp':
    | {
        action: 'toxic';
        fault: string;
        connection: number;
        toxic: 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';
        direction: 'upstream' | 'downstream';
      }
    | { action: 'timeout' | 'limit_data' | 'reset_peer'; connection: number }
    | { action: 'down'; connections: number }
    | { action: 'up' };
  /**
   * An HTTP fault hit a request (msw); `action` is the fault, the body faults say the answer's `status` and size. Source: the faults' label and route.
   * @writer HTTP faults (chaos.http)
   */
  'fault.http':
    | { action: 'status'; fault: string; method: string; url: string; status: number }
    | { action: 'network_error'; fault: string; method: string; url: string }
    | { action: 'latency'; fault: string; method: string; url: string; latency: number }
    | { action: 'slow_body'; fault: string; method: string; url: string; status: number; bodyBytes: number; delay: number; chunkSize: number }
    | { action: 'truncated_body' | 'reset'; fault: string; method: string; url: string; status: number; bodyBytes: number; bytes: number }
    | { action: 'malformed_body'; fault: string; method: string; url: string; status: number; bodyBytes: number; cut: number };
  /**
   * The virtual clock jumped `ms` forward, `from` one time `to` another; the timers due fired in order. Source: `clock`.
   * @writer Chaos.clockJump
   */
  'fault.clock_jump': { fault: string; from: number; to: number; ms: number };
  /**
   * A process's timers (without `pid`: every process's) run fast or slow by `factor`. Source: its label, or `*`.
   * @writer Chaos.skew
   */
  'fault.clock_skew': { fault: string; pid?: string; factor: number };
  /**
   * A container fault through the engine's API, recorded before the harness's own `container.*` event. Source: `container:<label>`.
   * @writer container faults (chaos.container)
   */
  'fault.container': { fault: string; action: 'pause' | 'unpause' | 'stop' | 'kill' | 'restart'; container: string };
  /**
   * The mix of actions a monkey's seed drew (swarm) or was given, as weights by action name. Source: `monkey`.
   * @writer monkey
   */
  'chaos.profile': { weights: Readonly<Record<string, number>> };
  /**
   * One monkey step: the action picked (`none`: nothing enabled or drawn) and what it said it did. Source: `monkey`.
   * @writer monkey
   */
  'chaos.step': { step: number; action: string; detail?: string };
  /**
   * An invariant failed, or an action threw, at `step`. Source: `monkey`.
   * @writer monkey
   */
  'chaos.violation': { step: number; invariant: string; message: string; time: number };
  /**
   * The liveness phase began: every fault healed; the system has `within` ms to converge. Source: `monkey`.
   * @writer monkey
   */
  'chaos.liveness': { within: number };
  /**
   * The liveness phase ended: converged or not, `after` how much virtual time, and what was `missing`. Source: `monkey`.
   * @writer monkey
   */
  'chaos.converged': { converged: boolean; after: number; missing: string[] };
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

/** A fault kind declared in the map (`fault.kill`, `fault.tcp`, …). */
export type FaultEventKind = Extract<keyof ChaosEvents, `fault.${string}`>;

/** The members of payload `P` that carry a fault's id, without it (each member of a union keeps its own fields). */
type WithoutFault<P> = P extends unknown ? ('fault' extends keyof P ? Omit<P, 'fault'> : never) : never;

/** A fault kind whose events (some of them, for `fault.tcp`) carry the firing fault's id, `data.fault`. */
export type FiredKind = { [K in FaultEventKind]: [WithoutFault<ChaosEvents[K]>] extends [never] ? never : K }[FaultEventKind];

/** What a recorder of kind `K` is given: the payload less `fault`, which the recorder adds. */
export type FaultData<K extends FiredKind> = WithoutFault<ChaosEvents[K]>;
