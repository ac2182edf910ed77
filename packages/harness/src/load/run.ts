import { setMaxListeners } from 'node:events';
import type { LoadStats } from '../core/task-meta.js';
import { attachLoad } from './attach.js';
import { LatencyHistogram } from './histogram.js';
import { resolveLoadOptions, type LoadOptions, type ResolvedLoadOptions } from './options.js';
import { resolveTarget, type LoadTarget, type ResolvedTarget } from './target.js';
import { realNow, realTimer } from '@quiesce/runtime/internal';

/** How many distinct error messages a result keeps. */
const ERROR_SAMPLES = 5;

/**
 * Send requests to `target` from `concurrency` concurrent senders until `requests` have been sent
 * or `duration` has passed, and measure each one's latency in real time. Always bounded: by
 * count, by time, and by `timeout` for the whole load (requests still in flight then are aborted
 * and counted as errors). The result is attached to the running test's metrics for Quiesce's
 * reporters (`attach: false` to skip).
 *
 * Latency figures belong in a load suite, never in unit tests: see docs/reporting.md.
 * Bad options throw an InvalidOptionError before any request is sent.
 */
export function load(target: LoadTarget, options: LoadOptions): Promise<LoadStats> {
  const resolved = resolveLoadOptions(options);
  const resolvedTarget = resolveTarget(target, resolved, options as Record<string, unknown>);
  return runLoad(resolvedTarget, resolved).finally(() => resolvedTarget.close());
}

async function runLoad(target: ResolvedTarget, options: ResolvedLoadOptions): Promise<LoadStats> {
  const latencies = new LatencyHistogram();
  const errorCounts = new Map<string, number>();
  let errors = 0;
  const fail = (error: unknown): void => {
    errors++;
    const message = error instanceof Error ? error.message : String(error);
    if (errorCounts.has(message) || errorCounts.size < ERROR_SAMPLES) errorCounts.set(message, (errorCounts.get(message) ?? 0) + 1);
  };

  const whole = new AbortController();
  // Each request in flight listens on the load's signal (its abort race, and http.request's own
  // listener), and removes its listeners when it ends: at most a few per sender. Node's default
  // limit of 10 would print a MaxListenersExceededWarning from 5 concurrent HTTP senders on.
  setMaxListeners(0, whole.signal);
  const inFlight = new Map<number, number>();
  let issued = 0;
  let stoppedBy: LoadStats['stoppedBy'] | undefined;
  const start = realNow();
  const deadline = options.duration === undefined ? Number.POSITIVE_INFINITY : start + options.duration;

  const one = async (index: number): Promise<void> => {
    const began = realNow();
    inFlight.set(index, began);
    try {
      await bounded(target, index, whole.signal, options.requestTimeout);
    } catch (error) {
      if (whole.signal.aborted) return; // counted by the timeout, below
      fail(error);
    } finally {
      if (!whole.signal.aborted) {
        inFlight.delete(index);
        latencies.record(realNow() - began);
      }
    }
  };
  const sender = async (): Promise<void> => {
    while (!whole.signal.aborted) {
      if (issued >= options.requests) return void (stoppedBy ??= 'requests');
      if (realNow() >= deadline) return void (stoppedBy ??= 'duration');
      await one(issued++);
    }
  };

  let cancelTimeout = (): void => undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (cancelTimeout = realTimer(options.timeout, () => resolve('timeout'))));
  const senders = Promise.all(Array.from({ length: options.concurrency }, sender));
  const outcome = await Promise.race([senders.then(() => 'done' as const), timedOut]);
  cancelTimeout();
  const end = realNow();
  if (outcome === 'timeout') {
    whole.abort(new Error('the load timed out'));
    stoppedBy = 'timeout';
    // What was still in flight took at least this long: count it, as an error and as a latency.
    for (const began of inFlight.values()) {
      fail(new Error(`aborted: still in flight when the load's timeout (${options.timeout} ms) passed`));
      latencies.record(end - began);
    }
  }
  const durationMs = end - start;
  const requests = latencies.count;
  const stats: LoadStats = {
    label: options.label,
    target: target.describe,
    concurrency: options.concurrency,
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    durationMs,
    throughput: durationMs > 0 ? (requests * 1000) / durationMs : 0,
    latency: latencies.summary(),
    histogram: latencies.buckets(),
    stoppedBy: stoppedBy ?? 'requests',
    errorSamples: [...errorCounts].map(([message, count]) => ({ message, count })),
  };
  if (options.attach) attachLoad(stats);
  return stats;
}

/** One request, aborted by the load's timeout and, with `requestTimeout`, by its own. */
async function bounded(target: ResolvedTarget, index: number, whole: AbortSignal, requestTimeout: number | undefined): Promise<void> {
  if (requestTimeout === undefined) {
    await raceAbort(() => target.send({ index, signal: whole }), whole);
    return;
  }
  const own = new AbortController();
  const cancel = realTimer(requestTimeout, () => own.abort(new Error(`request timed out after ${requestTimeout} ms`)));
  try {
    await raceAbort(() => target.send({ index, signal: AbortSignal.any([whole, own.signal]) }), AbortSignal.any([whole, own.signal]));
  } finally {
    cancel();
  }
}

/** The request's outcome, or a rejection with the signal's reason as soon as it aborts (a target may ignore its signal). */
function raceAbort(send: () => unknown, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(send)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
