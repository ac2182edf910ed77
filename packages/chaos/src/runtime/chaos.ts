import {
  InvalidOptionError,
  QuiesceError,
  serialiseReason,
  type ChildSpec,
  type DynamicSupervisorRef,
  type WorkerResourceLimits,
  type WorkerThreadOptions,
  type DeliveryKind,
  type ExitReason,
  type Pid,
  type Random,
  type Runtime,
  type ServerBehaviour,
  type SupervisorRef,
} from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import { InjectedFault } from '../errors.js';
import type { FaultData, FiredKind } from '../events.js';
import { ArmedFault, countersOf, recordFault, type Fault } from '../fault.js';
import { resolveHost, type ChaosHost, type Host } from '../host.js';
import { FAULT_KINDS } from '../kinds.js';
import { checkCount, checkInteger, checkOneOf, checkRate, checkSubset } from '../options.js';
import { OsFaults } from '../os/os-faults.js';
import { parseProxyOptions, TcpProxy, type TcpProxyOptions } from '../tcp/proxy.js';
import { HttpFaults, parseHttpFaultsArgs, type HttpFaultsOptions, type MswFaultServer } from '../http/http-faults.js';
import { HandlerFaults } from './handler-faults.js';
import { DEFAULT_LINK_KINDS, describePair, LinkFaults, type LinkAction } from './link-faults.js';
import { checkBehaviour, checkSupervisorChild, crashProcess, failingStart, runCrashLoop, throwingTerminate } from './supervision.js';
import { clockJump, skew, type SkewOptions } from './time-faults.js';
import { checkContainer, ContainerFaults, type ChaosContainer } from '../containers/container-faults.js';
import { checkPairEnd, resolveProcess, type PairEnd, type ProcessTarget } from './targets.js';
import {
  capChildren,
  capProcesses,
  checkCommandLine,
  drawLimit,
  isWorkerOptions,
  withFdLimit,
  withHeapLimit,
  withWorkerHeapLimit,
  type CommandLine,
  type LimitValue,
} from '../exhaust/limits.js';

export interface CrashOnOptions {
  /** Crash when handling the Nth message from now on (1: the next one). */
  message: number;
  /** The exit reason. Default: an InjectedFault error (an abnormal exit). */
  reason?: ExitReason;
}

export interface SlowOptions {
  /** Kernel milliseconds (virtual in tests) each affected message waits before its handler runs. */
  delay: number;
  /** Up to this many more milliseconds, drawn per message. Default 0. */
  jitter?: number;
  /** The share of messages slowed. Default 1. */
  rate?: number;
}

export interface LinkOptions {
  /** The share of matching deliveries hit. Default 1. */
  rate?: number;
  /** At most this many hits, then the fault is spent. Default Infinity. */
  count?: number;
  /** Which deliveries it may hit. Default ['message', 'call', 'reply']: not exit signals or DOWNs, nor system requests. */
  kinds?: DeliveryKind[];
}

export interface DelayOptions extends LinkOptions {
  /** Kernel milliseconds a hit delivery (and every later delivery of its pair) is held. */
  delay: number;
  /** Up to this many more milliseconds, drawn per hit. Default 0. */
  jitter?: number;
}

export interface ReorderOptions extends LinkOptions {
  /**
   * false (default): the delivery goes behind every delivery runnable now, from other senders
   * (an order OTP allows; the pair's later deliveries wait behind it). true: it swaps with the
   * pair's next delivery, breaking OTP's per-pair order on purpose.
   */
  withinPair?: boolean;
}

export interface FailStartOptions {
  /** 'error' (default): the start returns `{ error }`. 'ignore': it returns 'ignore'. */
  mode?: 'error' | 'ignore';
  /** How many starts fail at most. Default 1. */
  times?: number;
  /** The share of starts that fail while it lasts. Default 1. */
  rate?: number;
  /** The error a failing start returns. Default an InjectedFault. */
  error?: unknown;
}

export interface CrashLoopOptions {
  /** Kernel milliseconds between crashes (the first comes `every` ms after arming). */
  every: number;
  /** How many crashes. */
  times: number;
  /** Exit reason of each crash. Default 'kill'. */
  reason?: ExitReason;
}

export interface ChaosOptions {
  /** Names this chaos in events; default 'chaos'. */
  label?: string;
}

const LINK_KINDS: readonly DeliveryKind[] = ['message', 'call', 'system', 'reply', 'signal'];

/**
 * Faults for one system, from its seed: every fault draws from its own fork of the system's
 * random, is recorded in the history with its virtual time (`fault.*`), and is refused with a
 * QuiesceError (NOT_OWNED) when aimed at something the system did not start. See docs/chaos.md.
 */
export class Chaos {
  readonly runtime: Runtime;
  /** The seed every fault of this chaos derives from (the test's). */
  readonly seed: number;
  /** Faults on OS processes the system spawned. */
  readonly os: OsFaults;
  /** @internal */
  readonly host: Host;
  readonly #random: Random;
  readonly #faults: ArmedFault[] = [];
  readonly #stops = new Map<ArmedFault, () => void>();
  readonly #handlers: HandlerFaults;
  readonly #links: LinkFaults;
  readonly #counts = new Map<string, number>();
  readonly #proxies: TcpProxy[] = [];
  readonly #http: HttpFaults[] = [];
  #disposed = false;

  /** @internal use `chaos(system)`. */
  constructor(host: Host, label: string) {
    this.host = host;
    this.runtime = host.runtime;
    this.seed = host.seed;
    const n = ++countersOf(host.runtime).chaos;
    this.#random = host.random.fork(n === 1 ? label : `${label}#${n}`);
    this.#handlers = new HandlerFaults(host.runtime);
    this.#links = new LinkFaults(host);
    this.os = new OsFaults(
      host,
      (type, target, options, onHeal) => this.#arm(type, target, options, { onHeal }),
      (kind) => this.#count(kind),
    );
    host.system?.own({ kind: 'chaos', label, dispose: () => this.dispose(), alive: () => false });
  }

  /** Every fault armed so far, active or not, oldest first. */
  get faults(): readonly Fault[] {
    return this.#faults;
  }

  /** Faults injected so far, by history kind (`fault.kill`: 2, …); arming and healing are not counted. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  // ------------------------------------------------------------------ one-shot

  /** Kill a process now (the untrappable `kill`; it exits `killed`). */
  kill(target: ProcessTarget): void {
    this.#live('kill');
    const pid = resolveProcess(this.host, 'kill', target);
    this.#instant(FAULT_KINDS.kill, pid, { pid: pid.toString() });
    this.runtime.exit(pid, 'kill');
  }

  /** The process exits now with `reason`, as if it had crashed with it (not a trappable signal). */
  exit(target: ProcessTarget, reason: ExitReason): void {
    this.#live('exit');
    const pid = resolveProcess(this.host, 'exit', target);
    if (reason === undefined) {
      throw new InvalidOptionError('exit(reason)', reason, "an exit reason ('normal', 'shutdown', { shutdown: term }, an Error, any term)");
    }
    this.#instant(FAULT_KINDS.exit, pid, { pid: pid.toString(), reason: serialiseReason(reason) });
    crashProcess(this.runtime, pid, reason === 'kill' ? 'killed' : reason);
  }

  // ------------------------------------------------------------------ per message

  /** Crash the process when it handles the Nth message from now on. */
  crashOn(target: ProcessTarget, options: CrashOnOptions): Fault {
    this.#live('crashOn');
    const pid = resolveProcess(this.host, 'crashOn', target);
    checkOptions('crashOn options', options, ['message', 'reason']);
    const nth = checkInteger('crashOn options.message', options.message, 1);
    const fault = this.#arm('crash', this.runtime.label(pid), { pid: pid.toString(), message: nth, reason: options.reason }, { limit: 1 });
    let seen = 0;
    this.#handlers.add(pid, fault, () => {
      if (++seen < nth) return undefined;
      const reason = options.reason ?? new InjectedFault('crash', fault.id, `chaos: crashed on message ${nth} (${fault.id})`);
      fault.fire(FAULT_KINDS.crash, { pid: pid.toString(), message: nth });
      return () => () => {
        throw reason;
      };
    });
    return fault;
  }

  /**
   * From the next message on, the process handles nothing (system requests included): calls to
   * it time out, its mailbox fills. Heal resumes it with that message.
   */
  hang(target: ProcessTarget): Fault {
    this.#live('hang');
    const pid = resolveProcess(this.host, 'hang', target);
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fault = this.#arm('hang', this.runtime.label(pid), { pid: pid.toString() }, { onHeal: () => release() });
    let hung = false;
    this.#handlers.add(pid, fault, () => {
      if (hung) return undefined;
      hung = true;
      fault.fire(FAULT_KINDS.hang, { pid: pid.toString() });
      return (handler) => async (message, ctx) => {
        // A kernel wait: the process is blocked, not busy, so virtual time moves and calls time out.
        await ctx.await(gate);
        if (ctx.runtime.isAlive(ctx.self)) await handler(message, ctx);
      };
    });
    return fault;
  }

  /** Each affected message waits `delay` (+ jitter) kernel milliseconds before the handler runs. */
  slow(target: ProcessTarget, options: SlowOptions): Fault {
    this.#live('slow');
    const pid = resolveProcess(this.host, 'slow', target);
    checkOptions('slow options', options, ['delay', 'jitter', 'rate']);
    const delay = checkMilliseconds('slow options.delay', options.delay);
    const jitter = options.jitter === undefined ? 0 : checkInteger('slow options.jitter', options.jitter, 0);
    const rate = options.rate === undefined ? 1 : checkRate('slow options.rate', options.rate);
    const fault = this.#arm('slow', this.runtime.label(pid), { pid: pid.toString(), delay, jitter, rate });
    this.#handlers.add(pid, fault, () => {
      if (rate < 1 && !fault.random.bool(rate)) return undefined;
      const ms = delay + (jitter > 0 ? fault.random.int(jitter + 1) : 0);
      fault.fire(FAULT_KINDS.slow, { pid: pid.toString(), delay: ms });
      return (handler) => async (message, ctx) => {
        await ctx.sleep(ms);
        if (ctx.runtime.isAlive(ctx.self)) await handler(message, ctx);
      };
    });
    return fault;
  }

  // ------------------------------------------------------------------ between two processes

  /** Drop deliveries from `from` to `to`. */
  drop(from: PairEnd, to: PairEnd, options: LinkOptions = {}): Fault {
    return this.#link('drop', from, to, options, []);
  }

  /** Hold deliveries from `from` to `to` for `delay` (+ jitter) ms; the pair's later deliveries wait behind them. */
  delay(from: PairEnd, to: PairEnd, options: DelayOptions): Fault {
    return this.#link('delay', from, to, options, ['delay', 'jitter']);
  }

  /** Deliver deliveries from `from` to `to` twice (OTP never does: the fault breaks that on purpose). */
  duplicate(from: PairEnd, to: PairEnd, options: LinkOptions = {}): Fault {
    return this.#link('duplicate', from, to, options, []);
  }

  /** Move deliveries from `from` to `to` later (see ReorderOptions.withinPair). */
  reorder(from: PairEnd, to: PairEnd, options: ReorderOptions = {}): Fault {
    return this.#link('reorder', from, to, options, ['withinPair']);
  }

  // ------------------------------------------------------------------ supervision

  /** A copy of `spec` whose start fails (`{ error }` or 'ignore') when the fault fires. Arm it before the tree starts. */
  failStart(spec: ChildSpec, options: FailStartOptions = {}): ChildSpec {
    this.#live('failStart');
    if (typeof spec !== 'object' || spec === null || typeof spec.start !== 'function' || typeof spec.id !== 'string') {
      throw new InvalidOptionError('failStart(spec)', spec, 'a child spec { id, start } (worker(...), serverChild(...))');
    }
    checkOptions('failStart options', options, ['mode', 'times', 'rate', 'error']);
    const mode = options.mode === undefined ? 'error' : checkOneOf('failStart options.mode', options.mode, ['error', 'ignore'] as const);
    const times = options.times === undefined ? 1 : checkCount('failStart options.times', options.times);
    const rate = options.rate === undefined ? 1 : checkRate('failStart options.rate', options.rate);
    const fault = this.#arm('fail_start', spec.id, { child: spec.id, mode, times, rate }, { limit: times });
    return failingStart(this.runtime, spec, fault, mode, rate, options.error);
  }

  /** Crash the child `id` of `supervisor` every `every` ms, `times` times: drives its restart intensity to the boundary and past it. */
  crashLoop(supervisor: SupervisorRef, id: string, options: CrashLoopOptions): Fault {
    this.#live('crashLoop');
    const sup = checkSupervisorChild(this.runtime, 'crashLoop', supervisor, id);
    checkOptions('crashLoop options', options, ['every', 'times', 'reason']);
    const every = checkMilliseconds('crashLoop options.every', options.every, { positive: true });
    const times = checkInteger('crashLoop options.times', options.times, 1);
    const reason = options.reason ?? 'kill';
    let stop = (): void => undefined;
    const fault = this.#arm('crash_loop', `${sup.label}/${id}`, { child: id, every, times, reason }, { limit: times, onHeal: () => stop() });
    stop = runCrashLoop(this.runtime, sup, id, fault, every, reason);
    this.#stops.set(fault, stop);
    return fault;
  }

  /** A copy of `behaviour` whose terminate throws (after the original ran) until healed. */
  throwInTerminate<S, A>(behaviour: ServerBehaviour<S, A>, options: { error?: unknown } = {}): ServerBehaviour<S, A> {
    this.#live('throwInTerminate');
    const checked = checkBehaviour<S, A>('throwInTerminate(behaviour)', behaviour);
    checkOptions('throwInTerminate options', options, ['error']);
    const fault = this.#arm('terminate_throw', 'terminate', {});
    return throwingTerminate(checked, fault, options.error);
  }

  // ------------------------------------------------------------------ time

  /**
   * Jump the virtual clock `ms` forward at once (a suspended VM, a stepped wall clock): the time is
   * the new one before anything runs, then the timers that came due fire in deadline order, each
   * seeing the new time. Refused on a real clock.
   */
  async clockJump(ms: number): Promise<void> {
    this.#live('clockJump');
    await clockJump(this.host, (data) => this.#event(FAULT_KINDS.clockJump, 'clock', data), ms);
  }

  /**
   * Skew a process's view of time ('*': every process's) by `factor` on the virtual clock: its
   * timers take `1/factor` of their delay and its `ctx.now()` runs `factor` times as fast. Heal
   * ends it. Refused on a real clock.
   */
  skew(target: ProcessTarget | '*', options: SkewOptions): Fault {
    this.#live('skew');
    const pid = target === '*' ? '*' : resolveProcess(this.host, 'skew', target);
    return skew(this.host, (label, o, onHeal) => this.#arm('clock_skew', label, o, { onHeal }), pid, options);
  }

  // ------------------------------------------------------------------ containers

  /**
   * Faults on a container this test's system started (`system.container`): pause, unpause, stop,
   * kill, restart through the engine's API (the harness's container faults), each recorded as
   * `fault.container`. Refused with NOT_OWNED for any other container.
   */
  container(handle: ChaosContainer): ContainerFaults {
    this.#live('container');
    const container = checkContainer(this.host, handle);
    return new ContainerFaults(
      container,
      (type, target, o, onHeal) => this.#arm(type, target, o, { onHeal }),
      (kind, source, data) => this.#event(kind, source, data),
    );
  }

  // ------------------------------------------------------------------ resource exhaustion

  /**
   * Cap the runtime's live processes at `limit` (a number, or `{ min, max }` drawn from the seed):
   * a spawn at the cap throws SystemLimitError (OTP's system_limit) and records
   * `process.system_limit`; a supervisor starting a child there records `child.start_failed`.
   * Heal (or teardown) restores the previous cap.
   */
  limitProcesses(limit: LimitValue): Fault {
    this.#live('limitProcesses');
    const n = drawLimit('limitProcesses(limit)', limit, this.#random, 0);
    let restore = (): void => undefined;
    const fault = this.#arm('limit_processes', 'runtime', { limit: n, live: this.runtime.processCount }, { onHeal: () => restore() });
    restore = capProcesses(this.runtime, n);
    return fault;
  }

  /**
   * Cap a dynamic supervisor's children at `limit` (a number or a seeded range): startChild at the
   * cap is refused with MAX_CHILDREN (OTP's `{error, max_children}`) and records
   * `supervisor.max_children`. Heal (or teardown) restores its own maxChildren.
   */
  limitChildren(supervisor: DynamicSupervisorRef, limit: LimitValue): Fault {
    this.#live('limitChildren');
    const n = drawLimit('limitChildren(limit)', limit, this.#random, 0);
    const cap = capChildren('limitChildren(supervisor)', supervisor, n);
    return this.#arm('limit_children', cap.label, { limit: n }, { onHeal: cap.restore });
  }

  /**
   * OS process options (`{ command, args, … }`, for osProcess or system.spawn) whose program starts
   * with its file-descriptor limit lowered to `limit` (a number or a seeded range): past it, its
   * open() and socket() fail with EMFILE. The limit dies with the program; the fault's arm and
   * heal (at teardown) are in the history.
   */
  limitFds<T extends CommandLine>(options: T, limit: LimitValue): T {
    this.#live('limitFds');
    const checked = checkCommandLine('limitFds(options)', options);
    const n = drawLimit('limitFds(limit)', limit, this.#random, 3);
    this.#arm('limit_fds', `os:${checked.command}`, { limit: n });
    return withFdLimit(options, n);
  }

  /**
   * Worker-thread options (`{ filename | url, … }`) with an old-generation heap limit of `mb` MiB
   * (ERR_WORKER_OUT_OF_MEMORY past it), or OS process options whose program gets one (Node:
   * --max-old-space-size; others: RLIMIT_AS). `mb` is a number or a seeded range.
   */
  limitHeap<T extends WorkerThreadOptions>(options: T, mb: LimitValue): T & { resourceLimits: WorkerResourceLimits };
  limitHeap<T extends CommandLine>(options: T, mb: LimitValue): T;
  limitHeap<T extends CommandLine | WorkerThreadOptions>(options: T, mb: LimitValue): T {
    this.#live('limitHeap');
    const n = drawLimit('limitHeap(mb)', mb, this.#random, 1);
    if (isWorkerOptions(options)) {
      const file = options.filename ?? options.url;
      this.#arm('limit_heap', `thread:${String(file)}`, { mb: n, via: 'resourceLimits' });
      return withWorkerHeapLimit(options, n) as T;
    }
    const checked = checkCommandLine('limitHeap(options)', options);
    const limited = withHeapLimit(checked, n);
    this.#arm('limit_heap', `os:${checked.command}`, { mb: n, via: limited.command === 'sh' ? 'rlimit_as' : 'max_old_space_size' });
    return limited as T;
  }

  // ------------------------------------------------------------------ TCP

  /**
   * An in-process TCP fault proxy on 127.0.0.1 in front of `upstream` (a loopback port): connect
   * to `proxy.port`, add toxics (`proxy.toxic('latency', { latency: 100 })`), take it down and up.
   * Owned by the system (closed at teardown); for a bare Runtime, `dispose()` closes it.
   */
  async tcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
    this.#live('tcpProxy');
    const parsed = parseProxyOptions(options);
    const proxy = new TcpProxy(
      this.runtime,
      this.#random.fork(`tcp#${this.#proxies.length + 1}`),
      (type, target, o, onHeal) => this.#arm(type, target, o, { onHeal }),
      parsed,
    );
    await proxy.listen();
    this.#proxies.push(proxy);
    const label = `${proxy.label} on port ${proxy.port}`;
    this.host.system?.own({ kind: 'tcp-proxy', label, dispose: () => proxy.close(), alive: () => proxy.alive(), external: () => proxy.alive() });
    return proxy;
  }

  // ------------------------------------------------------------------ HTTP

  /**
   * HTTP faults on an msw server (2 or 3) of this test: `chaos(system).http(server, { http }).fault('status', { path, status: 503 })`.
   * Refused (NOT_OWNED) while another live test's system holds faults on the same server. Its
   * handlers leave the server at teardown (or `dispose()`).
   */
  http(server: MswFaultServer, options: HttpFaultsOptions): HttpFaults {
    this.#live('http');
    const parsed = parseHttpFaultsArgs(server, options);
    const faults = new HttpFaults(
      this.#random.fork(`http#${this.#http.length + 1}`),
      (type, target, o, onHeal, limit) => this.#arm(type, target, o, { onHeal, limit }),
      parsed.server,
      parsed,
      this.host.system,
    );
    faults.claim();
    this.#http.push(faults);
    return faults;
  }

  // ------------------------------------------------------------------ lifetime

  /** Heal every active fault: hung processes resume, paused programs continue, nothing more is injected. */
  heal(): void {
    for (const fault of this.#faults) fault.heal();
  }

  /** Heal everything, release held deliveries, remove the runtime hooks. Teardown does it for a test's system. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.heal();
    for (const stop of this.#stops.values()) stop();
    this.#links.dispose();
    this.#handlers.dispose();
    for (const proxy of this.#proxies) void proxy.close();
    for (const faults of this.#http) faults.dispose();
    this.#disposed = true;
  }

  // ------------------------------------------------------------------ internals

  #link(action: LinkAction, from: unknown, to: unknown, options: unknown, extra: readonly string[]): Fault {
    const where = action;
    this.#live(where);
    const a = checkPairEnd(this.host, `${where}(from)`, from);
    const b = checkPairEnd(this.host, `${where}(to)`, to);
    const required = action === 'delay';
    if (!required && options === undefined) options = {};
    checkOptions(`${where} options`, options, ['rate', 'count', 'kinds', ...extra]);
    const o = options as unknown as DelayOptions & ReorderOptions;
    const rate = o.rate === undefined ? 1 : checkRate(`${where} options.rate`, o.rate);
    const count = o.count === undefined ? Number.POSITIVE_INFINITY : checkCount(`${where} options.count`, o.count);
    const kinds = o.kinds === undefined ? DEFAULT_LINK_KINDS : checkSubset(`${where} options.kinds`, o.kinds, LINK_KINDS);
    const delay = action === 'delay' ? checkMilliseconds('delay options.delay', o.delay) : 0;
    const jitter = o.jitter === undefined ? 0 : checkInteger(`${where} options.jitter`, o.jitter, 0);
    const withinPair = o.withinPair === undefined ? false : checkBoolean(`${where} options.withinPair`, o.withinPair);
    const fault = this.#arm(
      action,
      describePair(a, b),
      { rate, count, kinds, ...(action === 'delay' ? { delay, jitter } : {}), ...(action === 'reorder' ? { withinPair } : {}) },
      { limit: count },
    );
    this.#links.add({ fault, action, from: a, to: b, kinds: new Set(kinds), rate, delay, jitter, withinPair });
    return fault;
  }

  #arm(type: string, target: string, options: Record<string, unknown>, more: { limit?: number; onHeal?: () => void } = {}): ArmedFault {
    const fault = new ArmedFault(this.runtime, this.#random, { type, target, options, ...more, onFire: (kind) => this.#count(kind) });
    this.#faults.push(fault);
    return fault;
  }

  #instant<K extends FiredKind>(kind: K, pid: Pid, data: FaultData<K>): void {
    this.#event(kind, this.runtime.label(pid), data);
  }

  /** A one-shot fault: recorded with its own id and counted. */
  #event<K extends FiredKind>(kind: K, source: string, data: FaultData<K>): void {
    const id = `f${++countersOf(this.runtime).faults}`;
    recordFault(this.runtime, kind, source, id, data);
    this.#count(kind);
  }

  #count(kind: string): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
  }

  #live(operation: string): void {
    if (this.#disposed) {
      throw new QuiesceError('AFTER_TEARDOWN', `${operation}: this chaos was disposed (its test's system was torn down, or dispose() was called)`, {
        operation,
      });
    }
    if (this.host.system?.tornDown) resolveHost(operation, this.host.system);
  }
}

function checkBoolean(where: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new InvalidOptionError(where, value, 'a boolean');
}

/** Chaos for a test's system (the `system` fixture) or a bare Runtime, from its seed. */
export function chaos(host: ChaosHost, options: ChaosOptions = {}): Chaos {
  const resolved = resolveHost('chaos(host)', host);
  checkOptions('chaos options', options, ['label']);
  const label = options.label ?? 'chaos';
  if (typeof label !== 'string' || label === '') throw new InvalidOptionError('chaos options.label', label, 'a non-empty string');
  return new Chaos(resolved, label);
}
