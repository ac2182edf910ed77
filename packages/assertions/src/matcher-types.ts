import type { Runtime } from '@quiesce/runtime';
import type { HistoryPattern, MemoryTrendOptions, TestSystem } from '@quiesce/harness';

/**
 * The matchers' signatures, independent of any Vitest major. The type entries
 * (`@quiesce/assertions` itself, `/vitest4`, `/vitest5`) attach this interface to Vitest's
 * assertion type in the way each major allows.
 */

/** Milliseconds, or a string with a unit: `'250ms'`, `'5s'`, `'1.5m'`, `'1h'`. */
export type Duration = number | `${number}ms` | `${number}s` | `${number}m` | `${number}h`;

export interface RestartOptions {
  /** How many restarts of the child to wait for (default 1). */
  times?: number;
  /** Virtual and real milliseconds to wait (default: the system's wait timeout, 5000). */
  timeout?: number;
  /**
   * Count restarts from this history position (`system.mark()`) instead of from the assertion:
   * for a crash triggered asynchronously (a job over TCP) whose restart may land before the
   * assertion runs.
   */
  since?: number;
}

export interface ResponsiveOptions {
  /** Virtual and real milliseconds to wait for the process to answer (default: the system's wait timeout). */
  timeout?: number;
}

export interface ReceiveOptions {
  /** Virtual and real milliseconds to wait for the message (default: the system's wait timeout). Ignored by `.not`. */
  timeout?: number;
}

export interface ConvergeOptions {
  /** How much virtual time the tree may take to heal (default: the system's wait timeout). */
  within?: Duration;
}

export interface YieldOptions {
  /**
   * Milliseconds to wait for each chunk and for the end (virtual and real with a system, real
   * without). Default: the system's wait timeout, else 5000.
   */
  timeout?: number;
  /** After the chunks: `true` (default), the stream must end (an Inbox: nothing more arrives by idle); `false`, more may follow. */
  end?: boolean;
  /** Inbox only: the message that ends the stream (`{ type: 'end', ref }`), taken from the inbox. */
  until?: unknown;
  /** Inbox only: only messages matching this take part (others stay in the inbox), e.g. `{ ref }`. */
  select?: unknown;
  /** The system whose runtime produces the stream: its virtual time is driven while waiting. */
  system?: TestSystem;
  /** A runtime that no TestSystem owns, driven the same way. */
  runtime?: Runtime;
}

/**
 * Bounds for `toMeetLatency`: latency figures in milliseconds (upper bounds), the error rate from
 * 0 to 1 (an upper bound) and the throughput in requests per second (a lower bound).
 */
export interface LatencyBounds {
  mean?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
  errorRate?: number;
  throughput?: number;
}

export interface MailboxOptions {
  /** The operation to measure during (sync or async; it drives time itself, e.g. `system.advance`). Required unless a measurement is expected. */
  during?: () => unknown;
  /** After `during` returns, wait until nothing more happens (durable idle) before ending. Default true. */
  settle?: boolean;
  /** Real milliseconds the settling after the operation may take. Default: the system's wait timeout. */
  timeout?: number;
}

/** How many events `toRecordEvents` expects: `exactly`, or `atLeast` and/or `atMost`. */
export interface CountBounds {
  exactly?: number;
  atLeast?: number;
  atMost?: number;
  /** Count from this history position (`system.mark()`). Default: the whole history. */
  since?: number;
  /** Real milliseconds the system may take to become quiet. Default: the system's wait timeout. */
  timeout?: number;
}

/**
 * Quiesce's matchers. `R` is what a synchronous matcher returns (`void`, or `Promise<void>` under
 * `.resolves` / `.rejects` in Vitest 5); asynchronous matchers always return `Promise<void>` and
 * must be awaited.
 *
 * Subjects: a `SupervisorRef` or `DynamicSupervisorRef`; a `Pid` of a TestSystem's runtime (found
 * through the harness's `systemOf`); `{ system, pid }` or `{ runtime, pid }` for anything else; an
 * `Inbox`; a `TestSystem`. `toSatisfy(property)` is Vitest's own `toSatisfy`, extended: a Quiesce
 * property is a predicate too, and judged with a minimal witness.
 */
export interface QuiesceMatchers<R = void> {
  /** The process (or supervisor) is alive now. */
  toBeAlive(): R;
  /**
   * The process has exited, with `reason` if given: a value (compared with Vitest's equality,
   * asymmetric matchers allowed) or a RegExp tested against a string reason or an Error's message.
   */
  toHaveExited(reason?: unknown): R;
  /**
   * Resolves once the supervisor has restarted `childId` (any child if omitted) `times` times
   * after the assertion started, driving virtual time. `.not` decides at durable idle: no restart
   * by the time the system is idle, without moving the clock.
   */
  toRestart(childId?: string | RestartOptions, options?: RestartOptions): Promise<void>;
  /** The supervisor (this incarnation of it) has restarted `childId` (any child if omitted) exactly `times` times so far. */
  toHaveRestarted(times: number, childId?: string): R;
  /** The ids of the children running now, in the supervisor's order. */
  toHaveChildren(ids: readonly string[]): R;
  /** How many children are running now. */
  toHaveChildCount(count: number): R;
  /** The supervisor is alive and every child in its tree (nested supervisors included) is running. */
  toHaveAllChildrenAlive(): R;
  /** The children's most recent terminations by this supervisor happened in this order. */
  toHaveTerminatedInOrder(ids: readonly string[]): R;
  /** The process answers a sync (it handles every message already in its mailbox) within the timeout. */
  toBeResponsive(options?: ResponsiveOptions): Promise<void>;
  /**
   * The inbox receives a message matching `pattern` within the timeout (the message is taken, as
   * `inbox.receive` does). `.not` decides at durable idle, as `inbox.refute` does.
   */
  toReceive(pattern?: unknown, options?: ReceiveOptions): Promise<void>;
  /**
   * The tree heals: at some durable idle within `within` of virtual time, the supervisor is alive
   * and every child in its tree is running. Virtual time is driven to get there.
   */
  toConverge(options?: ConvergeOptions): Promise<void>;
  /**
   * On a torn-down TestSystem: its teardown found no leak. Before teardown (a dry run): nothing
   * the test started is still running (no live process other than the test's own and its inbox,
   * no owned resource alive, no pending timer).
   */
  toHaveNoLeaks(): Promise<void>;
  /**
   * The stream — a Node `Readable`, an async iterable, or the messages arriving in an `Inbox` —
   * yields chunks matching `chunks` (values or patterns, as `toReceive` takes), in this order,
   * then ends (unless `end: false`). Each chunk is awaited on its event, never polled; with a
   * system (`{ system }`, or an Inbox's own) virtual time is driven while waiting. A byte chunk
   * compared with a string or RegExp is read as UTF-8.
   */
  toYield(chunks: readonly unknown[], options?: YieldOptions): Promise<void>;
  /**
   * The result of `load()` (@quiesce/harness) meets every bound given, e.g. `{ p95: 200,
   * errorRate: 0.01 }`. Belongs in a load suite that gates on latency, never in unit tests: a
   * latency figure depends on the machine (docs/reporting.md).
   */
  toMeetLatency(bounds: LatencyBounds): R;
  /**
   * The process's mailbox held at most `max` messages while `options.during` ran (and until the
   * system settled after it), measured exactly from every enqueue and dequeue; or, on a
   * measurement from `system.measureMailbox`, its max is at most `max`. A failure prints the
   * figures (initial, final, max, mean, the virtual time of the peak) and the timeline of the peak.
   */
  toKeepMailboxWithin(max: number, options?: MailboxOptions): Promise<void>;
  /**
   * The history (of a TestSystem, Runtime, SupervisorRef or History) holds `bounds` events matching
   * `pattern` (a kind, a partial event, a predicate): a number means exactly. Counted once nothing
   * more will happen (durable idle), so one too many is seen; every event counted is listed on failure.
   */
  toRecordEvents(pattern: HistoryPattern, bounds: number | CountBounds): Promise<void>;
  /**
   * The operation (`(i) => unknown`, run `iterations` times after a warmup), or a `memoryTrend()`
   * result, grows memory by all four rules: use `.not.toLeakMemory()`. For slow-tagged suites.
   */
  toLeakMemory(options?: MemoryTrendOptions): Promise<void>;
}
