import { InvalidOptionError, QuiesceError, VirtualClock, type Pid } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import type { FaultData } from '../events.js';
import type { ArmedFault } from '../fault.js';
import type { Host } from '../host.js';
import { FAULT_KINDS } from '../kinds.js';

/** Options of `chaos.skew`. */
export interface SkewOptions {
  /** How fast its clock runs against the system's: 2 is twice as fast (its 100 ms timers fire after 50), 0.5 half as fast. From 0.001 to 1000. */
  factor: number;
}

/** Time faults need a virtual clock: on a real one they would have to move the machine's time. */
export function virtualClockOf(host: Host, operation: string): VirtualClock {
  const clock = host.runtime.clock;
  if (!(clock instanceof VirtualClock)) {
    throw new QuiesceError(
      'INVALID_OPTION',
      `${operation}: time faults need a virtual clock (this runtime's clock is ${clock.kind}); a test's system has one, a bare Runtime needs new Runtime({ clock: 'virtual' })`,
      { operation },
    );
  }
  return clock;
}

/**
 * Jump the virtual clock `ms` forward at once, as a suspended VM or a stepped wall clock does:
 * the time is the new one before anything runs, then the timers that came due fire in deadline
 * order (each sees the new time), the system reacting between them.
 */
export async function clockJump(host: Host, record: (data: FaultData<typeof FAULT_KINDS.clockJump>) => void, ms: unknown): Promise<void> {
  const clock = virtualClockOf(host, 'clockJump');
  const jump = checkMilliseconds('clockJump(ms)', ms, { positive: true });
  const from = clock.now();
  record({ from, to: from + jump, ms: jump });
  clock.setNow(from + jump);
  await host.advance(0);
}

/**
 * A skewed view of time for one process (or, with '*', every process): its timers (sleep,
 * sendAfter, call timeouts, anything set with it as owner) take `1/factor` of their delay, and
 * `ctx.now()` runs `factor` times as fast from the moment of arming. Heal: it sees the system's
 * clock again (a step back or forward, as when NTP steps a clock) and new timers take their delay.
 */
export function skew(
  host: Host,
  arm: (target: string, options: Record<string, unknown>, onHeal: () => void) => ArmedFault,
  target: Pid | '*',
  options: unknown,
): ArmedFault {
  virtualClockOf(host, 'skew');
  checkOptions('skew options', options, ['factor']);
  const { factor } = options as unknown as SkewOptions;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 0.001 || factor > 1000) {
    throw new InvalidOptionError('skew options.factor', factor, 'a number from 0.001 to 1000 (2: twice as fast, 0.5: half as fast)');
  }
  const runtime = host.runtime;
  const since = runtime.now();
  const key = target === '*' ? '*' : target.toString();
  const hits = (pid: Pid | undefined): boolean => pid !== undefined && (key === '*' || pid.toString() === key);
  let remove = (): void => undefined;
  const label = target === '*' ? '*' : runtime.label(target);
  const fault = arm(label, { ...(target === '*' ? {} : { pid: key }), factor }, () => remove());
  remove = runtime.intercept({
    timer: (owner, delayMs) => (hits(owner) ? delayMs / factor : delayMs),
    now: (pid, now) => (hits(pid) ? since + (now - since) * factor : now),
  });
  fault.fire(FAULT_KINDS.clockSkew, { ...(target === '*' ? {} : { pid: key }), factor });
  return fault;
}
