import { VirtualClock, type RuntimeBusy } from '@quiesce/runtime';
import { realDelay, realNow, realTimer } from '@quiesce/runtime/internal';
import type { DriveTarget } from './driver.js';
import { WaitError } from './wait-error.js';

/** Real milliseconds with no activity after which a system with live external actors counts as quiet. Default of `quietPeriod`. */
export const DEFAULT_QUIET_PERIOD = 100;

/** How "nothing more will happen" was decided. */
export type Quiescence =
  /** The system is closed (nothing outside is live) and nothing inside can run: exact. */
  | { readonly by: 'idle' }
  /** Something outside was live: nothing happened for `quietPeriod` real milliseconds. */
  | { readonly by: 'quiet-period'; readonly quietPeriod: number };

export interface QuiescenceOptions {
  /** Real milliseconds of no activity that count as quiet while external actors are live. */
  readonly quietPeriod: number;
  /** Real milliseconds after which a system that never goes quiet fails the wait. */
  readonly timeout: number;
}

/**
 * Decide that nothing more will happen (how negatives are decided: `.not.toRestart`,
 * `inbox.refute`, `settle`). A closed system decides at durable idleness, exactly and
 * deterministically, without moving the clock. A system with live external actors (an OS child
 * may exit at any moment) cannot be idle for sure: time flows with real time, as it does in any
 * wait, and it decides once nothing at all has happened — no delivery, no history event, no timer,
 * no external operation ending — for `quietPeriod` real milliseconds, with no external operation
 * in flight (those are events to come, waited for first). The answer says which rule decided, so
 * a message can say so.
 */
export async function awaitQuiescence(target: DriveTarget, options: QuiescenceOptions): Promise<Quiescence> {
  const rt = target.runtime;
  const startReal = realNow();
  let cancel = (): void => undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    cancel = realTimer(options.timeout, () =>
      reject(new WaitError(`the system to be quiet (${describeBusy(rt.busy())})`, 'timeout', { virtual: 0, real: realNow() - startReal }, rt.history)),
    );
  });
  let release = (): void => undefined;
  const interrupted = new Promise<never>((_resolve, reject) => {
    release = target.onInterrupt(reject);
  });
  bound.catch(() => undefined);
  interrupted.catch(() => undefined);
  try {
    for (;;) {
      await Promise.race([rt.idleInside(), bound, interrupted]);
      if (!rt.externalLive()) return { by: 'idle' };
      // Something outside is live: time flows with real time (timers due meanwhile fire), and the
      // system is quiet once a whole quiet period passes with no step waking on activity.
      // A timer due within the quiet period is an event to come, not quiet: wait for it first.
      // So is an external operation in flight (an OS child starting or stopping, a lease, a
      // request through msw): it ends, in an event or a failure, however long the program takes
      // to print its ready line; a restart half done is not quiet.
      const clock = rt.clock;
      const next = clock instanceof VirtualClock ? clock.nextDeadline() : undefined;
      if ((next !== undefined && next - rt.now() <= options.quietPeriod) || !rt.isQuiet()) {
        const until = new AbortController();
        try {
          await Promise.race([rt.step(Number.POSITIVE_INFINITY, until.signal, { jump: false }), bound, interrupted]);
        } finally {
          until.abort();
        }
        continue;
      }
      const over = new AbortController();
      const stepped = rt
        .step(Number.POSITIVE_INFINITY, over.signal, { jump: false })
        .then((r) => (r === 'never' || r === 'beyond' ? ('closed' as const) : ('activity' as const)));
      const quiet = realDelay(options.quietPeriod, over.signal).then((why) => (why === 'elapsed' ? ('quiet' as const) : ('over' as const)));
      try {
        if ((await Promise.race([stepped, quiet, bound, interrupted])) === 'quiet') return { by: 'quiet-period', quietPeriod: options.quietPeriod };
      } finally {
        over.abort();
      }
    }
  } finally {
    cancel();
    release();
  }
}

/** For messages: "decided at durable idleness" or "decided after 100 ms of real time with no event (OS processes were live)". */
export function describeQuiescence(q: Quiescence): string {
  return q.by === 'idle'
    ? 'decided when the system was durably idle'
    : `decided after ${q.quietPeriod} ms of real time with no event while things outside the runtime were live (set quietPeriod to wait longer)`;
}

/** What held a system that never went quiet, at the moment the wait gave up: "1 handler running, 2 external operations in flight; live outside: pool/w1". */
function describeBusy(busy: RuntimeBusy): string {
  const held = [
    busy.handlersRunning > 0 ? `${busy.handlersRunning} handler(s) running` : '',
    busy.deliveriesPending ? 'deliveries pending' : '',
    busy.operationsInFlight > 0 ? `${busy.operationsInFlight} external operation(s) in flight` : '',
  ].filter(Boolean);
  const outside = busy.liveActors.length > 0 ? `live outside: ${busy.liveActors.join(', ')}` : 'nothing live outside';
  return `when it gave up: ${held.length > 0 ? held.join(', ') : 'nothing inside was busy'}; ${outside}`;
}
