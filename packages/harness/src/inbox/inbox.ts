import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import { QuiesceError, type Pid, type Runtime } from '@quiesce/runtime';
import { describePattern, matches, type Pattern } from '../match/match.js';
import { DEFAULT_WAIT_TIMEOUT, drive, type DriveTarget, type WaitOptions } from '../waits/driver.js';
import { awaitQuiescence, DEFAULT_QUIET_PERIOD, describeQuiescence } from '../waits/quiescence.js';

const NOT_FOUND = Object.freeze({ found: false as const });

interface Waiter {
  readonly pattern: Pattern;
  resolve(message: unknown): void;
}

/**
 * The test's own process: code under test can send to `inbox.pid`, link to it or monitor it,
 * and the test receives with patterns (ExUnit's `assert_receive`). It traps exits, so an EXIT
 * from a linked process arrives as a message instead of killing it.
 */
export class Inbox {
  readonly pid: Pid;
  readonly #runtime: Runtime;
  readonly #target: DriveTarget;
  readonly #messages: unknown[] = [];
  // An array, not a Set: an inbox has a receive or two pending at a time.
  readonly #waiters: Waiter[] = [];
  /** Throws AFTER_TEARDOWN once the owning system is torn down. */
  readonly #assertLive: (operation: string) => void;
  readonly #quietPeriod: number;

  /** @internal created by TestSystem */
  constructor(target: DriveTarget, label = 'inbox', assertLive: (operation: string) => void = () => undefined, quietPeriod = DEFAULT_QUIET_PERIOD) {
    this.#runtime = target.runtime;
    this.#quietPeriod = quietPeriod;
    this.#target = target;
    this.#assertLive = assertLive;
    // Bound, not a closure around the method: no frame of its own between the kernel and #arrive.
    this.pid = this.#runtime.spawn(this.#arrive.bind(this), { trapExit: true, label });
  }

  /** Messages received and not yet taken by `receive`, oldest first. */
  get messages(): readonly unknown[] {
    return this.#messages;
  }

  /**
   * Take the oldest message matching `pattern` (a partial object, RegExp, predicate or asymmetric
   * matcher), waiting for one if needed: virtual time advances while the system is idle, and the
   * wait fails at once if no such message can ever arrive.
   */
  receive<T = unknown>(pattern: Pattern = () => true, options: WaitOptions = {}): Promise<T> {
    this.#assertLive('inbox.receive');
    const taken = this.#take(pattern);
    if (taken.found) return Promise.resolve(taken.message as T);
    let waiter!: Waiter;
    const arrived = new Promise<T>((resolve) => {
      waiter = { pattern, resolve: resolve as (m: unknown) => void };
      this.#waiters.push(waiter);
    });
    // Described only if the wait fails: most receives are answered at once.
    const what = (): string => `a message matching ${describePattern(pattern)} in ${this.#runtime.label(this.pid)}`;
    // A waiter that got its message was taken out by #arrive; one that did not goes when the wait fails.
    return drive(this.#target, what, arrived, options, () => this.#forget(waiter));
  }

  /**
   * Decide "no such message" without moving the clock: wait until nothing more will happen — at
   * durable idleness for a closed system, after `quietPeriod` real ms without an event while OS
   * processes or other external actors are live — then fail if a matching message has arrived.
   */
  async refute(pattern: Pattern = () => true, options: { quietPeriod?: number; timeout?: number } = {}): Promise<void> {
    this.#assertLive('inbox.refute');
    checkOptions('inbox.refute options', options, ['quietPeriod', 'timeout']);
    if (options.quietPeriod !== undefined) checkMilliseconds('inbox.refute options.quietPeriod', options.quietPeriod);
    if (options.timeout !== undefined) checkMilliseconds('inbox.refute options.timeout', options.timeout);
    const quiet = await awaitQuiescence(this.#target, {
      quietPeriod: options.quietPeriod ?? this.#quietPeriod,
      timeout: options.timeout ?? Math.max(DEFAULT_WAIT_TIMEOUT, options.quietPeriod ?? this.#quietPeriod),
    });
    const found = this.#messages.find((m) => matches(m, pattern));
    if (found !== undefined) {
      throw new QuiesceError(
        'INVALID_OPTION',
        `expected no message matching ${describePattern(pattern)} (${describeQuiescence(quiet)}), but received ${describePattern(found)}`,
        {
          pattern: describePattern(pattern),
        },
      );
    }
  }

  /** Drop every pending message; returns them. */
  flush(): unknown[] {
    return this.#messages.splice(0, this.#messages.length);
  }

  #arrive(message: unknown): void {
    const waiters = this.#waiters;
    for (let i = 0; i < waiters.length; i++) {
      const waiter = waiters[i]!;
      if (matches(message, waiter.pattern)) {
        waiters.splice(i, 1);
        waiter.resolve(message);
        return;
      }
    }
    this.#messages.push(message);
  }

  #forget(waiter: Waiter): void {
    const at = this.#waiters.indexOf(waiter);
    if (at >= 0) this.#waiters.splice(at, 1);
  }

  #take(pattern: Pattern): { found: true; message: unknown } | typeof NOT_FOUND {
    const messages = this.#messages;
    for (let i = 0; i < messages.length; i++) {
      if (matches(messages[i], pattern)) return { found: true, message: messages.splice(i, 1)[0] };
    }
    return NOT_FOUND;
  }
}
