import type { EventRecorder } from '../kernel/events.js';
import { isPromise } from '../kernel/maybe-promise.js';
import type { Scheduler } from '../kernel/scheduler.js';
import { serialiseReason, type ExitReason } from './exit-reason.js';
import type { Idleness } from './idleness.js';
import { interceptDelivery, interceptHandler, type DeliveryKind, type HandlerInterceptor } from './intercept.js';
import type { Proc, ProcessCode } from './proc.js';
import { SYSTEM, type From, type SystemEnvelope } from './protocol.js';

/** Already resolved: `SETTLED.then(fn)` queues `fn` as a microtask. */
const SETTLED = Promise.resolve();

/** The sender key of a process's turn to run: one pair per process, apart from every signal. */
const RUN = 'run';

/** What the deliveries ask of the layers above them: the process world's rules, kept out of the mail. */
export interface DeliveryHooks {
  /** The context a process's code is run with (made once per process). */
  context(proc: Proc): object;
  /** A handler of `proc` threw or rejected: the process exits with that reason. */
  crash(proc: Proc, reason: ExitReason): void;
  /** A system request reached a process with no system handler: answer it (sync's empty reply). */
  answerSystem(from: From, proc: Proc): void;
}

const NO_INTERCEPTORS: readonly HandlerInterceptor<ProcessCode>[] = Object.freeze([]);

/**
 * The mail of one runtime: every delivery goes through the scheduler (per-pair FIFO, the order
 * policy picks across pairs), passing the fault-injection interceptors first; the pump runs them
 * in a microtask; a delivered message waits in the mailbox for its process's turn, and a turn
 * runs handlers one message at a time.
 */
export class Delivery {
  readonly #scheduler: Scheduler;
  readonly #idleness: Idleness;
  readonly #record: EventRecorder;
  #hooks: DeliveryHooks | undefined;
  /** Fault-injection hooks (see intercept.ts); empty unless @quiesce/chaos installed some. */
  // Replaced, never changed in place (Runtime.intercept): every runtime starts with the shared empty one.
  interceptors: readonly HandlerInterceptor<ProcessCode>[] = NO_INTERCEPTORS;
  #pumping = false;
  #pumpScheduled = false;
  /** Set when the scheduler fails mid-run; the runtime delivers nothing more. */
  #fault: unknown = undefined;

  constructor(scheduler: Scheduler, idleness: Idleness, record: EventRecorder) {
    this.#scheduler = scheduler;
    this.#idleness = idleness;
    this.#record = record;
  }

  /** Set once by the runtime, which is built on top of the deliveries. */
  connect(hooks: DeliveryHooks): void {
    this.#hooks = hooks;
  }

  /** A delivery is queued or the pump is running. */
  pending(): boolean {
    return this.#scheduler.size > 0 || this.#pumping;
  }

  /** The error that halted the runtime, if any. */
  get fault(): unknown {
    return this.#fault;
  }

  /** Schedule a delivery; one between processes (`kind` given) passes the interceptors first. */
  enqueue(fromKey: string, to: Proc | undefined, run: () => void, kind?: DeliveryKind, payload?: unknown): void {
    if (to && kind) {
      this.schedule(kind, fromKey, to.key, payload, run);
      return;
    }
    this.#scheduler.enqueue(fromKey, to?.key ?? 'runtime', run);
    this.schedulePump();
  }

  /** Schedule a delivery from `from` to `to` (pid strings, or 'external' for code outside any process). */
  schedule(kind: DeliveryKind, from: string, to: string, payload: unknown, run: () => void): void {
    if (this.interceptors.length === 0) {
      this.#scheduler.enqueue(from, to, run);
      this.schedulePump();
      return;
    }
    interceptDelivery(this.interceptors, { kind, from, to, payload }, () => {
      this.#scheduler.enqueue(from, to, run);
      this.schedulePump();
    });
  }

  /**
   * A message arrives in `proc`'s mailbox. An idle process handles it when its own turn comes, as
   * an Erlang process runs when scheduled: exit signals that arrive before that turn act first
   * (ERTS handles a process's pending signals before it runs its code).
   */
  deliver(proc: Proc, message: unknown): void {
    if (!proc.alive) return;
    proc.mailbox.push(message);
    if (proc.mailboxWatchers) mailboxChanged(proc, this.#record);
    if (proc.busy || proc.woken) return;
    proc.woken = true;
    // One turn per process, made on its first message and reused for every later one. Bound, not
    // a closure that calls #drain: a bound function is no frame of its own in the stack an error
    // of a handler captures.
    this.enqueue(RUN, proc, (proc.turn ??= this.#drain.bind(this, proc)));
  }

  /**
   * Run `proc`'s handlers for the messages in its mailbox, one at a time, until it is busy (an
   * async handler) or the mailbox is empty: the process's turn. A busy process is never woken
   * (`deliver`), so clearing `woken` here is right both for a turn and after a busy handler.
   */
  #drain(proc: Proc): void {
    proc.woken = false;
    while (proc.alive && !proc.busy && proc.head < proc.mailbox.length) {
      const message = proc.mailbox[proc.head]!;
      proc.mailbox[proc.head++] = undefined;
      if (proc.head === proc.mailbox.length) {
        proc.mailbox = [];
        proc.head = 0;
      }
      if (proc.mailboxWatchers) mailboxChanged(proc, this.#record);
      if (isSystemEnvelope(message)) {
        this.#handleSystem(proc, message);
        continue;
      }
      const handler = this.interceptors.length === 0 ? proc.handler : interceptHandler(this.interceptors, proc.pid, message, proc.handler);
      this.runHandler(proc, handler, message);
    }
  }

  #handleSystem(proc: Proc, envelope: SystemEnvelope): void {
    const request = envelope[SYSTEM];
    if (proc.system) proc.system(request, envelope.from);
    else this.#hooks!.answerSystem(envelope.from, proc);
  }

  /** Run `handler` as `proc`'s code (a message's handler, or its init with no message). */
  runHandler(proc: Proc, handler: ProcessCode, message: unknown): void {
    // Counted as running from the first instruction: a wait started in the synchronous part of an
    // async handler then finds the run it belongs to.
    this.#idleness.startRunning(proc);
    let result: void | Promise<void>;
    try {
      result = handler(message, this.#hooks!.context(proc));
    } catch (error) {
      this.#idleness.stopRunning(proc);
      this.#hooks!.crash(proc, error as ExitReason);
      return;
    }
    if (!isPromise(result)) {
      this.#idleness.stopRunning(proc);
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
    this.#idleness.stopRunning(proc);
    if (failure && proc.alive) this.#hooks!.crash(proc, failure.error as ExitReason);
    else this.#drain(proc);
    this.schedulePump();
    this.#idleness.check();
  }

  schedulePump(): void {
    this.#idleness.activity();
    if (this.#pumpScheduled || this.#pumping) return;
    this.#pumpScheduled = true;
    // A reaction on a settled promise is the same microtask as queueMicrotask's, without the
    // async resource Node builds for each queueMicrotask call.
    void SETTLED.then(this.#pump);
  }

  /**
   * Runs the queued deliveries (a microtask). What escapes it (a history listener that throws
   * while a fault is recorded) is rethrown from a microtask of its own: an uncaught exception, as
   * with queueMicrotask, not a rejection. One function, not a wrapper around a method: every
   * handler runs below it, and an error a handler throws carries one frame fewer to capture and
   * to keep with the exit reason.
   */
  readonly #pump = (): void => {
    try {
      this.#pumpScheduled = false;
      if (this.#fault !== undefined) return;
      this.#pumping = true;
      try {
        for (let d = this.#scheduler.next(); d; d = this.#scheduler.next()) d.run();
      } catch (error) {
        // The scheduler itself failed (a replay token that no longer fits): the run cannot go on
        // faithfully, so the runtime halts and every idle() rejects with the error.
        this.#fault = error;
        this.#record('runtime.fault', 'runtime', { error: serialiseReason(error) });
      } finally {
        this.#pumping = false;
      }
      this.#idleness.check();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  };
}

/**
 * Tell `proc`'s mailbox watchers its length. A watcher that throws is removed and its error is
 * recorded as `runtime.listener_error`: a watcher's bug must not stop a delivery or an exit
 * half-way (the harness fails the test on that event at teardown).
 */
export function mailboxChanged(proc: Proc, record: EventRecorder): void {
  const length = proc.mailbox.length - proc.head;
  for (const listener of [...proc.mailboxWatchers!]) {
    try {
      listener(length);
    } catch (error) {
      proc.mailboxWatchers?.delete(listener);
      record('runtime.listener_error', proc.label, { listener: 'watchMailbox', pid: proc.key, error: serialiseReason(error) });
    }
  }
  if (proc.mailboxWatchers?.size === 0) proc.mailboxWatchers = undefined;
}

function isSystemEnvelope(message: unknown): message is SystemEnvelope {
  return typeof message === 'object' && message !== null && SYSTEM in message;
}
