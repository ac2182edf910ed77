import { CallExitError, CallTimeoutError, NoProcError } from '../errors.js';
import type { Clock, TimerHandle } from '../kernel/clock.js';
import type { Delivery } from './delivery.js';
import type { ExitReason } from './exit-reason.js';
import type { Pid } from './pid.js';
import type { Proc } from './proc.js';
import { CALL, SYSTEM, type CallEnvelope, type From, type SystemEnvelope, type SystemRequest } from './protocol.js';

/** A call in flight: an entry of the runtime's list of pending calls, settled once. */
class PendingCall {
  readonly ref: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: TimerHandle | undefined = undefined;
  readonly target: Proc;
  /** The calling process, if any: its calls are dropped when it exits. */
  readonly caller: Pid | null;
  /** Its sender key ('external' outside any process): where the reply or the exit travels to. */
  readonly callerKey: string;
  /**
   * The request has reached the live target: from then on the target's exit rejects the call with
   * CallExitError (the monitor OTP's gen:call holds, kept as this flag: `exited` scans the calls).
   */
  delivered = false;
  /** Still in the list: not yet replied to, timed out, exited or given up. */
  open = true;
  prev: PendingCall | undefined = undefined;
  next: PendingCall | undefined = undefined;

  constructor(ref: number, target: Proc, caller: Pid | null, resolve: (value: unknown) => void, reject: (error: unknown) => void) {
    this.ref = ref;
    this.target = target;
    this.caller = caller;
    this.callerKey = caller === null ? 'external' : caller.toString();
    this.resolve = resolve;
    this.reject = reject;
  }
}

/**
 * The `From` a server's handleCall receives: who waits (`caller`) and the call's `ref`. It also
 * holds its call, so a reply finds it without a lookup; a copy of it (same caller and ref) still
 * works, through a scan of the pending calls.
 */
export class CallFrom implements From {
  readonly caller: Pid | null;
  readonly ref: number;
  readonly #call: PendingCall;

  constructor(call: PendingCall) {
    this.caller = call.caller;
    this.ref = call.ref;
    this.#call = call;
  }

  /** The call `from` was made for, when `from` is the one the runtime made. */
  static callOf(from: From): PendingCall | undefined {
    return #call in from ? (from as CallFrom).#call : undefined;
  }
}

/**
 * Calls in flight (gen:call's request, reply and monitor): each request travels caller -> target
 * in order, its reply or its target's exit travels back, and a timeout on the clock gives up.
 */
export class Calls {
  readonly #clock: Clock;
  readonly #delivery: Delivery;
  /** The pending calls, oldest first (a list: calls come and go at every round-trip). */
  #head: PendingCall | undefined = undefined;
  #tail: PendingCall | undefined = undefined;

  constructor(clock: Clock, delivery: Delivery) {
    this.#clock = clock;
    this.#delivery = delivery;
  }

  /**
   * Send `request` to `t` as a call (`operation` 'call') or a system request ('sync', 'get_state')
   * and wait for the reply. The request travels caller -> target in order after whatever the
   * caller sent before it, with the monitor OTP's gen:call sets up first: a target that is dead
   * when it arrives (an earlier exit signal from the caller killed it) answers NOPROC, as OTP's
   * call exits with noproc.
   */
  request<R>(
    t: Proc,
    ref: number,
    caller: Pid | null,
    operation: 'call' | SystemRequest,
    request: unknown,
    timeoutMs: number | 'infinity',
    target: Pid | string,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const call = new PendingCall(ref, t, caller, resolve as (value: unknown) => void, reject);
      // Not a timer owned by the caller: a caller that exits settles its calls, which clears it.
      if (timeoutMs !== 'infinity')
        call.timer = this.#clock.setTimer(timeoutMs, () => {
          this.#settle(call, false, new CallTimeoutError(t.label, timeoutMs));
          this.#delivery.schedulePump();
        });
      this.#append(call);
      const from = new CallFrom(call);
      const envelope: CallEnvelope | SystemEnvelope = operation === 'call' ? { [CALL]: true, request, from } : { [SYSTEM]: operation, from };
      this.#delivery.schedule(operation === 'call' ? 'call' : 'system', call.callerKey, t.key, envelope, () => {
        if (!t.alive) {
          if (call.open)
            this.#delivery.schedule('signal', t.key, call.callerKey, 'noproc', () => this.#settle(call, false, new NoProcError(String(target), operation)));
          return;
        }
        call.delivered = true;
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
    const call = CallFrom.callOf(from) ?? this.#find(from.ref);
    if (call === undefined || !call.open) return;
    // A dead process cannot act: a reply its still-running handler computes after its death is dropped.
    if (!replierAlive) return;
    const fromKey = replier === undefined || replier === call.target.pid ? call.target.key : replier.toString();
    this.#delivery.schedule('reply', fromKey, call.callerKey, value, () => this.#settle(call, true, value));
  }

  /**
   * `proc` exited with `reason`. A caller that died cannot take its replies: its pending calls are
   * forgotten (they reject NOPROC). A call the dead process had received exits with its reason. That
   * exit travels target -> caller like the reply does (OTP's DOWN to gen:call's monitor), after
   * every link signal and DOWN this exit sent on that pair, so a reply sent before the exit always
   * wins, whatever order the scheduler picks across pairs.
   */
  exited(proc: Proc, reason: ExitReason): void {
    for (let call = this.#head; call !== undefined; ) {
      const next = call.next;
      if (call.caller?.equals(proc.pid)) this.#settle(call, false, new NoProcError(proc.key, 'call (the caller exited)'));
      else if (call.target === proc && call.delivered) {
        const exiting = call;
        this.#delivery.schedule('signal', proc.key, call.callerKey, reason, () => this.#settle(exiting, false, new CallExitError(proc.label, reason)));
      }
      call = next;
    }
  }

  /** Reject every call still pending (the runtime stopped) with `error`. */
  rejectAll(error: () => unknown): void {
    for (let call = this.#head; call !== undefined; ) {
      const next = call.next;
      this.#settle(call, false, error());
      call = next;
    }
  }

  /** A pending call by its ref, for a `From` that is a copy of the one the runtime made. */
  #find(ref: number): PendingCall | undefined {
    for (let call = this.#head; call !== undefined; call = call.next) if (call.ref === ref) return call;
    return undefined;
  }

  #append(call: PendingCall): void {
    if (this.#tail === undefined) this.#head = call;
    else {
      this.#tail.next = call;
      call.prev = this.#tail;
    }
    this.#tail = call;
  }

  #settle(call: PendingCall, ok: boolean, value: unknown): void {
    if (!call.open) return;
    call.open = false;
    if (call.prev) call.prev.next = call.next;
    else this.#head = call.next;
    if (call.next) call.next.prev = call.prev;
    else this.#tail = call.prev;
    call.prev = call.next = undefined;
    if (call.timer) this.#clock.clearTimer(call.timer);
    if (ok) call.resolve(value);
    else call.reject(value);
  }
}
