import { InvalidOptionError, NoProcError, QuiesceError, SystemLimitError } from '../errors.js';
import { checkMilliseconds, checkOptions } from '../checks/options.js';
import type { Clock, TimerHandle } from '../kernel/clock.js';
import type { CustomKind, EventKind, QuiesceEvents } from '../kernel/events.js';
import { History, type HistoryEvent } from '../kernel/history.js';
import { Random } from '../kernel/random.js';
import { RealClock } from '../kernel/real-clock.js';
import { Scheduler } from '../kernel/scheduler.js';
import { TimeFlow, type StepResult } from '../kernel/time-flow.js';
import { VirtualClock } from '../kernel/virtual-clock.js';
import { publishEvent } from '../diagnostics/channels.js';
import { markRealm } from '../diagnostics/realm-mark.js';
import { Calls } from './calls.js';
import { Delivery } from './delivery.js';
import { isNormalExit, serialiseReason, type ExitReason } from './exit-reason.js';
import { Idleness, type RuntimeBusy } from './idleness.js';
import { interceptNow, interceptTimer, type HandlerInterceptor } from './intercept.js';
import { Pid } from './pid.js';
import { Proc, type MailboxListener, type SystemHandler } from './proc.js';
import type { From, SystemRequest } from './protocol.js';
import {
  checkPid,
  checkSender,
  checkTarget,
  checkTimerArguments,
  toPolicy,
  validateRuntimeOptions,
  validateSpawnOptions,
  type RuntimeOptions,
  type GroupReaper,
} from './runtime-options.js';
import { Signals } from './signals.js';
import { ProcessTable } from './table.js';

export type { GroupReaper, RetainOptions, RuntimeOptions, SchedulerOption } from './runtime-options.js';
export type { RuntimeBusy } from './idleness.js';
export type { MailboxListener, SystemHandler } from './proc.js';

export type MessageHandler = (message: unknown, ctx: ProcessContext) => void | Promise<void>;

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

// Whoever can make a Runtime has loaded Quiesce (see realm-mark.ts).
markRealm();

/** What `shutdown` returns when the runtime is stopped and quiet: settled, and shared. */
const STOPPED: Promise<void> = Promise.resolve();

/** The timeout rule of calls, sync and getState. */
const CALL_TIMEOUT = { allowInfinity: true } as const;

/**
 * One world of processes on one kernel (clock, scheduler, random, history). Nothing is global:
 * two runtimes never see each other's names or processes.
 *
 * This class is the world's front door: it checks its arguments and hands the work to its parts —
 * the process table (`table.ts`), the mail (`delivery.ts`: scheduler, pump, mailboxes, handler
 * runs), idleness (`idleness.ts`), calls (`calls.ts`), and links, monitors and exits (`signals.ts`).
 */
export class Runtime {
  readonly clock: Clock;
  readonly history: History;
  readonly #seed: number;
  #random: Random | undefined;

  /** The runtime's seeded random source (made on first use). */
  get random(): Random {
    return (this.#random ??= new Random(this.#seed));
  }
  readonly scheduler: Scheduler;
  readonly node: number;
  readonly recordMessages: boolean;
  /** Told about every OS process group the runtime starts (RuntimeOptions.reaper). */
  readonly reaper: GroupReaper | undefined;

  readonly #table: ProcessTable;
  readonly #idleness: Idleness;
  readonly #delivery: Delivery;
  readonly #calls: Calls;
  readonly #signals: Signals;
  // Made on first step: most runtimes of a test suite never move their clock.
  #timeFlow: TimeFlow | undefined;

  get #flow(): TimeFlow {
    return (this.#timeFlow ??= new TimeFlow({
      clock: this.clock,
      idleInside: () => this.idleInside(),
      idleInsideCheck: (done, fail) => this.#idleness.durableCheck(this.#insideQuiet, done, fail),
      externalLive: () => this.externalLive(),
      nextActivity: () => this.nextActivity(),
      activityCount: () => this.#idleness.activityCount(),
    }));
  }
  #stopped = false;
  #stoppedBy: { code: 'RUNTIME_STOPPED' | 'AFTER_TEARDOWN'; by: string | undefined } | undefined;

  constructor(options: RuntimeOptions = {}) {
    validateRuntimeOptions(options);
    this.clock = options.clock === 'virtual' ? new VirtualClock() : options.clock === undefined || options.clock === 'real' ? new RealClock() : options.clock;
    this.#seed = options.seed ?? 0;
    this.scheduler = new Scheduler(toPolicy(options.scheduler));
    // Any event, whoever appends it, is activity: a wait on the outside world wakes on it.
    const activity = (): void => this.#idleness.activity();
    if (options.history) {
      this.history = options.history;
      this.history.subscribe(activity);
    } else {
      this.history = new History(() => this.clock.now(), undefined, activity, { keep: options.retain?.events });
    }
    this.recordMessages = options.recordMessages ?? false;
    this.reaper = options.reaper;
    this.node = nextNode++;
    const record = this.#append;
    this.#table = new ProcessTable(this.node, options.retain?.exited);
    this.#idleness = new Idleness({ pending: () => this.#delivery.pending(), fault: () => this.#delivery.fault });
    this.#delivery = new Delivery(this.scheduler, this.#idleness, record);
    this.#calls = new Calls(this.clock, this.#delivery);
    this.#signals = new Signals({ table: this.#table, delivery: this.#delivery, calls: this.#calls, idleness: this.#idleness, clock: this.clock, record });
    this.#delivery.connect({
      context: (proc) => (proc.ctx ??= new ProcessContext(this, proc.pid, this.#idleness.beginWait.bind(this.#idleness, proc))),
      crash: (proc, reason) => this.#signals.exit(proc, reason),
      answerSystem: (from, proc) => this.reply(from, undefined, proc.pid),
    });
  }

  // ---------------------------------------------------------------- time

  now(): number {
    return this.clock.now();
  }

  /** The time as process `pid` sees it (its `ctx.now()`): the clock's, unless a fault skews its view. */
  timeOf(pid: Pid): number {
    const now = this.clock.now();
    const interceptors = this.#delivery.interceptors;
    return interceptors.length === 0 ? now : interceptNow(interceptors, pid, now);
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
    await this.#flow.run(target);
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
    return this.#flow.run(clock.now() + limitMs);
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
    const proc = owner ? this.#table.resolve(owner) : undefined;
    const interceptors = this.#delivery.interceptors;
    const delay = interceptors.length === 0 ? delayMs : interceptTimer(interceptors, owner, delayMs);
    const handle = this.clock.setTimer(delay, () => {
      proc?.timers?.delete(handle);
      fn();
      this.#delivery.schedulePump();
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
    return this.#idleness.quiet();
  }

  /**
   * Whether anything outside the runtime can still act: an external operation in flight, a live
   * external actor (OS child, worker thread), or a source added with `addExternalSource`.
   */
  externalLive(): boolean {
    return this.#idleness.outsideLive();
  }

  /**
   * Count a live external actor (an OS process, a thread) until the returned function is called:
   * while it lives, waits wait for it and virtual time flows with real time. Idempotent release.
   */
  holdExternal(label: string): () => void {
    return this.#idleness.work.hold(label);
  }

  /**
   * What keeps the runtime from being quiet now: handlers running (not blocked on a kernel wait),
   * a delivery pending, external operations in flight and the live external actors. For
   * diagnostics: a wait that never saw the system quiet says which of these held it.
   */
  busy(): RuntimeBusy {
    return this.#idleness.busy();
  }

  /** Labels of the live external actors (for leak reports and messages), oldest first. */
  externalActors(): string[] {
    return this.#idleness.actorLabels();
  }

  /** Add a probe that says whether some external thing is still live (the harness's owned resources). */
  addExternalSource(live: () => boolean): () => void {
    return this.#idleness.work.addSource(live);
  }

  /** Resolves at the next activity: a delivery scheduled, a history event, an external operation ending. */
  nextActivity(): Promise<void> {
    return this.#idleness.work.activity.next();
  }

  /**
   * Resolves when the system is durably idle: quiet, and still quiet after every pending
   * microtask has run (checked across a macrotask turn).
   */
  idle(): Promise<void> {
    return this.#idleness.durably(() => this.#idleness.quiet());
  }

  /** Resolves when nothing inside the runtime can run, durably; external work may still be in flight. */
  idleInside(): Promise<void> {
    return this.#idleness.durably(this.#insideQuiet);
  }

  readonly #insideQuiet = (): boolean => this.#idleness.insideQuiet();

  /** Mark the caller as waiting on a kernel event (not active) until `promise` settles. */
  block<T>(promise: Promise<T>): Promise<T> {
    return this.#idleness.block(promise);
  }

  /** Count an external operation as in flight until `promise` settles; the system is not idle meanwhile. */
  external<T>(promise: Promise<T>): Promise<T> {
    return this.#idleness.work.track(promise);
  }

  // ---------------------------------------------------------------- history

  /** Record an event: a declared kind with its payload (docs/events.md), or a custom kind (see `CustomKind`) with any data. */
  record<K extends EventKind>(kind: K, source: string, data: QuiesceEvents[K]): HistoryEvent<K, QuiesceEvents[K]>;
  record<K extends string>(kind: CustomKind<K>, source: string, data: unknown): HistoryEvent<K>;
  record(kind: string, source: string, data: unknown): HistoryEvent {
    if (typeof kind !== 'string' || kind === '') throw new InvalidOptionError('record(kind)', kind, 'a non-empty string');
    if (typeof source !== 'string') throw new InvalidOptionError('record(source)', source, 'a string');
    return this.#append(kind as EventKind, source, data as never);
  }

  /** `record` without its argument checks: what the runtime's own parts record with. */
  readonly #append = <K extends EventKind>(kind: K, source: string, data: QuiesceEvents[K]): HistoryEvent => {
    const event = this.history.append(kind, source, data);
    publishEvent(event, this.node);
    return event;
  };

  // ---------------------------------------------------------------- processes

  spawn(handler: MessageHandler, options: SpawnOptions = {}): Pid {
    this.#assertRunning('spawn');
    if (typeof handler !== 'function') throw new InvalidOptionError('spawn(handler)', handler, 'a function (message, ctx) => void');
    validateSpawnOptions(options);
    const table = this.#table;
    if (table.liveCount >= table.limit) {
      this.record('process.system_limit', options.label ?? 'runtime', { limit: table.limit, live: table.liveCount });
      throw new SystemLimitError(table.limit);
    }
    const linkTo = options.link ? table.resolve(options.link) : undefined;
    const holder = options.name === undefined ? undefined : table.holderOf(options.name);
    if (holder)
      throw new QuiesceError('NAME_TAKEN', `spawn: name ${JSON.stringify(options.name)} is already registered to ${holder.key}`, { name: options.name });
    const proc = new Proc(table.nextPid(), handler, options.label);
    proc.trapExit = options.trapExit ?? false;
    table.add(proc, options.name);
    // Optional fields assigned, not spread: the same keys in the same order, without the copies.
    const spawned: QuiesceEvents['process.spawn'] = { pid: proc.key };
    if (options.name) spawned.name = options.name;
    if (options.link) spawned.parent = options.link.toString();
    this.record('process.spawn', proc.label, spawned);
    if (options.link) {
      // Linking to a dead process kills the new one with noproc, as spawn_link does.
      if (linkTo?.alive) this.#signals.linkBoth(proc, linkTo);
      else this.#signals.signal(proc, options.link, 'noproc', true);
    }
    if (options.init && proc.alive) {
      const init = options.init;
      this.#delivery.runHandler(proc, (_message, ctx: ProcessContext) => init(ctx), undefined);
    }
    return proc.pid;
  }

  /** The pid registered under `name`, if any. */
  whereis(name: string): Pid | undefined {
    return this.#table.holderOf(name)?.pid;
  }

  register(name: string, pid: Pid): void {
    if (typeof name !== 'string' || name === '') throw new InvalidOptionError('register(name)', name, 'a non-empty string');
    this.#table.register(name, this.#table.live(pid, 'register'));
  }

  unregister(name: string): boolean {
    return this.#table.unregister(name);
  }

  /** Names currently registered, in registration order. */
  registered(): string[] {
    return this.#table.names();
  }

  isAlive(target: Pid | string): boolean {
    return this.#table.resolve(target)?.alive ?? false;
  }

  /** The exit reason of a process that has exited (kept for processes of this runtime). */
  exitReason(pid: Pid): ExitReason | undefined {
    return this.#table.resolve(pid)?.exitReason;
  }

  label(pid: Pid): string {
    return this.#table.resolve(checkPid('label(pid)', pid))?.label ?? pid.toString();
  }

  setLabel(pid: Pid, label: string): void {
    if (typeof label !== 'string' || label === '') throw new InvalidOptionError('setLabel(label)', label, 'a non-empty string');
    const proc = this.#table.resolve(pid);
    if (proc) proc.label = label;
  }

  /** Live processes, in spawn order. */
  processes(): Pid[] {
    return this.#table.living().map((proc) => proc.pid);
  }

  /** How many processes are alive now. */
  get processCount(): number {
    return this.#table.liveCount;
  }

  /**
   * Cap how many processes may be alive at once (OTP's +P); `undefined` removes the cap. A spawn at
   * the cap throws SystemLimitError (code SYSTEM_LIMIT, OTP's system_limit) and records
   * `process.system_limit`. Processes already alive are left alone. Returns the previous cap.
   */
  limitProcesses(limit: number | undefined): number | undefined {
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
      throw new InvalidOptionError('limitProcesses(limit)', limit, 'an integer >= 0, or undefined for no limit');
    const previous = this.#table.limit;
    this.#table.limit = limit ?? Number.POSITIVE_INFINITY;
    return Number.isFinite(previous) ? previous : undefined;
  }

  /** The process cap set by `limitProcesses`, if any. */
  get processLimit(): number | undefined {
    return Number.isFinite(this.#table.limit) ? this.#table.limit : undefined;
  }

  /**
   * Call `listener` with `pid`'s mailbox length each time a message is enqueued or taken out (and
   * with 0 when the process exits): an exact trace, not a sample. Returns the unwatch function.
   * The current length is `messageQueueLength(pid)`.
   */
  watchMailbox(pid: Pid, listener: MailboxListener): () => void {
    checkPid('watchMailbox(pid)', pid);
    if (typeof listener !== 'function') throw new InvalidOptionError('watchMailbox(listener)', listener, 'a function (length) => void');
    const proc = this.#table.resolve(pid);
    if (!proc?.alive) return () => undefined;
    const watchers = (proc.mailboxWatchers ??= new Set());
    watchers.add(listener);
    return () => {
      watchers.delete(listener);
      if (watchers.size === 0 && proc.mailboxWatchers === watchers) proc.mailboxWatchers = undefined;
    };
  }

  messageQueueLength(pid: Pid): number {
    const proc = this.#table.resolve(pid);
    return proc?.alive ? proc.mailbox.length - proc.head : 0;
  }

  /** Send a message. Sending to a dead pid is silently dropped (as in OTP); an unknown name throws. */
  send(to: Pid | string, message: unknown, from?: Pid): void {
    checkSender('send', from);
    const target = this.#table.resolve(to);
    if (!target) {
      if (typeof to === 'string') throw new NoProcError(JSON.stringify(to), 'send');
      if (!(to instanceof Pid)) throw new InvalidOptionError('send(to)', to, 'a Pid or a registered name');
      return;
    }
    const fromKey = from?.toString() ?? 'external';
    if (this.recordMessages) this.record('message.send', from ? this.label(from) : 'external', { to: target.label, message: serialiseReason(message) });
    this.#delivery.schedule('message', fromKey, target.key, message, () => this.#delivery.deliver(target, message));
  }

  /**
   * `a` links to `b` (OTP's link/1 run by `a`). `a`'s side of the link exists at once; the link
   * request then travels a -> b after everything `a` sent before it, so if an exit signal `a` sent
   * earlier kills `b`, `b` answers with a `noproc` exit signal through the new link. Linking to a
   * process already dead: a trapping `a` gets `{ EXIT, b, noproc }`, any other gets a NoProcError
   * thrown (catchable), as link/1 raises noproc.
   */
  link(a: Pid, b: Pid): void {
    const pa = this.#table.live(a, 'link');
    this.#signals.link(pa, b, this.#table.resolve(checkPid('link(pid)', b)));
  }

  /**
   * `a` removes its link to `b` (OTP's unlink/1 run by `a`): at once on `a`'s side, so an exit
   * signal already travelling through the link has no effect on `a`; the unlink request then
   * travels a -> b in order.
   */
  unlink(a: Pid, b: Pid): void {
    const pa = this.#table.resolve(a);
    const pb = this.#table.resolve(b);
    if (pa && pb) this.#signals.unlink(pa, pb);
  }

  /**
   * `watcher` monitors `target`; it receives a DOWN message when `target` exits. The monitor
   * request travels watcher -> target in order after what the watcher sent before: a target an
   * earlier exit signal killed gives DOWN `noproc`, as does one already dead or never registered.
   */
  monitor(watcher: Pid, target: Pid | string): number {
    const w = this.#table.live(watcher, 'monitor');
    checkTarget('monitor', target);
    return this.#signals.monitor(w, target, this.#table.resolve(target));
  }

  /** Remove a monitor. No DOWN for it arrives afterwards, even one already on its way (OTP demonitor/1). */
  demonitor(ref: number): void {
    this.#signals.demonitor(ref);
  }

  /**
   * Watch a process from outside the process world (the harness, a supervisor's bookkeeping):
   * `onExit` runs as a scheduled delivery after the target exits. Returns an unwatch function.
   */
  watch(target: Pid, onExit: (reason: ExitReason) => void): () => void {
    checkPid('watch(target)', target);
    if (typeof onExit !== 'function') throw new InvalidOptionError('watch(onExit)', onExit, 'a function (reason) => void');
    return this.#signals.watch(target, this.#table.resolve(target), onExit);
  }

  /**
   * OTP's exit/2: send an exit signal to `target`. `kill` cannot be trapped; the target exits
   * `killed`. Without `from` the signal comes from outside any process (a trapping target sees
   * `from: <0.0>`). A process signalling itself handles the signal before this returns, as in OTP:
   * unless it traps exits it ends at once, with `normal` too.
   */
  exit(target: Pid | string, reason: ExitReason, from?: Pid): void {
    checkSender('exit', from);
    const t = this.#table.resolve(target);
    if (!t) {
      if (typeof target === 'string') throw new NoProcError(JSON.stringify(target), 'exit');
      if (!(target instanceof Pid)) throw new InvalidOptionError('exit(target)', target, 'a Pid or a registered name');
      return;
    }
    if (from !== undefined && t.pid.equals(from) && (!t.trapExit || reason === 'kill')) {
      this.#signals.signal(t, from, reason, false);
      return;
    }
    this.#signals.signalLater(from?.toString() ?? 'external', t, from ?? null, reason, false);
  }

  setTrapExit(pid: Pid, trap: boolean): void {
    if (typeof trap !== 'boolean') throw new InvalidOptionError('trapExit(trap)', trap, 'a boolean');
    this.#table.live(pid, 'trapExit').trapExit = trap;
  }

  /** Install the handler for system requests (used by servers to answer get_state). */
  setSystemHandler(pid: Pid, handler: SystemHandler): void {
    if (typeof handler !== 'function') throw new InvalidOptionError('setSystemHandler(handler)', handler, 'a function (request, from) => void');
    this.#table.live(pid, 'setSystemHandler').system = handler;
  }

  /** Replace a process's message handler (used by behaviours once their init has run). */
  setHandler(pid: Pid, handler: MessageHandler): void {
    if (typeof handler !== 'function') throw new InvalidOptionError('setHandler(handler)', handler, 'a function (message, ctx) => void');
    this.#table.live(pid, 'setHandler').handler = handler;
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
    const t = this.#table.resolve(target);
    if (!t?.alive) return Promise.reject(new NoProcError(String(target), 'call'));
    return this.#calls.request<R>(t, this.#table.newRef(), from ?? null, 'call', request, timeoutMs, target);
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
    this.#calls.reply(from, value, replier, replier === undefined || this.isAlive(replier));
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
    const t = this.#table.resolve(target);
    if (!t?.alive) return Promise.reject(new NoProcError(String(target), request));
    return this.#calls.request(t, this.#table.newRef(), from ?? null, request, undefined, timeoutMs, target);
  }

  // ---------------------------------------------------------------- shutdown

  /**
   * Kill every live process (newest first) and refuse new activity. Idempotent. `stop` says who
   * stopped it, for the errors later activity gets: a TestSystem passes `AFTER_TEARDOWN` and its
   * test's id, so a call made by a forgotten, not-awaited piece of a test after that test ended
   * names that test, wherever it surfaces. Resolves at once when nothing is left running after the
   * kills (stopped, the runtime starts nothing new), else when it is durably idle.
   */
  shutdown(stop: { code?: 'RUNTIME_STOPPED' | 'AFTER_TEARDOWN'; by?: string } = {}): Promise<void> {
    if (this.#stopped) return STOPPED;
    if (typeof stop !== 'object' || stop === null)
      return Promise.reject(new InvalidOptionError('shutdown(stop)', stop, "an object { code?: 'RUNTIME_STOPPED' | 'AFTER_TEARDOWN', by?: string }"));
    this.#stoppedBy = { code: stop.code ?? 'RUNTIME_STOPPED', by: stop.by };
    const living = this.#table.living();
    for (let i = living.length - 1; i >= 0; i--) this.#signals.exit(living[i]!, 'killed');
    this.#stopped = true;
    this.#calls.rejectAll(() => this.stoppedError('call (pending when the runtime stopped)'));
    // Stopped, the runtime starts nothing new: quiet now (no delivery queued, no handler working, no
    // external operation in flight) is quiet for good, and no macrotask turn is needed to tell.
    if (this.#idleness.quiet() && this.#delivery.fault === undefined) return STOPPED;
    return this.idle();
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
    const mail = this.#delivery;
    mail.interceptors = [...mail.interceptors, interceptor];
    return () => {
      mail.interceptors = mail.interceptors.filter((i) => i !== interceptor);
    };
  }

  /** Exit a process from inside the runtime (ctx.exit, behaviours). */
  exitSelf(pid: Pid, reason: ExitReason): void {
    const proc = this.#table.resolve(pid);
    if (proc) this.#signals.exit(proc, reason);
  }

  /** The error that halted the runtime (see idle()), if any. */
  get fault(): unknown {
    return this.#delivery.fault;
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
    const end = this.#beginWait();
    // Not `finally`: it makes two closures and two promises more per wait, and holds the
    // outcome back two more microtasks, in every sleep, call and await of a process.
    return promise.then(
      (value) => {
        end();
        return value;
      },
      (error: unknown) => {
        end();
        throw error;
      },
    );
  }
}
