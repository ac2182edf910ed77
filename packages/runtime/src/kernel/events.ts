/**
 * The event map: every kind of history event, mapped to the data it carries (docs/events.md).
 * `Runtime.record`, `History.append`, `History.ofKind`, the harness's `until` and the matchers are
 * keyed on it, so a misspelt kind or a wrong payload is a type error. Payloads are plain JSON-safe
 * objects: histories serialise (`toJSONLines()`) and timelines print them.
 *
 * The runtime declares its kinds here. Other packages add theirs by declaration merging, as the
 * harness does (packages/harness/src/core/events.ts):
 *
 * ```ts
 * declare module '@quiesce/runtime' {
 *   interface QuiesceEvents { 'pool.acquire': { worker: string } }
 * }
 * ```
 *
 * Each member's doc comment feeds the catalogue in docs/events.md (`@writer`: who records it);
 * `npm run typecheck` fails when the two disagree. Payload types are spelt out rather than imported
 * from the rooms that write them, so the kernel depends on nothing above it; a writer whose
 * vocabulary grows (a new strategy, a new signaller) stops compiling until its kind here follows.
 */

/**
 * The runtime's lifecycle: what a third-party supervisor publishes to become assertable, and what
 * `bridgeDiagnostics()` records by default (`LIFECYCLE_KINDS` is checked against these keys).
 */
export interface LifecycleEvents {
  /**
   * A process was spawned; `parent` is the process it was linked to at birth. Source: its label.
   * @writer runtime (every spawn: processes, servers, supervisors, children's proxies)
   */
  'process.spawn': { pid: string; name?: string; parent?: string };
  /**
   * A process exited; `reason` is its exit reason (serialised, see `serialiseReason`). Source: its label.
   * @writer runtime
   */
  'process.exit': { pid: string; reason: unknown; name?: string };
  /**
   * A supervisor finished starting its children (a dynamic supervisor: it is ready). Source: its label.
   * @writer supervisor, dynamic supervisor
   */
  'supervisor.start':
    | { strategy: 'one_for_one' | 'one_for_all' | 'rest_for_one'; intensity: number; period: number; children: string[] }
    | { strategy: 'one_for_one'; dynamic: true; maxChildren: number | null };
  /**
   * A supervisor is shutting down (its children are stopped first). Source: its label.
   * @writer supervisor, dynamic supervisor
   */
  'supervisor.shutdown': { reason: unknown };
  /**
   * Restarting child `id` would exceed the restart intensity: the supervisor gives up. Source: its label.
   * @writer supervisor, dynamic supervisor
   */
  'supervisor.intensity': { id: string; intensity: number; period: number };
  /**
   * Child `id` started (first start, or a dynamic supervisor's startChild). Source: the supervisor's label.
   * @writer supervisor, dynamic supervisor
   */
  'child.start': { id: string; pid: string };
  /**
   * Child `id`'s start returned ignore: its spec is kept, with no process. Source: the supervisor's label.
   * @writer supervisor
   */
  'child.ignore': { id: string };
  /**
   * Child `id`'s start (or restart) failed with `reason`. Source: the supervisor's label.
   * @writer supervisor, dynamic supervisor
   */
  'child.start_failed': { id: string; reason: unknown };
  /**
   * Child `id` exited on its own (not stopped by its supervisor). Source: the supervisor's label.
   * @writer supervisor, dynamic supervisor
   */
  'child.exit': { id: string; pid: string; reason: unknown; restart: 'permanent' | 'transient' | 'temporary' };
  /**
   * Child `id` was restarted; `pid` is the new process. Source: the supervisor's label.
   * @writer supervisor, dynamic supervisor
   */
  'child.restart': { id: string; pid: string };
  /**
   * The supervisor stopped child `id` (shutdown, a sibling's restart, terminateChild). Source: the supervisor's label.
   * @writer supervisor, dynamic supervisor
   */
  'child.terminate': { id: string; pid: string; reason: unknown };
  /**
   * An OS process started (`pid` is its process group). Source: the child's or the tracked process's label.
   * @writer OS-process group (supervised osProcess children, the harness's system.spawn)
   */
  'os.spawn': { command: string; args: string[]; pid: number | undefined };
  /**
   * An OS process printed the line that satisfied its `ready` option.
   * @writer OS-process group, osProcess child
   */
  'os.ready': { pid: number | undefined; line: string };
  /**
   * An OS process exited and its output closed: `code`, or the `signal` that killed it.
   * @writer OS-process group
   */
  'os.exit': { pid: number; code: number | null; signal: NodeJS.Signals | null };
  /**
   * A stdout line, when `stdoutLines` is set.
   * @writer OS-process group
   */
  'os.stdout': { pid: number | undefined; line: string };
  /**
   * A worker thread came online. Source: the child's label (default `thread:<file>`).
   * @writer workerThread child
   */
  'thread.spawn': { file: string; threadId: number };
  /**
   * A worker thread sent the message that satisfied its `ready` option.
   * @writer workerThread child
   */
  'thread.ready': { threadId: number; message: unknown };
  /**
   * A worker thread exited; `error` is its uncaught exception, if any.
   * @writer workerThread child
   */
  'thread.exit': { threadId: number; code: number; error?: string };
}

/** Everything else the runtime records: time, messages, faults and the details of OS processes. */
export interface RuntimeEvents extends LifecycleEvents {
  /**
   * A virtual clock was advanced by `runtime.advance` (waits that let time jump record nothing). Source: `clock`.
   * @writer runtime
   */
  'clock.advance': { from: number; to: number };
  /**
   * A message was sent, when `recordMessages` is on. Source: the sender's label, or `external`.
   * @writer runtime
   */
  'message.send': { to: string; message: unknown };
  /**
   * A spawn was refused: `live` processes already run and the runtime's cap (`limitProcesses`) is `limit` (OTP's system_limit). Source: the label the process would have had, or `runtime`.
   * @writer runtime
   */
  'process.system_limit': { limit: number; live: number };
  /**
   * A dynamic supervisor refused startChild: it already has `maxChildren` children (OTP's `{error, max_children}`). Source: its label.
   * @writer dynamic supervisor
   */
  'supervisor.max_children': { maxChildren: number; children: number };
  /**
   * The scheduler itself failed (a replay token that no longer fits): the runtime halts. Source: `runtime`.
   * @writer runtime
   */
  'runtime.fault': { error: unknown };
  /**
   * A listener the runtime calls threw: it was removed, and what it threw is here (the harness
   * fails the test at teardown). Source: the watched process's label.
   * @writer runtime
   */
  'runtime.listener_error': { listener: 'watchMailbox'; pid: string; error: unknown };
  /**
   * A signal was sent to an OS process group, and by whom.
   * @writer OS-process group
   */
  'os.kill': { pid: number; signal: NodeJS.Signals | number; by: 'test' | 'teardown' | 'supervisor' | 'runtime' | 'chaos' };
  /**
   * A stderr line, when `stderrLines` is set.
   * @writer OS-process group
   */
  'os.stderr': { pid: number | undefined; line: string };
  /**
   * An OS process could not be started; `error` is the errno code or message.
   * @writer OS-process group
   */
  'os.spawn_failed': { command: string; error: string };
  /**
   * An OS process printed no ready line within `readyTimeout` ms; its group is killed.
   * @writer OS-process group
   */
  'os.ready_timeout': { pid: number; timeout: number | undefined };
  /**
   * One look at whether a stopped process group is gone (bounded backoff, no fixed sleep).
   * @writer OS-process group
   */
  'probe.group': { pgid: number; attempt: number; state: 'alive' | 'dead' | 'gone' };
}

/**
 * Every event kind and its payload: the runtime's, and those other packages (the harness, chaos)
 * and users merge in with `declare module '@quiesce/runtime' { interface QuiesceEvents { … } }`.
 */
export interface QuiesceEvents extends RuntimeEvents {} // empty on purpose: open for declaration merging

/** A kind declared in the event map. */
export type EventKind = keyof QuiesceEvents & string;

/** The kinds a supervisor records under its own label. */
export type SupervisorEventKind = Extract<keyof LifecycleEvents, `supervisor.${string}` | `child.${string}`>;

/** The data an event of kind `K` carries: its payload when `K` is declared, `unknown` otherwise. */
export type EventData<K extends string> = K extends EventKind ? QuiesceEvents[K] : unknown;

/** The namespaces the map's kinds live in (`child`, `os`, `port`, …): a kind in one of them must be declared. */
export type ReservedNamespace = EventKind extends infer K ? (K extends `${infer Namespace}.${string}` ? Namespace : never) : never;

/**
 * `K` itself when it is a custom kind: one the map does not declare, outside every namespace the
 * map uses (`test.marker`, `pool.acquire`, `tick`). Otherwise a message type that `K` cannot be
 * assigned to, so the compiler reports a misspelt kind of ours (`child.restrat`) as an error. A kind
 * typed only as `string` (known at run time, as an observer's mapping is) passes unchecked.
 */
export type CustomKind<K extends string> = K extends EventKind
  ? `${K} is a declared kind: its data must be QuiesceEvents['${K}']`
  : K extends `${ReservedNamespace}.${string}`
    ? `${K} is not declared in QuiesceEvents, and its namespace is reserved: a misspelling?`
    : K;

/** Records a declared event (the runtime's internals hold one: its `record` without the argument checks). */
export type EventRecorder = <K extends EventKind>(kind: K, source: string, data: QuiesceEvents[K]) => void;
