import type { Pid } from './pid.js';

/**
 * The hook fault injection uses (@quiesce/chaos; see docs/chaos.md). A runtime without
 * interceptors pays one length check per delivery and per handled message.
 */

/** What travels between two processes: a message (send, cast), a call request, a system request, a reply, or a signal (exit, DOWN). */
export type DeliveryKind = 'message' | 'call' | 'system' | 'reply' | 'signal';

/** One delivery about to be scheduled between a sender and a receiver (pid strings, or 'external' for code outside the runtime). */
export interface InterceptedDelivery {
  readonly kind: DeliveryKind;
  readonly from: string;
  readonly to: string;
  /** The message, the call's request, the reply's value, or the exit reason. */
  readonly payload: unknown;
}

/**
 * Sees deliveries before the scheduler does and handler runs before they start (generic over the
 * handler's type, so this module needs nothing of the runtime; the runtime's `Interceptor` fixes it). An interceptor
 * that breaks OTP's per-pair order must say so: the scheduler keeps the order in which `deliver`
 * is called.
 */
export interface HandlerInterceptor<H> {
  /** Call `deliver` to schedule the delivery: now, later (from a kernel timer), twice, or never. */
  delivery?(delivery: InterceptedDelivery, deliver: () => void): void;
  /** `pid` is about to handle `message` with `handler`: return the handler to run (it, or a wrapper). */
  handler?(pid: Pid, message: unknown, handler: H): H;
  /** A kernel timer of `owner` (undefined: set outside any process) asks for `delayMs`: return the delay to use (a skewed clock). */
  timer?(owner: Pid | undefined, delayMs: number): number;
  /** `pid` reads the time (`ctx.now()`): return what it sees (a skewed clock). */
  now?(pid: Pid, now: number): number;
}

/** Pass `delivery` through `interceptors` in installation order; the last one's `deliver` schedules it. */
export function interceptDelivery<H>(interceptors: readonly HandlerInterceptor<H>[], delivery: InterceptedDelivery, schedule: () => void): void {
  const at = (i: number): (() => void) => {
    for (let j = i; j < interceptors.length; j++) {
      const hook = interceptors[j]!.delivery;
      if (hook) return () => hook(delivery, at(j + 1));
    }
    return schedule;
  };
  at(0)();
}

/** The handler to run after every interceptor has had its say, in installation order. */
export function interceptHandler<H>(interceptors: readonly HandlerInterceptor<H>[], pid: Pid, message: unknown, handler: H): H {
  let current = handler;
  for (const interceptor of interceptors) if (interceptor.handler) current = interceptor.handler(pid, message, current);
  return current;
}

/** The delay a timer gets after every interceptor has had its say, in installation order. */
export function interceptTimer<H>(interceptors: readonly HandlerInterceptor<H>[], owner: Pid | undefined, delayMs: number): number {
  let delay = delayMs;
  for (const interceptor of interceptors) if (interceptor.timer) delay = interceptor.timer(owner, delay);
  return delay;
}

/** The time `pid` sees after every interceptor has had its say. */
export function interceptNow<H>(interceptors: readonly HandlerInterceptor<H>[], pid: Pid, now: number): number {
  let seen = now;
  for (const interceptor of interceptors) if (interceptor.now) seen = interceptor.now(pid, seen);
  return seen;
}
