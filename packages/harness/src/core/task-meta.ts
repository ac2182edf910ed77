/**
 * What a test attaches for Quiesce's reporters, in Vitest's task meta (`task.meta.quiesce`),
 * which Vitest carries from the worker to the reporters. Plain JSON only. On the ground floor:
 * the load helpers and the system write it, the reporters read it.
 */

/** One histogram bucket: `count` samples above the previous edge and at most `le` milliseconds. */
export interface LatencyBucket {
  le: number;
  count: number;
}

/** The figures a latency distribution is judged by, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The result of one `load()` run. Latencies in milliseconds. */
export interface LoadStats {
  /** The load's name (`label` option). */
  label: string;
  /** What was loaded: `GET http://127.0.0.1:41234/` or `function name`. */
  target: string;
  concurrency: number;
  /** Requests that finished, successfully or not. */
  requests: number;
  errors: number;
  /** errors / requests; 0 when no request finished. */
  errorRate: number;
  /** Real milliseconds from the first request sent to the last one finished. */
  durationMs: number;
  /** Finished requests per second. */
  throughput: number;
  /** Latency of every finished request (errors included). */
  latency: LatencySummary;
  /** Log-spaced buckets (edges 2^(k/8) ms) of the same latencies. */
  histogram: LatencyBucket[];
  /** What ended it: the request count, the duration, or the timeout (requests still in flight were aborted). */
  stoppedBy: 'requests' | 'duration' | 'timeout';
  /** Up to five distinct error messages with how often each happened. */
  errorSamples: Array<{ message: string; count: number }>;
}

/** One history event as a report carries it (the test's timeline). */
export interface TimelineEvent {
  seq: number;
  /** Virtual milliseconds. */
  time: number;
  kind: string;
  source: string;
  data?: unknown;
}

export interface QuiesceTaskMeta {
  /** The test's seed (derived from the run seed and the test id). */
  seed?: number;
  /** The command that replays the test. */
  replay?: string;
  /** Every load the test ran, in order. */
  load?: LoadStats[];
  /** A failed test's history (its last events), for the timeline. */
  timeline?: TimelineEvent[];
}

declare module 'vitest' {
  interface TaskMeta {
    quiesce?: QuiesceTaskMeta;
  }
}
