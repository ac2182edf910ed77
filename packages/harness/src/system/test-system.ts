import {
  InvalidOptionError,
  Pid,
  QuiesceError,
  Random,
  Runtime,
  SupervisorRef,
  DynamicSupervisorRef,
  VirtualClock,
  isExitMessage,
  isNormalExit,
  serialiseReason,
  startDynamicSupervisor,
  startServer,
  startSupervisor,
  type ChildSpec,
  type CustomKind,
  type DynamicSupervisorOptions,
  type EventKind,
  type EventOf,
  type ExitReason,
  type History,
  type HistoryEvent,
  type QuiesceEvents,
  type RuntimeOptions,
  type ServerBehaviour,
  type SupervisorSpec,
} from '@quiesce/runtime';
import { checkMilliseconds, checkObject, checkOptions, isSupervisorSpec, childStartContext, round } from '@quiesce/runtime/internal';
import type { AnyKindPattern, EventPattern, EventRecorder } from '../core/events.js';
import { Inbox } from '../inbox/inbox.js';
import { drive, isDriven, validateWaitOptions, type DriveTarget, type WaitOptions } from '../waits/driver.js';
import { awaitQuiescence, DEFAULT_QUIET_PERIOD, type Quiescence } from '../waits/quiescence.js';
import { WaitError } from '../waits/wait-error.js';
import { countEvents, type CountOptions, type EventCount } from '../waits/count.js';
import { measureMailbox, type MailboxMeasurement, type MeasureMailboxOptions } from '../measure/mailbox.js';
import { callerLocation, LeakError, type Owned, type OwnedResource } from '../core/resources.js';
import { teardownFailure } from './teardown-error.js';
import { validateSystemOptions, type TestSystemOptions } from './options.js';
import { describeHistoryPattern, toEventPredicate, type HistoryPattern, type UntilOptions } from './history-pattern.js';
import { checkAddress, checkOwnedResource, pidOf } from './arguments.js';
import { awaitActorsGone, disposeOwned, findLeaks, leaksNow, listenerErrors, stopStartedTrees, type Leak, type StartedTree } from './teardown.js';
import { leftovers, type Leftover } from './leftovers.js';
import { systemRegistry } from './registry.js';
import {
  bridgeDiagnostics,
  observe,
  type BridgeOptions,
  type EventMapping,
  type ObservableEmitter,
  type ObserveOptions,
  type Observer,
} from '../observe/index.js';
import { replayCommand, runSeed, testSeed } from './seed.js';
import { leaseFor, listenFor, releaseFor } from '../ports/system-ports.js';
import type { ListenOptions } from '../ports/listen.js';
import type { Server as NetServer } from 'node:net';
import { spawnProcess, type SpawnOptions, type TrackedProcess } from '../os/index.js';
import { processReaper } from '@quiesce/runtime';
import { awaitHealthy, awaitListening, type AwaitHealthyOptions, type AwaitListeningOptions, type HealthReport, type ProbeReport } from '../probes/index.js';
import { containerFor, type ContainerHandle, type ContainerOptions, type ContainerSpecLike, type StartedContainerLike } from '../containers/index.js';

/** What `system.start` accepts: a supervisor spec, a child spec, or a server behaviour with its args. */
export type Startable = SupervisorSpec | ChildSpec;

/**
 * One isolated world per test (docs/architecture.md, "Isolation and teardown"): a runtime on a virtual clock, a history, a scoped
 * registry, and everything the test started, torn down in order when the test ends.
 */
export class TestSystem implements DriveTarget, EventRecorder {
  readonly runtime: Runtime;
  readonly seed: number;
  readonly runSeed: number;
  readonly testId: string;
  readonly defaultTimeout: number;
  /** See TestSystemOptions.quietPeriod. */
  readonly quietPeriod: number;

  readonly #options: TestSystemOptions;
  readonly #root: Pid;
  // What most tests never use is made on first use: a suite pays this constructor once per test.
  readonly #started: StartedTree[] = [];
  #stopping: Set<Pid> | undefined;
  readonly #owned: Owned[] = [];
  #random: Random | undefined;
  #inbox: Inbox | undefined;
  #trapExits: boolean;
  #linkedFailure: QuiesceError | undefined;
  /** Listeners of pending waits, told when the test is interrupted (see onInterrupt). */
  #interruptListeners: ((error: unknown) => void)[] | undefined;
  #interruption: { makeError: () => unknown; error?: unknown } | undefined;
  /** The listener on the test's signal, added when the first wait listens (see #hearAbort). */
  #onAbort: (() => void) | undefined;
  #torn = false;
  #tearingDown: Promise<void> | undefined;

  constructor(options: TestSystemOptions = {}) {
    const checked = fromChecked;
    fromChecked = undefined;
    if (!checked) validateSystemOptions(options);
    this.#options = options;
    this.testId = options.testId ?? 'anonymous';
    this.runSeed = checked ? checked.runSeed : runSeed();
    this.seed = options.seed ?? testSeed(this.runSeed, this.testId);
    this.defaultTimeout = options.timeout ?? 5000;
    this.quietPeriod = options.quietPeriod ?? DEFAULT_QUIET_PERIOD;
    this.#trapExits = options.trapExits ?? false;
    // Every OS group the runtime starts (supervised children too) dies if this worker is SIGKILLed.
    const runtimeOptions: RuntimeOptions = { clock: options.clock ?? 'virtual', seed: this.seed, reaper: processReaper() };
    if (options.scheduler !== undefined) runtimeOptions.scheduler = options.scheduler;
    if (options.recordMessages !== undefined) runtimeOptions.recordMessages = options.recordMessages;
    this.runtime = new Runtime(runtimeOptions);
    // The test's own process: the parent of every tree the test starts. It traps exits, so an
    // unexpected exit of a started tree is seen here and fails the test (start_link_supervised!).
    this.#root = this.runtime.spawn(this.#onRootMessage.bind(this), { trapExit: true, label: 'test' });
    this.runtime.record('system.start', 'test', { seed: this.seed, runSeed: this.runSeed, testId: this.testId });
    systems.register(this);
    // The test's signal is listened to from the first wait on (#hearAbort); an abort before that is
    // read from `signal.aborted` where it matters (#interrupt, onInterrupt).
  }

  /** The test's seeded random source (made on first use; its sequence depends on the seed only). */
  get random(): Random {
    return (this.#random ??= new Random(this.seed));
  }

  get history(): History {
    return this.runtime.history;
  }

  /** The pid of the test's own process (the parent of started trees). */
  get self(): Pid {
    return this.#root;
  }

  /** The test-side mailbox (created on first use). */
  get inbox(): Inbox {
    this.#assertLive('inbox');
    return (this.#inbox ??= new Inbox(this, 'inbox', (operation) => this.#assertLive(operation), this.quietPeriod));
  }

  now(): number {
    return this.runtime.now();
  }

  /** Stop failing the test when a started tree exits on its own; the exits stay in the history. */
  trapExits(trap = true): void {
    this.#trapExits = trap;
  }

  /** The command that replays this test with the same seed. */
  replayCommand(): string {
    return replayCommand(this.runSeed, this.#options.file, this.#options.testName);
  }

  // ------------------------------------------------------------------ starting things

  /**
   * Start a supervision tree (or a single child) under the test, linked to it, and wait until it
   * is up. Virtual time advances if its start needs it. Rejects with START_FAILED, leaving
   * nothing started, if any child fails to start. `options` bound the wait like any wait's (a
   * tree of OS children that each take seconds to get ready needs more than the default 5000 ms);
   * bad options throw before anything starts.
   */
  async start(spec: SupervisorSpec, options?: WaitOptions): Promise<SupervisorRef>;
  async start(spec: ChildSpec, options?: WaitOptions): Promise<Pid>;
  async start(spec: Startable, options: WaitOptions = {}): Promise<SupervisorRef | Pid> {
    this.#assertLive('start');
    validateWaitOptions(options, 'start');
    const at = callerLocation();
    if (isSupervisorSpec(spec)) {
      const ref = await drive(
        this,
        `supervisor ${spec.id ?? ''} to start`.replace('  ', ' '),
        startSupervisor(this.runtime, spec, { link: this.#root }),
        options,
      );
      this.#adopt(ref.pid, ref.label, () => ref.stop(), at);
      return ref;
    }
    if (typeof spec !== 'object' || spec === null || typeof (spec as ChildSpec).start !== 'function' || typeof (spec as ChildSpec).id !== 'string') {
      throw new InvalidOptionError('start(spec)', spec, 'a supervisor spec (supervisor({...})) or a child spec { id, start }');
    }
    const child = spec as ChildSpec;
    const result = await drive(
      this,
      `child ${child.id} to start`,
      Promise.resolve(child.start(childStartContext(this.runtime, this.#root, child.id, child.id))),
      options,
    );
    if (!(result instanceof Pid)) {
      // A child spec reports a failed start as { error }: that error is the one the test needs to see.
      const failure = typeof result === 'object' && result !== null && 'error' in result ? (result as { error: unknown }).error : undefined;
      if (failure instanceof QuiesceError) throw failure;
      const said =
        failure !== undefined ? `failed with ${JSON.stringify(serialiseReason(failure))}` : `returned ${JSON.stringify(serialiseReason(result))}, not a pid`;
      throw new QuiesceError('START_FAILED', `start(${child.id}): the start function ${said}`, {
        result,
        ...(failure !== undefined ? { cause: failure } : {}),
      });
    }
    this.runtime.link(this.#root, result);
    this.#adopt(result, child.id, () => this.#stopPid(result), at);
    return result;
  }

  /** Start a dynamic supervisor under the test. */
  async startDynamic(options: Omit<DynamicSupervisorOptions, 'link'> = {}): Promise<DynamicSupervisorRef> {
    this.#assertLive('startDynamic');
    // `link` is the test's own process: it is not the caller's to set.
    checkOptions('startDynamic options', options, ['maxChildren', 'intensity', 'period', 'name', 'label']);
    const at = callerLocation();
    const ref = await drive(this, 'dynamic supervisor to start', startDynamicSupervisor(this.runtime, { ...options, link: this.#root }));
    this.#adopt(ref.pid, ref.label, () => ref.stop(), at);
    return ref;
  }

  /** Start a server under the test. */
  async startServer<S, A>(behaviour: ServerBehaviour<S, A>, args: A, options: { name?: string; label?: string } = {}): Promise<Pid> {
    this.#assertLive('startServer');
    checkOptions('startServer options', options, ['name', 'label']);
    const at = callerLocation();
    const pid = await drive(this, 'server to start', startServer(this.runtime, behaviour, args, { ...options, link: this.#root }));
    this.#adopt(pid, options.label ?? options.name ?? pid.toString(), () => this.#stopPid(pid), at);
    return pid;
  }

  /** Stop something the test started, with its own shutdown semantics, and wait until it is gone. */
  async stop(target: SupervisorRef | DynamicSupervisorRef | Pid, options: WaitOptions = {}): Promise<void> {
    this.#assertLive('stop');
    const pid = pidOf('stop', target);
    const entry = this.#started.find((s) => s.pid.equals(pid));
    (this.#stopping ??= new Set()).add(pid);
    const stopping = entry ? entry.stop() : target instanceof SupervisorRef || target instanceof DynamicSupervisorRef ? target.stop() : this.#stopPid(pid);
    await drive(this, `${this.runtime.label(pid)} to stop`, stopping, options);
  }

  /** Send an exit signal (default `kill`, untrappable) to a process or tree. */
  kill(target: SupervisorRef | DynamicSupervisorRef | Pid, reason: ExitReason = 'kill'): void {
    this.#assertLive('kill');
    const pid = pidOf('kill', target);
    this.runtime.exit(pid, reason);
  }

  send(target: Pid | string, message: unknown): void {
    this.#assertLive('send');
    this.runtime.send(target, message);
  }

  // ------------------------------------------------------------------ waiting

  /**
   * Wait for a history event matching `pattern`: a kind, a partial event, or a predicate. A declared
   * kind (docs/events.md) types the event's data, and the pattern's `data`, from the event map.
   */
  until<K extends EventKind>(pattern: K | EventPattern<K>, options?: UntilOptions): Promise<EventOf<K>>;
  until<K extends string>(pattern: CustomKind<K> | EventPattern<CustomKind<K>>, options?: UntilOptions): Promise<HistoryEvent<K>>;
  until(pattern: ((event: HistoryEvent) => boolean) | AnyKindPattern, options?: UntilOptions): Promise<HistoryEvent>;
  until(pattern: HistoryPattern, options: UntilOptions = {}): Promise<HistoryEvent> {
    this.#assertLive('until');
    const { since = 'now', ...opts } = validateWaitOptions(options, 'until', ['since']) as UntilOptions;
    const predicate = toEventPredicate(pattern);
    if (!(since === 'now' || since === 'start' || (Number.isInteger(since) && (since as number) >= 0))) {
      throw new InvalidOptionError('until.since', since, "'now', 'start' or a history seq (integer >= 0)");
    }
    const from = since === 'now' ? this.history.length : since === 'start' ? 0 : (since as number);
    const past = this.history.find(predicate, from);
    if (past) return Promise.resolve(past);
    let unsubscribe = (): void => undefined;
    const found = new Promise<HistoryEvent>((resolve) => {
      unsubscribe = this.history.subscribe((event) => {
        if (predicate(event)) {
          unsubscribe();
          resolve(event);
        }
      });
    });
    return drive(this, `an event matching ${describeHistoryPattern(pattern)}`, found, opts).finally(unsubscribe);
  }

  /** Resolve with the exit reason of `target` when it exits (a monitor from the test). */
  monitor(target: SupervisorRef | DynamicSupervisorRef | Pid, options: WaitOptions = {}): Promise<ExitReason> {
    this.#assertLive('monitor');
    const pid = pidOf('monitor', target);
    let unwatch = (): void => undefined;
    const exited = new Promise<ExitReason>((resolve) => {
      unwatch = this.runtime.watch(pid, resolve);
    });
    return drive(this, `${this.runtime.label(pid)} to exit`, exited, options).finally(unwatch);
  }

  /** Cast to a server, then wait until it has handled the cast (a mailbox barrier). */
  async castAndSync(server: Pid | string, message: unknown, options: WaitOptions = {}): Promise<void> {
    this.#assertLive('castAndSync');
    this.runtime.cast(server, message);
    await this.sync(server, options);
  }

  /** Wait until `target` has handled every message already in its mailbox. */
  sync(target: Pid | string, options: WaitOptions = {}): Promise<void> {
    this.#assertLive('sync');
    checkAddress('sync', target);
    return drive(this, `${String(target)} to sync`, this.runtime.sync(target, 'infinity'), options);
  }

  /** Call a server, driving virtual time while the call is in flight. */
  call<R = unknown>(target: Pid | string, request: unknown, options: WaitOptions = {}): Promise<R> {
    this.#assertLive('call');
    checkAddress('call', target);
    return drive(this, `a reply from ${String(target)}`, this.runtime.call<R>(target, request, 'infinity'), options);
  }

  /**
   * Wait until nothing more happens, then, on a virtual clock of a closed system, move time to the
   * next pending timer (if any) and wait again. Returns the virtual time it moved. With OS
   * processes or other external actors live, "nothing more happens" means no event for
   * `quietPeriod` real milliseconds (see TestSystemOptions.quietPeriod), and the clock is not moved.
   */
  async settle(options: { quietPeriod?: number; timeout?: number } = {}): Promise<number> {
    this.#assertLive('settle');
    const before = this.now();
    const quiet = await this.quiescence(options);
    const clock = this.runtime.clock;
    if (quiet.by === 'idle' && clock instanceof VirtualClock && clock.fireNext()) await this.quiescence(options);
    return this.now() - before;
  }

  /**
   * Resolve when nothing more will happen, without moving the clock: at durable idleness for a
   * closed system, or after `quietPeriod` real milliseconds without an event while external
   * actors are live. Says which rule decided. How negatives are decided.
   */
  quiescence(options: { quietPeriod?: number; timeout?: number } = {}): Promise<Quiescence> {
    this.#assertLive('quiescence');
    checkOptions('quiescence options', options, ['quietPeriod', 'timeout']);
    const quietPeriod = options.quietPeriod === undefined ? this.quietPeriod : checkMilliseconds('quiescence options.quietPeriod', options.quietPeriod);
    const timeout =
      options.timeout === undefined ? Math.max(this.defaultTimeout, quietPeriod) : checkMilliseconds('quiescence options.timeout', options.timeout);
    return awaitQuiescence(this, { quietPeriod, timeout });
  }

  /**
   * Count the events matching `pattern` (a kind, a partial event or a predicate) once nothing more
   * will happen (durable idle for a closed system; see quiescence): exact, every one of them, so
   * one event too many is seen. From the start of the history unless `since` (`system.mark()`).
   */
  count(pattern: HistoryPattern, options: CountOptions = {}): Promise<EventCount> {
    this.#assertLive('count');
    return this.#raceInterrupt(countEvents(this, toEventPredicate(pattern), options));
  }

  /**
   * Measure `pid`'s mailbox exactly while `operation` runs, and until the system settles after it
   * (unless `settle: false`): initial, final, max, mean, and the virtual time of the peak. The
   * runtime reports every enqueue and dequeue, so nothing between two samples is missed.
   */
  measureMailbox(pid: Pid, operation: () => unknown, options: MeasureMailboxOptions = {}): Promise<MailboxMeasurement> {
    this.#assertLive('measureMailbox');
    return measureMailbox(this, pid, operation, options);
  }

  /**
   * The history's current position: pass it as `since` to `until` or to a matcher to count only
   * what happens from here on, even if it happens before the wait begins (a crash triggered by a
   * request whose restart lands before `expect(...).toRestart` is called).
   */
  mark(): number {
    return this.history.length;
  }

  /**
   * Await any promise while the system drives its clock: for production code built on the
   * test's runtime whose methods await kernel time (a server that sleeps, a call with a timeout).
   * Without a driver such a promise never settles on a virtual clock. Fails like any wait.
   */
  drive<T>(promise: Promise<T>, options: WaitOptions & { what?: string } = {}): Promise<T> {
    this.#assertLive('drive');
    if (!(promise instanceof Promise) && !(typeof promise === 'object' && promise !== null && typeof (promise as PromiseLike<T>).then === 'function')) {
      throw new InvalidOptionError('drive(promise)', promise, 'a promise');
    }
    checkObject('drive options', options);
    const { what = 'the driven promise', ...wait } = options;
    if (typeof what !== 'string') throw new InvalidOptionError('drive options.what', what, 'a string naming what is awaited');
    return drive(this, what, Promise.resolve(promise), wait);
  }

  /** Advance virtual time by `ms`, letting the system react to every timer on the way. */
  async advance(ms: number): Promise<void> {
    this.#assertLive('advance');
    await this.#raceInterrupt(this.runtime.advance(ms));
  }

  // ------------------------------------------------------------------ ownership

  /** Own a resource: it is disposed at teardown and checked for leaks after. Returns it. */
  own<R extends OwnedResource>(resource: R, createdAt = callerLocation()): R {
    this.#assertLive('own');
    checkOwnedResource(resource);
    // Owned resources that live in real time (tracked processes, observers, servers) are external
    // work; the probe is added with the first one (before it, it could only answer false).
    if (this.#owned.length === 0) this.runtime.addExternalSource(() => this.#owned.some((o) => o.resource.external?.() === true));
    this.#owned.push({ resource, createdAt });
    return resource;
  }

  /** Whether the test owns `resource` (@quiesce/chaos refuses to touch what the test does not own). */
  owns(resource: unknown): boolean {
    return this.#owned.some((o) => o.resource === resource);
  }

  /**
   * Record what a third-party emitter (a Node EventEmitter or an EventTarget) emits into the
   * history: `mapping` maps event names to a history kind (recorded with the event's arguments as
   * data) or to a function returning `{ kind, source?, data }` or undefined to skip. The observer
   * is owned by the test and detached at teardown; while attached, waits wait for it in real time
   * instead of declaring deadlock.
   */
  observe(emitter: ObservableEmitter, mapping: EventMapping, options: ObserveOptions = {}): Observer {
    this.#assertLive('observe');
    return observe(this, emitter, mapping, options);
  }

  /**
   * Record what third parties publish on `quiesce:<kind>` diagnostics channels (and any named
   * channels) into the history; events published by a Quiesce runtime are skipped. The protocol
   * for publishers is documented in observe/diagnostics.ts.
   */
  bridgeDiagnostics(options: BridgeOptions = {}): Observer {
    this.#assertLive('bridgeDiagnostics');
    return bridgeDiagnostics(this, options);
  }

  /**
   * The dry-run leak check: what would outlive the test if it ended now (live processes other
   * than the test's own and its inbox, owned resources still alive, pending timers).
   */
  leftovers(): Leftover[] {
    return leftovers(this.runtime, this.#owned, this.#inbox ? [this.#root, this.#inbox.pid] : [this.#root]);
  }

  /**
   * Spawn an OS process (argv, no shell) as the leader of a new process group owned by the test,
   * and resolve with its handle once a stdout line matches `options.ready` (or once it runs).
   * Teardown kills the group; the reaper kills it if the worker dies. See os/spawn.ts.
   */
  spawn(command: string, args: readonly string[] = [], options: SpawnOptions = {}): Promise<TrackedProcess> {
    this.#assertLive('spawn');
    return spawnProcess(this, command, args, options);
  }

  /**
   * Start a container (testcontainers, an optional peer) owned by the test: an image name, run
   * with host networking by default, or a testcontainers container object. Resolves once it is
   * ready (its wait strategy, its `listening` port); teardown removes it; the reaper removes it
   * if the worker dies. See node_modules/@quiesce/harness/docs/containers.md.
   */
  container<S extends StartedContainerLike = StartedContainerLike>(
    image: string | ContainerSpecLike<S>,
    options: ContainerOptions = {},
  ): Promise<ContainerHandle<S>> {
    this.#assertLive('container');
    return containerFor(this, image, options);
  }

  /** Wait until `host:port` accepts TCP connections, probing with bounded backoff; each probe is recorded. */
  awaitListening(port: number, options: Omit<AwaitListeningOptions, 'system'> = {}): Promise<ProbeReport> {
    this.#assertLive('awaitListening');
    return awaitListening(port, { ...options, system: this });
  }

  /** Wait until `url` answers a GET with the expected status, probing with bounded backoff; each probe is recorded. */
  awaitHealthy(url: string | URL, options: Omit<AwaitHealthyOptions, 'system'> = {}): Promise<HealthReport> {
    this.#assertLive('awaitHealthy');
    return awaitHealthy(url, { ...options, system: this });
  }

  /**
   * A port number leased for this test (tier 4 in docs/architecture.md, "Ports"): exclusive across processes and
   * concurrent runs on this host, outside the ephemeral range, bind-verified; reserved until
   * teardown. Prefer `memoryDuplex()` (no port) or `listen(server)` (bind 0) where they fit.
   */
  port(): Promise<number> {
    this.#assertLive('port');
    return leaseFor(this);
  }

  /** Give a `port()` number back before teardown (records `port.release`; the leak check then passes). Idempotent. */
  releasePort(port: number): Promise<void> {
    return releaseFor(this, port);
  }

  /**
   * Bind `server` (net or http) to port 0 on loopback and resolve with its port (tier 2). The
   * server is owned by the test: teardown closes it and destroys its open connections.
   */
  listen(server: NetServer, options?: ListenOptions): Promise<number> {
    this.#assertLive('listen');
    return listenFor(this, server, options);
  }

  /** Record an event in the test's history: a declared kind with its payload, or a custom kind (docs/events.md) with any data. */
  record<K extends EventKind>(kind: K, source: string, data: QuiesceEvents[K]): HistoryEvent<K, QuiesceEvents[K]>;
  record<K extends string>(kind: CustomKind<K>, source: string, data?: unknown): HistoryEvent<K>;
  record(kind: string, source: string, data: unknown = {}): HistoryEvent {
    return this.runtime.record(kind, source, data);
  }

  // ------------------------------------------------------------------ DriveTarget

  /** True while something outside the runtime (an OS child, an observer, a thread) may still produce events. */
  hasExternalSources(): boolean {
    return this.runtime.externalLive();
  }

  onInterrupt(listener: (error: unknown) => void, hearAbort = true): () => void {
    if (typeof listener !== 'function') throw new InvalidOptionError('onInterrupt(listener)', listener, 'a function (error) => void');
    if (!this.#interruption && this.#options.signal?.aborted) this.#interrupt(() => this.#abortError());
    if (this.#interruption) {
      const error = this.#interruptionError();
      queueMicrotask(() => listener(error));
      return () => undefined;
    }
    // An array, not a Set: a system has a wait or two pending at a time, and most never more.
    const listeners = (this.#interruptListeners ??= []);
    listeners.push(listener);
    if (hearAbort) this.#hearAbort();
    return () => {
      const at = listeners.indexOf(listener);
      if (at >= 0) listeners.splice(at, 1);
    };
  }

  /**
   * Listen to the test's signal, once per system, from the first wait on: an abort interrupts every
   * pending wait. A test that never waits adds no listener (an abort it did not hear is read from
   * `signal.aborted` by #interrupt and onInterrupt, so it still comes first).
   */
  #hearAbort(): void {
    const signal = this.#options.signal;
    if (!signal || this.#onAbort) return;
    this.#onAbort = () => this.#interrupt(() => this.#abortError());
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  #abortError(): QuiesceError {
    return new QuiesceError('TIMEOUT', 'the test was aborted (it timed out or was cancelled)', { aborted: true, reason: this.#options.signal?.reason });
  }

  /**
   * Interrupt every pending wait (the first interruption wins; later ones are ignored). The error
   * is built only when something listens: most teardowns find no wait pending.
   */
  #interrupt(makeError: () => unknown): void {
    if (this.#interruption) return;
    // The test's abort comes first even when no listener heard it (#hearAbort).
    this.#interruption = { makeError: this.#options.signal?.aborted ? () => this.#abortError() : makeError };
    if (!this.#interruptListeners || this.#interruptListeners.length === 0) return;
    const error = this.#interruptionError();
    const listeners = this.#interruptListeners;
    // No listener comes after an interruption (onInterrupt answers those itself).
    this.#interruptListeners = undefined;
    for (const listener of listeners) listener(error);
  }

  /** The interruption's error, built once on first use. */
  #interruptionError(): unknown {
    const interruption = this.#interruption!;
    if (!('error' in interruption)) interruption.error = interruption.makeError();
    return interruption.error;
  }

  // ------------------------------------------------------------------ teardown

  get tornDown(): boolean {
    return this.#torn;
  }

  /** The error of a started tree that exited on its own (teardown throws it), if one did. */
  get linkedFailure(): QuiesceError | undefined {
    return this.#linkedFailure;
  }

  /**
   * Stop started trees right to left with their own shutdown semantics, kill whatever process
   * remains, dispose owned resources newest first, then check for leaks. Idempotent. Throws a
   * LeakError, or the error of a linked process that crashed during the test.
   */
  teardown(): Promise<void> {
    this.#tearingDown ??= this.#teardown();
    return this.#tearingDown;
  }

  async #teardown(): Promise<void> {
    this.#torn = true;
    systems.retire(this);
    // The test's signal outlives the system (a suite's own signal may outlive many).
    if (this.#onAbort) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    // Waits still pending (a timed-out body, a forgotten await) end now, as aborted, rather than
    // run on against a system being taken apart (or hang until their timeout).
    this.#interrupt(() => new QuiesceError('AFTER_TEARDOWN', "the test's system was torn down while this was still pending", {}));
    // A linked crash that already failed the test does not stop the other trees from stopping properly.
    const problems = this.#started.length > 0 ? await stopStartedTrees(this.runtime, this.#started, (pid) => (this.#stopping ??= new Set()).add(pid)) : [];
    await this.runtime.shutdown({ code: 'AFTER_TEARDOWN', by: `test ${JSON.stringify(this.testId)}` });
    const owned = this.#owned;
    let leaks: Leak[];
    if (owned.length === 0 && !this.runtime.externalLive()) {
      // Nothing owned, and no OS child, thread or external operation left (most tests): nothing
      // to wait for or dispose; the leak check reads what remains at once.
      leaks = leaksNow(this.runtime, owned);
    } else {
      // The runtime's OS children are gone before owned resources go: a port lease is released only
      // once no worker still listens on it.
      // Not the actors owned resources hold (a system.spawn child, a container): their dispose ends them.
      const ownedActors = new Set(owned.map((o) => o.resource.actor).filter((label): label is string => label !== undefined));
      await awaitActorsGone(this.runtime, undefined, ownedActors);
      problems.push(...(await disposeOwned(owned)));
      leaks = await findLeaks(this.runtime, owned);
    }
    problems.push(...listenerErrors(this.history));
    this.runtime.record('system.teardown', 'test', { leaks: leaks.length });
    if (!this.#linkedFailure && leaks.length === 0 && problems.length === 0) return;
    // Most important first: a linked crash, then leaks, then whatever failed on the way.
    const failures = [...(this.#linkedFailure ? [this.#linkedFailure] : []), ...(leaks.length > 0 ? [new LeakError(leaks)] : []), ...problems];
    if (failures.length > 0) throw teardownFailure(failures);
  }

  /** The failure report: seed, replay command and the history's tail. */
  report(tail = 30): string {
    if (!Number.isSafeInteger(tail) || tail < 0) throw new InvalidOptionError('report(tail)', tail, 'an integer >= 0 (how many events to print)');
    return `seed ${this.seed} (run seed ${this.runSeed}); replay: ${this.replayCommand()}\n\nlast ${Math.min(tail, this.history.length)} events:\n${this.history.timeline(tail)}`;
  }

  /**
   * Why a test that timed out may have hung, when the system shows it: nothing inside can run,
   * timers are pending on the virtual clock, and no Quiesce wait is driving it — so the test was
   * awaiting a promise (production code awaiting kernel time) that no one moved time for.
   */
  stallHint(): string | undefined {
    const clock = this.runtime.clock;
    if (!(clock instanceof VirtualClock) || this.#torn || !this.runtime.isQuiet() || isDriven(this.runtime)) return undefined;
    const pending = clock.pendingTimers();
    const next = clock.nextDeadline();
    if (pending === 0 || next === undefined) return undefined;
    return (
      `the system sat idle at ${round(this.now())} ms virtual with ${pending} timer(s) pending (the next at ${round(next)} ms) while no Quiesce wait drove its clock: ` +
      'a promise awaited outside a Quiesce wait never settles on a virtual clock if it needs kernel time. ' +
      'Await it through the system — `await system.drive(promise)` — or move time with `system.settle()` / `system.advance(ms)`.'
    );
  }

  // ------------------------------------------------------------------ internals

  async #raceInterrupt<T>(promise: Promise<T>): Promise<T> {
    let release = (): void => undefined;
    const interrupted = new Promise<never>((_resolve, reject) => {
      release = this.onInterrupt(reject);
    });
    try {
      return await Promise.race([promise, interrupted]);
    } finally {
      release();
    }
  }

  #adopt(pid: Pid, label: string, stop: () => Promise<void>, createdAt: string): void {
    this.#started.push({ pid, label, stop });
    this.runtime.record('system.adopt', 'test', { pid: pid.toString(), label, createdAt });
  }

  async #stopPid(pid: Pid): Promise<void> {
    if (!this.runtime.isAlive(pid)) return;
    const exited = new Promise<void>((resolve) => this.runtime.watch(pid, () => resolve()));
    this.runtime.unlink(this.#root, pid);
    this.runtime.exit(pid, 'shutdown', this.#root);
    await exited;
  }

  #onRootMessage(message: unknown): void {
    if (!isExitMessage(message)) return;
    const pid = message.from;
    const started = this.#started.find((s) => s.pid.equals(pid));
    if (!started || this.#stopping?.has(pid) || this.#torn) return;
    if (this.#trapExits || message.reason === 'normal') return;
    const error = new QuiesceError(
      'CALL_EXIT',
      `${started.label} (${pid}), linked to the test, exited with ${JSON.stringify(serialiseReason(message.reason))}` +
        (isNormalExit(message.reason) ? ' (its restart intensity was probably exceeded)' : '') +
        `; call system.trapExits() if the test expects it`,
      { reason: message.reason },
    );
    this.#linkedFailure ??= error;
    this.#interrupt(() => error);
  }

  #assertLive(operation: string): void {
    if (this.#torn) {
      throw new QuiesceError(
        'AFTER_TEARDOWN',
        `system.${operation}: the test's system has been torn down (the test ended or timed out); activity after teardown is rejected`,
        { operation },
      );
    }
  }
}

const systems = systemRegistry<TestSystem>();

/** Set for one construction by systemFromCheckedOptions: the options need no second check. */
let fromChecked: { runSeed: number } | undefined;

/**
 * A TestSystem from options its caller built itself and knows to be valid (the fixture's, from
 * Vitest's own context, once per test): the constructor does not check them again, and takes the
 * run seed the caller read (reading the environment is a measurable share of a short test).
 * @internal
 */
export function systemFromCheckedOptions(options: TestSystemOptions, runSeed: number): TestSystem {
  fromChecked = { runSeed };
  return new TestSystem(options);
}

/**
 * The TestSystem that owns `target`: a runtime, a pid of that runtime, or anything with a
 * `runtime` (a SupervisorRef). Undefined for runtimes created outside a TestSystem.
 */
export function systemOf(target: Runtime | Pid | { readonly runtime: Runtime }): TestSystem | undefined {
  return systems.lookup(target);
}

export { WaitError };
export { toEventPredicate, type HistoryPattern, type UntilOptions, type TestSystemOptions };
