import { CallExitError, CallTimeoutError, NoProcError } from '../errors.js';
import type { Clock, TimerHandle } from '../kernel/clock.js';
import type { Delivery } from './delivery.js';
import type { ExitReason } from './exit-reason.js';
import type { DeliveryKind } from './intercept.js';
import type { Pid } from './pid.js';
import type { Proc } from './proc.js';
import type { From } from './protocol.js';

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
   * CallExitError (the monitor OTP's gen:call holds, kept as this flag: `exited` scans the calls).
   */
  delivered: boolean;
}

/**
 * Calls in flight (gen:call's request, reply and monitor): each request travels caller -> target
 * in order, its reply or its target's exit travels back, and a timeout on the clock gives up.
 */
export class Calls {
  readonly #clock: Clock;
  readonly #delivery: Delivery;
  readonly #pending = new Map<number, PendingCall>();

  constructor(clock: Clock, delivery: Delivery) {
    this.#clock = clock;
    this.#delivery = delivery;
  }

  /**
   * The request travels caller -> target in order after whatever the caller sent before it, with
   * the monitor OTP's gen:call sets up first: a target that is dead when it arrives (an earlier exit
   * signal from the caller killed it) answers NOPROC, as OTP's call exits with noproc.
   */
  request<R>(t: Proc, envelope: unknown, from: From, timeoutMs: number | 'infinity', target: Pid | string, operation: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const ref = from.ref;
      const callerKey = from.caller?.toString() ?? 'external';
      // Not a timer owned by the caller: a caller that exits settles its calls, which clears it.
      const timer =
        timeoutMs === 'infinity'
          ? undefined
          : this.#clock.setTimer(timeoutMs, () => {
              this.#settle(ref, false, new CallTimeoutError(t.label, timeoutMs));
              this.#delivery.schedulePump();
            });
      const pending: PendingCall = { resolve: resolve as (v: unknown) => void, reject, timer, target: t, caller: from.caller, callerKey, delivered: false };
      this.#pending.set(ref, pending);
      const kind: DeliveryKind = operation === 'call' ? 'call' : 'system';
      this.#delivery.schedule(kind, callerKey, t.key, envelope, () => {
        if (!t.alive) {
          if (this.#pending.has(ref))
            this.#delivery.schedule('signal', t.key, callerKey, 'noproc', () => this.#settle(ref, false, new NoProcError(String(target), operation)));
          return;
        }
        pending.delivered = true;
        this.#delivery.deliver(t, envelope);
      });
    });
  }

  /**
   * The reply to call `from` travels from its replier to the caller. `replier` is the replying
   * process (undefined: the target itself, or code outside any process); a reply after the caller
   * gave up, or a second one, does nothing.
   */
  reply(from: From, value: unknown, replier: Pid | undefined, replierAlive: boolean): void {
    const pending = this.#pending.get(from.ref);
    if (!pending) return;
    // A dead process cannot act: a reply its still-running handler computes after its death is dropped.
    if (!replierAlive) return;
    const fromKey = replier === undefined || replier === pending.target.pid ? pending.target.key : replier.toString();
    this.#delivery.schedule('reply', fromKey, pending.callerKey, value, () => this.#settle(from.ref, true, value));
  }

  /**
   * `proc` exited with `reason`. A caller that died cannot take its replies: its pending calls are
   * forgotten (they reject NOPROC). A call the dead process had received exits with its reason. That
   * exit travels target -> caller like the reply does (OTP's DOWN to gen:call's monitor), after
   * every link signal and DOWN this exit sent on that pair, so a reply sent before the exit always
   * wins, whatever order the scheduler picks across pairs.
   */
  exited(proc: Proc, reason: ExitReason): void {
    for (const [ref, call] of this.#pending) {
      if (call.caller?.equals(proc.pid)) this.#settle(ref, false, new NoProcError(proc.key, 'call (the caller exited)'));
      else if (call.target === proc && call.delivered) {
        this.#delivery.schedule('signal', proc.key, call.callerKey, reason, () => this.#settle(ref, false, new CallExitError(proc.label, reason)));
      }
    }
  }

  /** Reject every call still pending (the runtime stopped) with `error`. */
  rejectAll(error: () => unknown): void {
    for (const ref of [...this.#pending.keys()]) this.#settle(ref, false, error());
  }

  #settle(ref: number, ok: boolean, value: unknown): void {
    const pending = this.#pending.get(ref);
    if (!pending) return;
    this.#pending.delete(ref);
    if (pending.timer) this.#clock.clearTimer(pending.timer);
    if (ok) pending.resolve(value);
    else pending.reject(value);
  }
}
