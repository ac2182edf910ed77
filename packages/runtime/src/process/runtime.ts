import { CallExitError, CallTimeoutError, InvalidOptionError, NoProcError, QuiesceError, SystemLimitError } from '../errors.js';
import { checkMilliseconds, checkOptions } from '../checks/options.js';
import type { Clock, TimerHandle } from '../kernel/clock.js';
import type { CustomKind, EventKind, QuiesceEvents } from '../kernel/events.js';
import { History, type HistoryEvent } from '../kernel/history.js';
import { Random } from '../kernel/random.js';
import { RealClock } from '../kernel/real-clock.js';
import { Scheduler } from '../kernel/scheduler.js';
import { TimeFlow, type StepResult } from '../kernel/time-flow.js';
import { OutsideWork } from './outside-work.js';
import { nextMacrotask } from '../kernel/turn.js';
import { VirtualClock } from '../kernel/virtual-clock.js';
import { publishEvent } from '../diagnostics/channels.js';
import { isNormalExit, serialiseReason, type DownMessage, type ExitMessage, type ExitReason } from './exit-reason.js';
import { interceptDelivery, interceptHandler, interceptNow, interceptTimer, type DeliveryKind, type HandlerInterceptor } from './intercept.js';
import { Pid } from './pid.js';
import {
  checkPid,
  checkSender,
  checkTarget,
  checkTimerArguments,
  toPolicy,
  validateRuntimeOptions,
  validateSpawnOptions,
  type GroupReaper,
  type RuntimeOptions,
} from './runtime-options.js';

export type { GroupReaper, RuntimeOptions, SchedulerOption } from './runtime-options.js';
import { CALL, SYSTEM, type CallEnvelope, type From, type SystemRequest } from './protocol.js';

export type MessageHandler = (message: unknown, ctx: ProcessContext) => void | Promise<void>;

/** Answers system requests (sync, get_state) for a process; the default answers sync only. */
export type SystemHandler = (request: SystemRequest, from: From) => void;

/** A fault-injection hook over this runtime's deliveries and handler runs (see `Runtime.intercept`). */
export type Interceptor = HandlerInterceptor<MessageHandler>;

export interface SpawnOptions {
  /** Link the new process to this one (both directions), atomically with the spawn. */
  link?: Pid;
  /** Start trapping exits before any message is handled. */
  trapExit?: boolean;
  /** Register the process under a name scoped to this runtime. */
  name?: string;
  /** A human label used as the history source (defaults to the pid). */
  label?: string;
  /** Runs before any message, like a process's first instructions. */
  init?: (ctx: ProcessContext) => void | Promise<void>;
}

let nextNode = 1;

/** The timeout rule of calls, sync and getState. */
const CALL_TIMEOUT = { allowInfinity: true } as const;

/** Already resolved: `SETTLED.then(fn)` queues `fn` as a microtask. */
const SETTLED = Promise.resolve();

/** The sender key of a process's turn to run: one pair per process, apart from every signal. */
const RUN = 'run';

/** Internal per-process state. Kept small: an idle process should cost well under 2 KB. */
class Proc {
  readonly pid: Pid;
  readonly key: string;
  label: string;
  handler: MessageHandler;
  mailbox: unknown[] = [];
  head = 0;
  trapExit = false;
  alive = true;
  busy = false;
  /** Its turn to handle its mailbox is scheduled. */
  woken = false;
  /** Runs its turn (see #deliver); made on its first message. */
  turn: (() => void) | undefined = undefined;
  /** A handler (or init) of this process is running: it counts as active unless blocked on kernel waits. */
  running = false;
  /** Kernel waits (calls, sleeps, ctx.await) started by the current handler run and still pending. */
  waits = 0;
  /** Numbers handler runs, so a wait left pending by an earlier run cannot touch the current one's count. */
  run = 0;
  exitReason: ExitReason | undefined = undefined;
  name: string | undefined = undefined;
  links: Set<Proc> | undefined = undefined;
  /** monitor ref -> the watcher (a process, or a callback for internal watchers), set when the monitor request arrives. */
  watchers: Map<number, Proc | ((reason: ExitReason) => void)> | undefined = undefined;
  /** Refs of the monitors this process holds as the watcher (its side of them, active at once). */
  monitors: Set<number> | undefined = undefined;
  timers: Set<TimerHandle> | undefined = undefined;
  system: SystemHandler | undefined = undefined;
  ctx: ProcessContext | undefined = undefined;
  /** Told the mailbox's length at every enqueue and dequeue (see Runtime.watchMailbox); usually none. */
  mailboxWatchers: Set<MailboxListener> | undefined = undefined;

  constructor(pid: Pid, handler: MessageHandler, label: string | undefined) {
    this.pid = pid;
    this.key = pid.toString();
    this.label = label ?? this.key;
    this.handler = handler;
  }
}

/** Told a mailbox's new length (messages not yet handled) each time it changes. */
export type MailboxListener = (length: number) => void;

/** The watcher's side of a process monitor: a DOWN is delivered only while this entry exists. */
interface MonitorEntry {
  watcher: Proc;
  /** The monitored process, if it was alive when monitored. */
  target: Proc | undefined;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: TimerHandle | undefined;
  target: Proc;
  /** The calling process, if any: its calls are dropped when it exits. */
  caller: Pid | null;
  /** Its sender key ('external' outside any process): where the reply or the exit travels to. */
  callerKey: string;
  /**
   * The request has reached the live target: from then on the target's exit rejects the call with
   * CallExitError (the monitor OTP's gen:call holds, kept as this flag: #exitProc scans the calls).
   */
  delivered: boolean;
}

/**
 * One world of processes on one kernel (clock, scheduler, random, history). Nothing is global:
 * two runtimes never see each other's names or processes.
 */
export class Runtime {
  readonly clock: Clock;
  readonly history: History;
  readonly random: Random;
  readonly scheduler: Scheduler;
  readonly node: number;
  readonly recordMessages: boolean;
  /** Told about every OS process group the runtime starts (RuntimeOptions.reaper). */
  readonly reaper: GroupReaper | undefined;

  readonly #procs = new Map<number, Proc>();
  readonly #names = new Map<string, Proc>();
  readonly #calls = new Map<number, PendingCall>();
  readonly #monitors = new Map<number, MonitorEntry>();
  /** Stands for the world outside any process: the sender of an exit signal sent with no `from`. */
  readonly #outside: Pid;
  #nextPid = 1;
  #nextRef = 1;
  /** Live processes (the map keeps dead ones for their exit reasons). */
  #liveCount = 0;
  /** Most live processes at once; a spawn beyond it fails with system_limit. */
  #processLimit = Number.POSITIVE_INFINITY;
  #pumping = false;
  #pumpScheduled = false;
  /** Handlers running that are not blocked on a kernel event. */
  #active = 0;
  /** What lives outside the runtime and may still act (see OutsideWork). */
  readonly #work = new OutsideWork(() => this.#checkIdle());
  /** Fault-injection hooks (see intercept.ts); empty unless @quiesce/chaos installed some. */
  #interceptors: Interceptor[] = [];
  readonly #flow: TimeFlow;
  #idleWaiters: Array<() => void> = [];
  #stopped = false;
  #stoppedBy: { code: 'RUNTIME_STOPPED' | 'AFTER_TEARDOWN'; by: string | undefined } | undefined;
  /** Set when the scheduler fails mid-run; the runtime delivers nothing more. */
  #fault: unknown = undefined;

  constructor(options: RuntimeOptions = {}) {
    validateRuntimeOptions(options);
    this.clock = options.clock === 'virtual' ? new VirtualClock() : options.clock === undefined || options.clock === 'real' ? new RealClock() : options.clock;
    this.random = new Random(options.seed ?? 0);
    this.scheduler = new Scheduler(toPolicy(options.scheduler));
    this.history = options.history ?? new History(() => this.clock.now());
    this.recordMessages = options.recordMessages ?? false;
    this.reaper = options.reaper;
    this.node = nextNode++;
    this.#flow = new TimeFlow({
      clock: this.clock,
      idleInside: () => this.idleInside(),
      externalLive: () => this.externalLive(),
      nextActivity: () => this.nextActivity(),
    });
    // Any event, whoever appends it, is activity: a wait on the outside world wakes on it.
    this.history.subscribe(() => this.#work.activity.notify());
    this.#outside = new Pid(this.node, 0);
  }

  // ---------------------------------------------------------------- time

  now(): number {
    return this.clock.now();
  }

  /** The time as process `pid` sees it (its `ctx.now()`): the clock's, unless a fault skews its view. */
  timeOf(pid: Pid): number {
    const now = this.clock.now();
    return this.#interceptors.length === 0 ? now : interceptNow(this.#interceptors, pid, now);
  }

  /**
   * Virtual clocks only: let the system run until idle, fire the next due timer, repeat, until
   * `ms` of virtual time have passed. Timers set by reactions to earlier timers fire too. While
   * something outside the runtime is live (an OS child), time flows at the pace of real time
   * instead of jumping (see `step`).
   */
  async advance(ms: number): Promise<void> {
    const clock = this.#virtualClock('advance');
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new InvalidOptionError('advance(ms)', ms, 'a finite number of milliseconds >= 0');
    }
    const from = clock.now();
    const target = from + ms;
    for (;;) {
      const step = await this.#flow.step(target);
      if (step === 'beyond' || step === 'never') break;
    }
    clock.setNow(target);
    await this.idleInside();
    this.record('clock.advance', 'clock', { from, to: target });
  }

  /** Virtual clocks only: run until idle, then fire timers one by one until none is pending or `limitMs` passes. */
  async runTimers(limitMs = Number.POSITIVE_INFINITY): Promise<number> {
    const clock = this.#virtualClock('runTimers');
    if (typeof limitMs !== 'number' || !(limitMs >= 0)) {
      throw new InvalidOptionError('runTimers(limitMs)', limitMs, 'a number of milliseconds >= 0 (Infinity: no limit)');
    }
    const limit = clock.now() + limitMs;
    let fired = 0;
    for (;;) {
      const step = await this.#flow.step(limit);
      if (step === 'fired') fired++;
      else if (step !== 'flowed') return fired;
    }
  }

  /**
   * One step of driving time towards `limit` (clock milliseconds): wait until nothing inside the
   * runtime can run, then on a virtual clock either jump to the next timer (nothing outside is
   * live) or let time flow with real time until the next activity or timer (something outside
   * is live). What it did is the result; see StepResult. Waits and `advance` are loops of steps.
   */
  step(limit = Number.POSITIVE_INFINITY, stop?: AbortSignal, options?: { jump?: boolean }): Promise<StepResult> {
    if (typeof limit !== 'number' || Number.isNaN(limit))
      return Promise.reject(new InvalidOptionError('step(limit)', limit, 'a number of clock milliseconds (Infinity for no limit)'));
    if (stop !== undefined && !(stop instanceof AbortSignal)) return Promise.reject(new InvalidOptionError('step(stop)', stop, 'an AbortSignal or undefined'));
    if (options !== undefined) {
      try {
        checkOptions('step options', options, ['jump']);
      } catch (error) {
        return Promise.reject(error);
      }
      if (options.jump !== undefined && typeof options.jump !== 'boolean')
        return Promise.reject(new InvalidOptionError('step options.jump', options.jump, 'a boolean'));
    }
    return this.#flow.step(limit, stop, options?.jump ?? true);
  }

  #virtualClock(operation: string): VirtualClock {
    if (!(this.clock instanceof VirtualClock)) {
      throw new QuiesceError('INVALID_OPTION', `${operation}: needs a runtime with clock: 'virtual' (this one is ${this.clock.kind})`, { operation });
    }
    return this.clock;
  }

  /** Set a kernel timer. Timers of a process are cancelled when it exits. */
  setTimer(delayMs: number, fn: () => void, owner?: Pid): TimerHandle {
    checkTimerArguments(delayMs, fn, owner);
    const proc = owner ? this.#resolve(owner) : undefined;
    const delay = this.#interceptors.length === 0 ? delayMs : interceptTimer(this.#interceptors, owner, delayMs);
    const handle = this.clock.setTimer(delay, () => {
      proc?.timers?.delete(handle);
      fn();
      this.#schedulePump();
    });
    if (proc) (proc.timers ??= new Set()).add(handle);
    return handle;
  }

  clearTimer(handle: TimerHandle): boolean {
    if (typeof handle !== 'object' || handle === null) throw new InvalidOptionError('clearTimer(handle)', handle, 'a TimerHandle returned by setTimer');
    return this.clock.clearTimer(handle);
  }

  // ---------------------------------------------------------------- idleness

  /** True when nothing is runnable, no handler is working and no external operation is in flight. */
  isQuiet(): boolean {
    return this.#insideQuiet() && this.#work.inFlight === 0;
  }

  /** Nothing inside the runtime can run now; external operations may be in flight. */
  #insideQuiet(): boolean {
    return this.scheduler.size === 0 && this.#active === 0 && !this.#pumping;
  }

  /**
   * Whether anything outside the runtime can still act: an external operation in flight, a live
   * external actor (OS child, worker thread), or a source added with `addExternalSource`.
   */
  externalLive(): boolean {
    return this.#work.live();
  }

  /**
   * Count a live external actor (an OS process, a thread) until the returned function is called:
   * while it lives, waits wait for it and virtual time flows with real time. Idempotent release.
   */
  holdExternal(label: string): () => void {
    return this.#work.hold(label);
  }

  /** Labels of the live external actors (for leak reports and messages), oldest first. */
  externalActors(): string[] {
    return this.#work.labels();
  }

  /** Add a probe that says whether some external thing is still live (the harness's owned resources). */
  addExternalSource(live: () => boolean): () => void {
    return this.#work.addSource(live);
  }

  /** Resolves at the next activity: a delivery scheduled, a history event, an external operation ending. */
  nextActivity(): Promise<void> {
    return this.#work.activity.next();
  }

  /**
   * Resolves when the system is durably idle: quiet, and still quiet after every pending
   * microtask has run (checked across a macrotask turn).
   */
  idle(): Promise<void> {
    return this.#durably(() => this.isQuiet());
  }

  /** Resolves when nothing inside the runtime can run, durably; external work may still be in flight. */
  idleInside(): Promise<void> {
    return this.#durably(() => this.#insideQuiet());
  }

  async #durably(quiet: () => boolean): Promise<void> {
    for (;;) {
      if (this.#fault !== undefined) throw this.#fault;
      if (!quiet()) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      if (this.#fault !== undefined) throw this.#fault;
      await nextMacrotask();
      if (quiet()) return;
    }
  }

  /**
   * A process counts as active while a handler of it runs and no kernel wait of that run is
   * pending. Every change to those three fields goes through here so #active stays their sum.
   */
  #account(proc: Proc, change: () => void): void {
    const before = proc.running && proc.waits === 0;
    change();
    this.#accounted(proc, before);
  }

  /** The second half of #account, for the hot paths that change the fields inline (no closure). */
  #accounted(proc: Proc, activeBefore: boolean): void {
    const after = proc.running && proc.waits === 0;
    if (activeBefore === after) return;
    this.#active += after ? 1 : -1;
    if (!after) this.#checkIdle();
  }

  /** A handler run of `proc` ends (or its process died): it no longer counts as running. */
  #stopRunning(proc: Proc): void {
    const before = proc.running && proc.waits === 0;
    proc.running = false;
    this.#accounted(proc, before);
  }

  /**
   * A kernel wait of `proc` begins: returns the function that ends it. Only waits started while a
   * handler runs count, and only against that run (a wait it left pending, e.g. the loser of a
   * Promise.race, is forgotten when the run ends).
   */
  #beginWait(proc: Proc): () => void {
    if (!proc.running) return () => undefined;
    const run = proc.run;
    this.#account(proc, () => proc.waits++);
    let ended = false;
    return () => {
      if (ended || proc.run !== run || !proc.running) return;
      ended = true;
      this.#account(proc, () => proc.waits--);
    };
  }

  /** Mark the caller as waiting on a kernel event (not active) until `promise` settles. */
  async block<T>(promise: Promise<T>): Promise<T> {
    this.#active--;
    this.#checkIdle();
    try {
      return await promise;
    } finally {
      this.#active++;
    }
  }

  /** Count an external operation as in flight until `promise` settles; the system is not idle meanwhile. */
  external<T>(promise: Promise<T>): Promise<T> {
    return this.#work.track(promise);
  }

  #checkIdle(): void {
    // Waiters re-check their own condition: inside-quiet is the weaker of the two.
    if (this.#idleWaiters.length === 0 || (!this.#insideQuiet() && this.#fault === undefined)) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---------------------------------------------------------------- history

  /** Record an event: a declared kind with its payload (docs/events.md), or a custom kind (see `CustomKind`) with any data. */
  record<K extends EventKind>(kind: K, source: string, data: QuiesceEvents[K]): HistoryEvent<K, QuiesceEvents[K]>;
  record<K extends string>(kind: CustomKind<K>, source: string, data: unknown): HistoryEvent<K>;
  record(kind: string, source: string, data: unknown): HistoryEvent {
    if (typeof kind !== 'string' || kind === '') throw new InvalidOptionError('record(kind)', kind, 'a non-empty string');
    if (typeof source !== 'string') throw new InvalidOptionError('record(source)', source, 'a string');
    const event = this.history.append(kind, source, data);
    publishEvent(event, this.node);
    return event;
  }

  // ---------------------------------------------------------------- processes

  spawn(handler: MessageHandler, options: SpawnOptions = {}): Pid {
    this.#assertRunning('spawn');
    if (typeof handler !== 'function') throw new InvalidOptionError('spawn(handler)', handler, 'a function (message, ctx) => void');
    validateSpawnOptions(options);
    if (this.#liveCount >= this.#processLimit) {
      this.record('process.system_limit', options.label ?? 'runtime', { limit: this.#processLimit, live: this.#liveCount });
      throw new SystemLimitError(this.#processLimit);
    }
    const linkTo = options.link ? this.#resolve(options.link) : undefined;
    if (options.name !== undefined && this.#names.has(options.name)) {
      throw new QuiesceError('NAME_TAKEN', `spawn: name ${JSON.stringify(options.name)} is already registered to ${this.#names.get(options.name)!.key}`, {
        name: options.name,
      });
    }
    const pid = new Pid(this.node, this.#nextPid++);
    const proc = new Proc(pid, handler, options.label);
    proc.trapExit = options.trapExit ?? false;
    this.#procs.set(pid.id, proc);
    this.#liveCount++;
    if (options.name !== undefined) {
      proc.name = options.name;
      this.#names.set(options.name, proc);
    }
    // Optional fields assigned, not spread: the same keys in the same order, without the copies.
    const spawned: QuiesceEvents['process.spawn'] = { pid: proc.key };
    if (options.name) spawned.name = options.name;
    if (options.link) spawned.parent = options.link.toString();
    this.record('process.spawn', proc.label, spawned);
    if (options.link) {
      // Linking to a dead process kills the new one with noproc, as spawn_link does.
      if (linkTo?.alive) this.#linkProcs(proc, linkTo);
      else this.#signal(proc, options.link, 'noproc', true);
    }
    if (options.init && proc.alive) {
      const init = options.init;
      this.#runHandler(proc, (_message, ctx) => init(ctx), undefined);
    }
    return pid;
  }

  /** The pid registered under `name`, if any. */
  whereis(name: string): Pid | undefined {
    return this.#names.get(name)?.pid;
  }

  register(name: string, pid: Pid): void {
    if (typeof name !== 'string' || name === '') throw new InvalidOptionError('register(name)', name, 'a non-empty string');
    const proc = this.#live(pid, 'register');
    const holder = this.#names.get(name);
    if (holder) throw new QuiesceError('NAME_TAKEN', `register: name ${JSON.stringify(name)} is already registered to ${holder.key}`, { name });
    if (proc.name !== undefined) throw new QuiesceError('NAME_TAKEN', `register: ${proc.key} is already registered as ${JSON.stringify(proc.name)}`, { name });
    proc.name = name;
    this.#names.set(name, proc);
  }

  unregister(name: string): boolean {
    const proc = this.#names.get(name);
    if (!proc) return false;
    this.#names.delete(name);
    proc.name = undefined;
    return true;
  }

  /** Names currently registered, in registration order. */
  registered(): string[] {
    return [...this.#names.keys()];
  }

  isAlive(target: Pid | string): boolean {
    return this.#resolve(target)?.alive ?? false;
  }

  /** The exit reason of a process that has exited (kept for processes of this runtime). */
  exitReason(pid: Pid): ExitReason | undefined {
    return this.#resolve(pid)?.exitReason;
  }

  label(pid: Pid): string {
    return this.#resolve(checkPid('label(pid)', pid))?.label ?? pid.toString();
  }

  setLabel(pid: Pid, label: string): void {
    if (typeof label !== 'string' || label === '') throw new InvalidOptionError('setLabel(label)', label, 'a non-empty string');
    const proc = this.#resolve(pid);
    if (proc) proc.label = label;
  }

  /** Live processes, in spawn order. */
  processes(): Pid[] {
    const out: Pid[] = [];
    for (const proc of this.#procs.values()) if (proc.alive) out.push(proc.pid);
    return out;
  }

  /** How many processes are alive now. */
  get processCount(): number {
    return this.#liveCount;
  }

  /**
   * Cap how many processes may be alive at once (OTP's +P); `undefined` removes the cap. A spawn at
   * the cap throws SystemLimitError (code SYSTEM_LIMIT, OTP's system_limit) and records
   * `process.system_limit`. Processes already alive are left alone. Returns the previous cap.
   */
  limitProcesses(limit: number | undefined): number | undefined {
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
      throw new InvalidOptionError('limitProcesses(limit)', limit, 'an integer >= 0, or undefined for no limit');
    const previous = this.#processLimit;
    this.#processLimit = limit ?? Number.POSITIVE_INFINITY;
    return Number.isFinite(previous) ? previous : undefined;
  }

  /** The process cap set by `limitProcesses`, if any. */
  get processLimit(): number | undefined {
    return Number.isFinite(this.#processLimit) ? this.#processLimit : undefined;
  }

  /**
   * Call `listener` with `pid`'s mailbox length each time a message is enqueued or taken out (and
   * with 0 when the process exits): an exact trace, not a sample. Returns the unwatch function.
   * The current length is `messageQueueLength(pid)`.
   */
  watchMailbox(pid: Pid, listener: MailboxListener): () => void {
    checkPid('watchMailbox(pid)', pid);
    if (typeof listener !== 'function') throw new InvalidOptionError('watchMailbox(listener)', listener, 'a function (length) => void');
    const proc = this.#resolve(pid);
    if (!proc?.alive) return () => undefined;
    const watchers = (proc.mailboxWatchers ??= new Set());
    watchers.add(listener);
    return () => {
      watchers.delete(listener);
      if (watchers.size === 0 && proc.mailboxWatchers === watchers) proc.mailboxWatchers = undefined;
    };
  }

  #mailboxChanged(proc: Proc): void {
    const length = proc.mailbox.length - proc.head;
    for (const listener of [...proc.mailboxWatchers!]) listener(length);
  }

  messageQueueLength(pid: Pid): number {
    const proc = this.#resolve(pid);
    return proc?.alive ? proc.mailbox.length - proc.head : 0;
  }

  /** Send a message. Sending to a dead pid is silently dropped (as in OTP); an unknown name throws. */
  send(to: Pid | string, message: unknown, from?: Pid): void {
    checkSender('send', from);
    const target = this.#resolve(to);
    if (!target) {
      if (typeof to === 'string') throw new NoProcError(JSON.stringify(to), 'send');
      if (!(to instanceof Pid)) throw new InvalidOptionError('send(to)', to, 'a Pid or a registered name');
      return;
    }
    const fromKey = from?.toString() ?? 'external';
    if (this.recordMessages) this.record('message.send', from ? this.label(from) : 'external', { to: target.label, message: serialiseReason(message) });
    this.#enqueue(fromKey, target, () => this.#deliver(target, message), 'message', message);
  }

  /**
   * `a` links to `b` (OTP's link/1 run by `a`). `a`'s side of the link exists at once; the link
   * request then travels a -> b after everything `a` sent before it, so if an exit signal `a` sent
   * earlier kills `b`, `b` answers with a `noproc` exit signal through the new link. Linking to a
   * process already dead: a trapping `a` gets `{ EXIT, b, noproc }`, any other gets a NoProcError
   * thrown (catchable), as link/1 raises noproc.
   */
  link(a: Pid, b: Pid): void {
    const pa = this.#live(a, 'link');
    const pb = this.#resolve(checkPid('link(pid)', b));
    if (pb === pa || (pb && pa.links?.has(pb))) return;
    if (!pb?.alive) {
      if (!pa.trapExit) throw new NoProcError(b.toString(), 'link');
      const msg: ExitMessage = { type: 'EXIT', from: b, reason: 'noproc' };
      this.#enqueue(b.toString(), pa, () => this.#deliver(pa, msg));
      return;
    }
    (pa.links ??= new Set()).add(pb);
    this.#enqueue(pa.key, pb, () => {
      if (pb.alive) (pb.links ??= new Set()).add(pa);
      else this.#enqueue(pb.key, pa, () => this.#linkExit(pa, pb, 'noproc'));
    });
  }

  /**
   * `a` removes its link to `b` (OTP's unlink/1 run by `a`): at once on `a`'s side, so an exit
   * signal already travelling through the link has no effect on `a`; the unlink request then
   * travels a -> b in order.
   */
  unlink(a: Pid, b: Pid): void {
    const pa = this.#resolve(a);
    const pb = this.#resolve(b);
    if (!pa || !pb || !pa.links?.delete(pb)) return;
    this.#enqueue(pa.key, pb, () => pb.links?.delete(pa));
  }

  /**
   * `watcher` monitors `target`; it receives a DOWN message when `target` exits. The monitor
   * request travels watcher -> target in order after what the watcher sent before: a target an
   * earlier exit signal killed gives DOWN `noproc`, as does one already dead or never registered.
   */
  monitor(watcher: Pid, target: Pid | string): number {
    const w = this.#live(watcher, 'monitor');
    checkTarget('monitor', target);
    const ref = this.#nextRef++;
    const t = this.#resolve(target);
    this.#monitors.set(ref, { watcher: w, target: t?.alive ? t : undefined });
    (w.monitors ??= new Set()).add(ref);
    if (!t?.alive) {
      const pid = t?.pid ?? (target instanceof Pid ? target : this.#outside);
      this.#enqueue(t?.key ?? String(target), w, () => this.#down(ref, pid, 'noproc'), 'signal', 'noproc');
      return ref;
    }
    this.#enqueue(w.key, t, () => {
      if (!this.#monitors.has(ref)) return; // demonitored on the way
      if (t.alive) (t.watchers ??= new Map()).set(ref, w);
      else this.#enqueue(t.key, w, () => this.#down(ref, t.pid, 'noproc'));
    });
    return ref;
  }

  /** Remove a monitor. No DOWN for it arrives afterwards, even one already on its way (OTP demonitor/1). */
  demonitor(ref: number): void {
    const entry = this.#monitors.get(ref);
    if (!entry) return;
    this.#monitors.delete(ref);
    entry.watcher.monitors?.delete(ref);
    // Only the target's bookkeeping is left; no DOWN can come of it any more, so it goes now.
    entry.target?.watchers?.delete(ref);
  }

  /** A DOWN arrives at the watcher, unless the monitor was removed since it was sent. */
  #down(ref: number, pid: Pid, reason: ExitReason): void {
    const entry = this.#monitors.get(ref);
    if (!entry) return;
    this.#monitors.delete(ref);
    entry.watcher.monitors?.delete(ref);
    const down: DownMessage = { type: 'DOWN', ref, pid, reason };
    this.#deliver(entry.watcher, down);
  }

  /**
   * Watch a process from outside the process world (the harness, a supervisor's bookkeeping):
   * `onExit` runs as a scheduled delivery after the target exits. Returns an unwatch function.
   */
  watch(target: Pid, onExit: (reason: ExitReason) => void): () => void {
    checkPid('watch(target)', target);
    if (typeof onExit !== 'function') throw new InvalidOptionError('watch(onExit)', onExit, 'a function (reason) => void');
    const t = this.#resolve(target);
    if (!t?.alive) {
      const reason = t?.exitReason ?? 'noproc';
      let cancelled = false;
      this.#enqueue(t?.key ?? target.toString(), undefined, () => {
        if (!cancelled) onExit(reason);
      });
      return () => {
        cancelled = true;
      };
    }
    const ref = this.#nextRef++;
    (t.watchers ??= new Map()).set(ref, onExit);
    return () => {
      t.watchers?.delete(ref);
    };
  }

  /**
   * OTP's exit/2: send an exit signal to `target`. `kill` cannot be trapped; the target exits
   * `killed`. Without `from` the signal comes from outside any process (a trapping target sees
   * `from: <0.0>`). A process signalling itself handles the signal before this returns, as in OTP:
   * unless it traps exits it ends at once, with `normal` too.
   */
  exit(target: Pid | string, reason: ExitReason, from?: Pid): void {
    checkSender('exit', from);
    const t = this.#resolve(target);
    if (!t) {
      if (typeof target === 'string') throw new NoProcError(JSON.stringify(target), 'exit');
      if (!(target instanceof Pid)) throw new InvalidOptionError('exit(target)', target, 'a Pid or a registered name');
      return;
    }
    if (from !== undefined && t.pid.equals(from) && (!t.trapExit || reason === 'kill')) {
      this.#signal(t, from, reason, false);
      return;
    }
    this.#signalLater(from?.toString() ?? 'external', t, from ?? null, reason, false);
  }

  setTrapExit(pid: Pid, trap: boolean): void {
    if (typeof trap !== 'boolean') throw new InvalidOptionError('trapExit(trap)', trap, 'a boolean');
    this.#live(pid, 'trapExit').trapExit = trap;
  }

  /** Install the handler for system requests (used by servers to answer get_state). */
  setSystemHandler(pid: Pid, handler: SystemHandler): void {
    if (typeof handler !== 'function') throw new InvalidOptionError('setSystemHandler(handler)', handler, 'a function (request, from) => void');
    this.#live(pid, 'setSystemHandler').system = handler;
  }

  /** Replace a process's message handler (used by behaviours once their init has run). */
  setHandler(pid: Pid, handler: MessageHandler): void {
    if (typeof handler !== 'function') throw new InvalidOptionError('setHandler(handler)', handler, 'a function (message, ctx) => void');
    this.#live(pid, 'setHandler').handler = handler;
  }

  // ---------------------------------------------------------------- calls

  /**
   * Send a request and wait for the reply. Rejects with CallTimeoutError after `timeoutMs` of
   * clock time (virtual in tests), with CallExitError if the target exits first, NoProcError if
   * it does not exist. `from` is the calling process, if the caller is one.
   */
  call<R = unknown>(target: Pid | string, request: unknown, timeoutMs: number | 'infinity' = 5000, from?: Pid): Promise<R> {
    try {
      checkMilliseconds('call timeout', timeoutMs, CALL_TIMEOUT);
      checkTarget('call', target);
      checkSender('call', from);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#stopped) return Promise.reject(this.stoppedError('call'));
    const t = this.#resolve(target);
    if (!t?.alive) return Promise.reject(new NoProcError(String(target), 'call'));
    const envelope: CallEnvelope = { [CALL]: true, request, from: { caller: from ?? null, ref: this.#nextRef++ } };
    return this.#request<R>(t, envelope, envelope.from, timeoutMs, target, 'call');
  }

  /** Fire-and-forget request to a server (gen_server:cast). */
  cast(target: Pid | string, message: unknown, from?: Pid): void {
    this.send(target, { $cast: message }, from);
  }

  /** Reply to a call received earlier; replying twice or after the caller gave up is a no-op. */
  reply(from: From, value: unknown, replier?: Pid): void {
    if (typeof from !== 'object' || from === null || typeof from.ref !== 'number' || !(from.caller === null || from.caller instanceof Pid)) {
      throw new InvalidOptionError('reply(from)', from, 'the From a handleCall received');
    }
    checkSender('reply', replier);
    const pending = this.#calls.get(from.ref);
    if (!pending) return;
    // A dead process cannot act: a reply its still-running handler computes after its death is dropped.
    if (replier !== undefined && !this.isAlive(replier)) return;
    const fromKey = replier === undefined || replier === pending.target.pid ? pending.target.key : replier.toString();
    this.#answer(fromKey, pending.callerKey, () => this.#settleCall(from.ref, true, value), 'reply', value);
  }

  /**
   * A mailbox barrier any process answers: resolves after every message already in `target`'s
   * mailbox has been handled (the equivalent of `:sys.get_state` used as a sync point).
   */
  sync(target: Pid | string, timeoutMs: number | 'infinity' = 5000, from?: Pid): Promise<void> {
    return this.#system(target, 'sync', timeoutMs, from) as Promise<void>;
  }

  /** A server's current state, answered after the messages already in its mailbox. */
  getState<S = unknown>(target: Pid | string, timeoutMs: number | 'infinity' = 5000, from?: Pid): Promise<S> {
    return this.#system(target, 'get_state', timeoutMs, from) as Promise<S>;
  }

  #system(target: Pid | string, request: SystemRequest, timeoutMs: number | 'infinity', from?: Pid): Promise<unknown> {
    try {
      checkMilliseconds(`${request} timeout`, timeoutMs, CALL_TIMEOUT);
      checkTarget(request, target);
      checkSender(request, from);
    } catch (error) {
      return Promise.reject(error);
    }
    const t = this.#resolve(target);
    if (!t?.alive) return Promise.reject(new NoProcError(String(target), request));
    const fromRef: From = { caller: from ?? null, ref: this.#nextRef++ };
    return this.#request(t, { [SYSTEM]: request, from: fromRef }, fromRef, timeoutMs, target, request);
  }

  /**
   * The request travels caller -> target in order after whatever the caller sent before it, with
   * the monitor OTP's gen:call sets up first: a target that is dead when it arrives (an earlier exit
   * signal from the caller killed it) answers NOPROC, as OTP's call exits with noproc.
   */
  #request<R>(t: Proc, envelope: unknown, from: From, timeoutMs: number | 'infinity', target: Pid | string, operation: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const ref = from.ref;
      const callerKey = from.caller?.toString() ?? 'external';
      // Not a timer owned by the caller: a caller that exits settles its calls, which clears it.
      const timer =
        timeoutMs === 'infinity'
          ? undefined
          : this.clock.setTimer(timeoutMs, () => {
              this.#settleCall(ref, false, new CallTimeoutError(t.label, timeoutMs));
              this.#schedulePump();
            });
      const pending: PendingCall = { resolve: resolve as (v: unknown) => void, reject, timer, target: t, caller: from.caller, callerKey, delivered: false };
      this.#calls.set(ref, pending);
      const kind: DeliveryKind = operation === 'call' ? 'call' : 'system';
      this.#enqueue(
        callerKey,
        t,
        () => {
          if (!t.alive) {
            if (this.#calls.has(ref))
              this.#answer(t.key, callerKey, () => this.#settleCall(ref, false, new NoProcError(String(target), operation)), 'signal', 'noproc');
            return;
          }
          pending.delivered = true;
          this.#deliver(t, envelope);
        },
        kind,
        envelope,
      );
    });
  }

  /** A delivery to a caller, which may be code outside any process (key 'external'). */
  #answer(fromKey: string, callerKey: string, run: () => void, kind: DeliveryKind = 'reply', payload?: unknown): void {
    this.#schedule(kind, fromKey, callerKey, payload, run);
  }

  #settleCall(ref: number, ok: boolean, value: unknown): void {
    const pending = this.#calls.get(ref);
    if (!pending) return;
    this.#calls.delete(ref);
    if (pending.timer) this.clock.clearTimer(pending.timer);
    if (ok) pending.resolve(value);
    else pending.reject(value);
  }

  // ---------------------------------------------------------------- shutdown

  /**
   * Kill every live process (newest first) and refuse new activity. Idempotent. `stop` says who
   * stopped it, for the errors later activity gets: a TestSystem passes `AFTER_TEARDOWN` and its
   * test's id, so a call made by a forgotten, not-awaited piece of a test after that test ended
   * names that test, wherever it surfaces.
   */
  async shutdown(stop: { code?: 'RUNTIME_STOPPED' | 'AFTER_TEARDOWN'; by?: string } = {}): Promise<void> {
    if (this.#stopped) return;
    if (typeof stop !== 'object' || stop === null)
      throw new InvalidOptionError('shutdown(stop)', stop, "an object { code?: 'RUNTIME_STOPPED' | 'AFTER_TEARDOWN', by?: string }");
    this.#stoppedBy = { code: stop.code ?? 'RUNTIME_STOPPED', by: stop.by };
    const live = [...this.#procs.values()].filter((p) => p.alive).reverse();
    for (const proc of live) this.#exitProc(proc, 'killed');
    this.#stopped = true;
    for (const pending of [...this.#calls.keys()]) this.#settleCall(pending, false, this.stoppedError('call (pending when the runtime stopped)'));
    await this.idle();
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** The error activity after `shutdown` gets, naming the operation and who stopped the runtime. */
  stoppedError(operation: string): QuiesceError {
    const { code, by } = this.#stoppedBy ?? { code: 'RUNTIME_STOPPED' as const, by: undefined };
    const whose = by === undefined ? 'the runtime has been shut down' : `the runtime of ${by} has been shut down (its test ended or timed out)`;
    if (typeof operation !== 'string') throw new InvalidOptionError('stoppedError(operation)', operation, 'a string naming the operation');
    return new QuiesceError(code, `${operation}: ${whose}; activity after teardown is rejected`, { operation, ...(by !== undefined ? { by } : {}) });
  }

  #assertRunning(operation: string): void {
    if (this.#stopped) throw this.stoppedError(operation);
  }

  // ---------------------------------------------------------------- internals

  #resolve(target: Pid | string): Proc | undefined {
    if (target instanceof Pid) return target.node === this.node ? this.#procs.get(target.id) : undefined;
    if (typeof target === 'string') return this.#names.get(target);
    return undefined;
  }

  #live(pid: Pid, operation: string): Proc {
    const proc = this.#resolve(checkPid(`${operation}(pid)`, pid));
    if (!proc?.alive) throw new NoProcError(String(pid), operation);
    return proc;
  }

  #linkProcs(a: Proc, b: Proc): void {
    if (a === b) return;
    (a.links ??= new Set()).add(b);
    (b.links ??= new Set()).add(a);
  }

  /** Schedule a delivery; one between processes (`kind` given) passes the interceptors first. */
  #enqueue(fromKey: string, to: Proc | undefined, run: () => void, kind?: DeliveryKind, payload?: unknown): void {
    if (to && kind) {
      this.#schedule(kind, fromKey, to.key, payload, run);
      return;
    }
    this.scheduler.enqueue(fromKey, to?.key ?? 'runtime', run);
    this.#schedulePump();
  }

  #schedule(kind: DeliveryKind, from: string, to: string, payload: unknown, run: () => void): void {
    if (this.#interceptors.length === 0) {
      this.scheduler.enqueue(from, to, run);
      this.#schedulePump();
      return;
    }
    interceptDelivery(this.#interceptors, { kind, from, to, payload }, () => {
      this.scheduler.enqueue(from, to, run);
      this.#schedulePump();
    });
  }

  /**
   * Install a fault-injection hook (@quiesce/chaos; docs/chaos.md): it sees every delivery between
   * processes before the scheduler and every handler run before it starts. Returns the function
   * that removes it. Not for production code.
   */
  intercept(interceptor: Interceptor): () => void {
    const accepted = 'an object with one or more of delivery(delivery, deliver), handler(pid, message, handler), timer(owner, delayMs), now(pid, now)';
    if (typeof interceptor !== 'object' || interceptor === null) throw new InvalidOptionError('intercept(interceptor)', interceptor, accepted);
    const { delivery, handler, timer, now } = interceptor;
    const hooks = [delivery, handler, timer, now].filter((hook) => hook !== undefined);
    if (hooks.length === 0 || hooks.some((hook) => typeof hook !== 'function')) throw new InvalidOptionError('intercept(interceptor)', interceptor, accepted);
    this.#interceptors = [...this.#interceptors, interceptor];
    return () => {
      this.#interceptors = this.#interceptors.filter((i) => i !== interceptor);
    };
  }

  #signalLater(fromKey: string, target: Proc, from: Pid | null, reason: ExitReason, viaLink: boolean): void {
    this.#enqueue(fromKey, target, () => this.#signal(target, from ?? undefined, reason, viaLink), 'signal', reason);
  }

  /** An exit signal arrives at `target` (OTP's rules for links, exit/2 and trapping). */
  #signal(target: Proc, from: Pid | undefined, reason: ExitReason, viaLink: boolean): void {
    if (!target.alive) return;
    if (reason === 'kill' && !viaLink) {
      this.#exitProc(target, 'killed');
      return;
    }
    if (target.trapExit) {
      const msg: ExitMessage = { type: 'EXIT', from: from ?? this.#outside, reason };
      this.#deliver(target, msg);
      return;
    }
    if (reason === 'normal') {
      // erlang:exit/2: normal leaves a process that does not trap alive, "unless Pid is the calling process".
      if (!viaLink && from?.equals(target.pid)) this.#exitProc(target, 'normal');
      return;
    }
    this.#exitProc(target, reason);
  }

  /** An exit signal through the link from `from`: no effect if `target` has removed the link since (OTP unlink/1). */
  #linkExit(target: Proc, from: Proc, reason: ExitReason): void {
    if (!target.alive || !target.links?.delete(from)) return;
    this.#signal(target, from.pid, reason, true);
  }

  /**
   * A message arrives in `proc`'s mailbox. An idle process handles it when its own turn comes, as
   * an Erlang process runs when scheduled: exit signals that arrive before that turn act first
   * (ERTS handles a process's pending signals before it runs its code).
   */
  #deliver(proc: Proc, message: unknown): void {
    if (!proc.alive) return;
    proc.mailbox.push(message);
    if (proc.mailboxWatchers) this.#mailboxChanged(proc);
    if (proc.busy || proc.woken) return;
    proc.woken = true;
    // One turn function per process, made on its first message and reused for every later one.
    this.#enqueue(
      RUN,
      proc,
      (proc.turn ??= () => {
        proc.woken = false;
        if (!proc.busy) this.#drain(proc);
      }),
    );
  }

  #drain(proc: Proc): void {
    while (proc.alive && !proc.busy && proc.head < proc.mailbox.length) {
      const message = proc.mailbox[proc.head]!;
      proc.mailbox[proc.head++] = undefined;
      if (proc.head === proc.mailbox.length) {
        proc.mailbox = [];
        proc.head = 0;
      }
      if (proc.mailboxWatchers) this.#mailboxChanged(proc);
      if (isSystemEnvelope(message)) {
        this.#handleSystem(proc, message);
        continue;
      }
      const handler = this.#interceptors.length === 0 ? proc.handler : interceptHandler(this.#interceptors, proc.pid, message, proc.handler);
      this.#runHandler(proc, handler, message);
    }
  }

  #handleSystem(proc: Proc, envelope: { [SYSTEM]: SystemRequest; from: From }): void {
    const request = envelope[SYSTEM];
    if (proc.system) proc.system(request, envelope.from);
    else this.reply(envelope.from, undefined, proc.pid);
  }

  #runHandler(proc: Proc, handler: MessageHandler, message: unknown): void {
    // Counted as running from the first instruction: a wait started in the synchronous part of an
    // async handler then finds the run it belongs to.
    const before = proc.running && proc.waits === 0;
    proc.running = true;
    proc.run++;
    proc.waits = 0;
    this.#accounted(proc, before);
    let result: void | Promise<void>;
    try {
      result = handler(message, this.#ctx(proc));
    } catch (error) {
      this.#stopRunning(proc);
      this.#exitProc(proc, error as ExitReason);
      return;
    }
    if (!isPromiseLike(result)) {
      this.#stopRunning(proc);
      return;
    }
    proc.busy = true;
    result.then(
      () => this.#handlerDone(proc, undefined),
      (error: unknown) => this.#handlerDone(proc, { error }),
    );
  }

  #handlerDone(proc: Proc, failure: { error: unknown } | undefined): void {
    proc.busy = false;
    this.#stopRunning(proc);
    if (failure && proc.alive) this.#exitProc(proc, failure.error as ExitReason);
    else this.#drain(proc);
    this.#schedulePump();
    this.#checkIdle();
  }

  /** The process exits with `reason`: links get exit signals, monitors get DOWN, timers stop. */
  #exitProc(proc: Proc, reason: ExitReason): void {
    if (!proc.alive) return;
    proc.alive = false;
    this.#liveCount--;
    proc.exitReason = reason;
    proc.mailbox = [];
    proc.head = 0;
    if (proc.mailboxWatchers) {
      this.#mailboxChanged(proc);
      proc.mailboxWatchers = undefined;
    }
    if (proc.name !== undefined) {
      this.#names.delete(proc.name);
    }
    if (proc.timers) for (const t of proc.timers) this.clock.clearTimer(t);
    proc.timers = undefined;
    const exited: QuiesceEvents['process.exit'] = { pid: proc.key, reason: serialiseReason(reason) };
    if (proc.name) exited.name = proc.name;
    this.record('process.exit', proc.label, exited);
    if (proc.links) {
      // Newest link first: a dying supervisor's children get their signals before its parent
      // does, which is what ERTS does in practice (the differential test checks it against OTP).
      // Each linked process drops its side of the link when the signal arrives.
      for (const linked of [...proc.links].reverse()) this.#enqueue(proc.key, linked, () => this.#linkExit(linked, proc, reason), 'signal', reason);
      proc.links = undefined;
    }
    if (proc.watchers) {
      for (const [ref, watcher] of proc.watchers) {
        if (typeof watcher === 'function') this.#enqueue(proc.key, undefined, () => watcher(reason));
        else this.#enqueue(proc.key, watcher, () => this.#down(ref, proc.pid, reason), 'signal', reason);
      }
      proc.watchers = undefined;
    }
    if (proc.monitors) {
      // A dead watcher's monitors go with it (OTP removes them at exit).
      for (const ref of proc.monitors) {
        this.#monitors.get(ref)?.target?.watchers?.delete(ref);
        this.#monitors.delete(ref);
      }
      proc.monitors = undefined;
    }
    // A caller that died cannot take its replies: forget its pending calls (they reject NOPROC).
    // A call the dead process had received exits with its reason. That exit travels target ->
    // caller like the reply does (OTP's DOWN to gen:call's monitor), after every link signal and
    // DOWN this exit sent on that pair, so a reply sent before the exit always wins, whatever
    // order the scheduler picks across pairs.
    for (const [ref, call] of this.#calls) {
      if (call.caller?.equals(proc.pid)) this.#settleCall(ref, false, new NoProcError(proc.key, 'call (the caller exited)'));
      else if (call.target === proc && call.delivered) {
        this.#answer(proc.key, call.callerKey, () => this.#settleCall(ref, false, new CallExitError(proc.label, reason)), 'signal', reason);
      }
    }
    proc.ctx = undefined;
    proc.system = undefined;
    proc.turn = undefined;
    // A dead process's handler may still be awaiting something that never settles; whatever it
    // does next cannot act (its context throws), so it no longer holds the system busy.
    this.#stopRunning(proc);
    this.#schedulePump();
  }

  /** Exit a process from inside the runtime (ctx.exit, behaviours). */
  exitSelf(pid: Pid, reason: ExitReason): void {
    const proc = this.#resolve(pid);
    if (proc) this.#exitProc(proc, reason);
  }

  #schedulePump(): void {
    this.#work.activity.notify();
    if (this.#pumpScheduled || this.#pumping) return;
    this.#pumpScheduled = true;
    // A reaction on a settled promise is the same microtask as queueMicrotask's, without the
    // async resource Node builds for each queueMicrotask call.
    void SETTLED.then(this.#pumpTask);
  }

  /**
   * What escapes the pump (a history listener that throws while a fault is recorded) is rethrown
   * from a microtask of its own: an uncaught exception, as with queueMicrotask, not a rejection.
   */
  readonly #pumpTask = (): void => {
    try {
      this.#pump();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  };

  #pump(): void {
    this.#pumpScheduled = false;
    if (this.#fault !== undefined) return;
    this.#pumping = true;
    try {
      for (let d = this.scheduler.next(); d; d = this.scheduler.next()) d.run();
    } catch (error) {
      // The scheduler itself failed (a replay token that no longer fits): the run cannot go on
      // faithfully, so the runtime halts and every idle() rejects with the error.
      this.#fault = error;
      this.record('runtime.fault', 'runtime', { error: serialiseReason(error) });
    } finally {
      this.#pumping = false;
    }
    this.#checkIdle();
  }

  /** The error that halted the runtime (see idle()), if any. */
  get fault(): unknown {
    return this.#fault;
  }

  #ctx(proc: Proc): ProcessContext {
    return (proc.ctx ??= new ProcessContext(this, proc.pid, () => this.#beginWait(proc)));
  }

  /** Whether a process exited with a normal-family reason (for supervisors and matchers). */
  static isNormalExit = isNormalExit;
}

/**
 * What a process's code sees: itself and the operations it may perform. After the process has
 * exited every operation throws, so a still-running async handler cannot act for a dead process.
 */
export class ProcessContext {
  readonly runtime: Runtime;
  readonly self: Pid;
  /** Starts a kernel wait in the runtime's idleness count; returns the function that ends it. */
  readonly #beginWait: () => () => void;

  constructor(runtime: Runtime, self: Pid, beginWait?: () => () => void) {
    this.runtime = runtime;
    this.self = self;
    // The runtime passes its own; a context built by hand falls back to the runtime-wide block().
    this.#beginWait =
      beginWait ??
      (() => {
        let end!: () => void;
        void runtime.block(new Promise<void>((resolve) => (end = resolve)));
        return end;
      });
  }

  #check(operation: string): void {
    // After a shutdown the process is dead because its system was torn down: say that, not NOPROC.
    if (this.runtime.stopped) throw this.runtime.stoppedError(operation);
    if (!this.runtime.isAlive(this.self)) {
      throw new QuiesceError('NOPROC', `${operation}: process ${this.self} has already exited; a dead process cannot act`, { operation });
    }
  }

  now(): number {
    return this.runtime.timeOf(this.self);
  }

  send(to: Pid | string, message: unknown): void {
    this.#check('send');
    this.runtime.send(to, message, this.self);
  }

  spawn(handler: MessageHandler, options: Omit<SpawnOptions, 'link'> = {}): Pid {
    this.#check('spawn');
    return this.runtime.spawn(handler, options);
  }

  spawnLink(handler: MessageHandler, options: Omit<SpawnOptions, 'link'> = {}): Pid {
    this.#check('spawnLink');
    return this.runtime.spawn(handler, { ...options, link: this.self });
  }

  /** link/1: throws NoProcError if `pid` is already dead and this process does not trap exits (catch it to go on). */
  link(pid: Pid): void {
    this.#check('link');
    this.runtime.link(this.self, pid);
  }

  unlink(pid: Pid): void {
    this.#check('unlink');
    this.runtime.unlink(this.self, pid);
  }

  monitor(pid: Pid | string): number {
    this.#check('monitor');
    return this.runtime.monitor(this.self, pid);
  }

  demonitor(ref: number): void {
    this.runtime.demonitor(ref);
  }

  trapExit(trap: boolean): void {
    this.#check('trapExit');
    this.runtime.setTrapExit(this.self, trap);
  }

  /** Exit this process with `reason` now. Code after it in an async handler has no effect. */
  exit(reason: ExitReason = 'normal'): void {
    this.runtime.exitSelf(this.self, reason);
  }

  /** exit/2: send an exit signal to another process, or to itself (then it acts before this returns, see Runtime.exit). */
  kill(pid: Pid | string, reason: ExitReason = 'kill'): void {
    this.#check('kill');
    this.runtime.exit(pid, reason, this.self);
  }

  call<R = unknown>(target: Pid | string, request: unknown, timeoutMs: number | 'infinity' = 5000): Promise<R> {
    this.#check('call');
    return this.#block(this.runtime.call<R>(target, request, timeoutMs, this.self));
  }

  cast(target: Pid | string, message: unknown): void {
    this.#check('cast');
    this.runtime.cast(target, message, this.self);
  }

  reply(from: From, value: unknown): void {
    this.runtime.reply(from, value, this.self);
  }

  /** Deliver `message` to this process after `ms` (erlang:send_after); cancelled if the process exits. */
  sendAfter(ms: number, message: unknown): TimerHandle {
    this.#check('sendAfter');
    return this.runtime.setTimer(ms, () => this.runtime.send(this.self, message, this.self), this.self);
  }

  cancelTimer(handle: TimerHandle): boolean {
    return this.runtime.clearTimer(handle);
  }

  /** Wait `ms` of kernel time (virtual in tests). The process handles no message meanwhile. */
  sleep(ms: number): Promise<void> {
    this.#check('sleep');
    return this.#block(new Promise<void>((resolve) => this.runtime.setTimer(ms, resolve, this.self)));
  }

  /** Wait for a kernel-side promise (a reply, a DOWN) without holding the system busy. */
  await<T>(promise: Promise<T>): Promise<T> {
    // Like the `await` keyword, a value that is not a promise is taken as already resolved.
    return this.#block(Promise.resolve(promise));
  }

  /** The process is blocked while any of its kernel waits is pending (Promise.all of calls counts once). */
  #block<T>(promise: Promise<T>): Promise<T> {
    return promise.finally(this.#beginWait());
  }
}

function isPromiseLike(value: unknown): value is Promise<void> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function isSystemEnvelope(message: unknown): message is { [SYSTEM]: SystemRequest; from: From } {
  return typeof message === 'object' && message !== null && SYSTEM in message;
}
