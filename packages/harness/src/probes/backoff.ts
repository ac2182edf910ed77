import { realDelay } from './real-timer.js';

/** First interval between two probes, in real milliseconds. */
export const PROBE_INITIAL_DELAY = 5;
/** Largest interval between two probes, in real milliseconds. */
export const PROBE_MAX_DELAY = 250;

/** What one probe found: success with a value, or a failure saying why. */
export type ProbeOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The result of a successful probe loop. */
export interface Probed<T> {
  readonly value: T;
  /** How many probes it took (1 when the first one succeeded). */
  readonly attempts: number;
}

/**
 * Probe until a probe succeeds or `stop` aborts, doubling the interval from
 * PROBE_INITIAL_DELAY to PROBE_MAX_DELAY.
 *
 * Why timers here (docs/architecture.md, determinism rule 5): some external resources offer no event to wait on — a
 * port that starts accepting connections, an HTTP endpoint that turns healthy. The only way to
 * learn is to ask again. The interval is a probe interval, bounded and backing off, and every
 * probe is reported (`onProbe`) so it lands in the history; the wait as a whole is bounded by
 * the caller's timeout, which aborts `stop`. Rejects with `stop.reason` when stopped.
 */
export async function probeWithBackoff<T>(
  probe: (attempt: number, stop: AbortSignal) => Promise<ProbeOutcome<T>>,
  stop: AbortSignal,
  onProbe: (attempt: number, outcome: ProbeOutcome<T>) => void = () => undefined,
): Promise<Probed<T>> {
  let interval = PROBE_INITIAL_DELAY;
  for (let attempt = 1; ; attempt++) {
    if (stop.aborted) throw stop.reason;
    const outcome = await probe(attempt, stop);
    if (stop.aborted) throw stop.reason;
    onProbe(attempt, outcome);
    if (outcome.ok) return { value: outcome.value, attempts: attempt };
    if ((await realDelay(interval, stop)) === 'stopped') throw stop.reason;
    interval = Math.min(interval * 2, PROBE_MAX_DELAY);
  }
}
