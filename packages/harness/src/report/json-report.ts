import { replayCommand, testSeed } from '../system/seed.js';
import { bucketPercentile, mergeBuckets } from '../load/histogram.js';
import type { LoadStats, TimelineEvent } from '../core/task-meta.js';
import { errorLine, type TestRecord, type TestStatus } from './test-record.js';

/** The JSON report (schemas/report.schema.json). Durations in seconds, latencies in milliseconds. */
export interface ReportDocument {
  summary: ReportSummary;
  tests: ReportTest[];
  /** Every load of the run together; present only when load() ran. */
  load?: LoadSummary;
}

export interface ReportSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  duration_seconds: number;
  /** The run seed (QUIESCE_SEED): every test's seed derives from it. */
  seed: number;
}

export interface ReportTest {
  name: string;
  file: string;
  status: TestStatus;
  /** Seconds. */
  duration: number;
  /** `Name: message` of the first error; null unless failed. */
  error: string | null;
  /** The test's own seed. */
  seed: number;
  /** One command that replays this test with the same seed. */
  replay: string;
  metrics: { load?: LoadStats[] };
  /** A failed test's last history events (tests using the `system` fixture); null otherwise. */
  timeline: TimelineEvent[] | null;
}

export interface LoadSummary {
  requests_per_second: number;
  p50_latency_ms: number;
  p95_latency_ms: number;
  p99_latency_ms: number;
  error_rate: number;
  /** How many load() runs these figures combine, and their requests. */
  loads: number;
  requests: number;
}

/** Build the report from the run's test records. */
export function buildReport(records: readonly TestRecord[], run: { seed: number; durationMs: number }): ReportDocument {
  const tests = records.map((r) => reportTest(r, run.seed));
  const count = (status: TestStatus): number => tests.filter((t) => t.status === status).length;
  const document: ReportDocument = {
    summary: {
      total: tests.length,
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
      duration_seconds: seconds(run.durationMs),
      seed: run.seed,
    },
    tests,
  };
  const loads = records.flatMap((r) => r.meta.load ?? []);
  if (loads.length > 0) document.load = summariseLoads(loads);
  return document;
}

function reportTest(record: TestRecord, runSeed: number): ReportTest {
  const { meta } = record;
  return {
    name: record.name,
    file: record.file,
    status: record.status,
    duration: seconds(record.durationMs),
    error: record.status === 'failed' ? errorLine(record) : null,
    // The fixture's own seed when it made a system; otherwise the seed it would have had.
    seed: meta.seed ?? testSeed(runSeed, `${record.file}::${record.name}`),
    replay: meta.replay ?? replayCommand(runSeed, record.file, record.name),
    metrics: meta.load ? { load: meta.load } : {},
    timeline: record.status === 'failed' && meta.timeline ? meta.timeline : null,
  };
}

/**
 * Several loads as one: throughput over their summed time, the error rate over all requests.
 * One load's percentiles are its exact ones; several loads' are read from their summed
 * histograms (at most one bucket, about 9%, above the exact figure).
 */
export function summariseLoads(loads: readonly LoadStats[]): LoadSummary {
  const requests = loads.reduce((n, l) => n + l.requests, 0);
  const errors = loads.reduce((n, l) => n + l.errors, 0);
  const seconds = loads.reduce((n, l) => n + l.durationMs, 0) / 1000;
  const only = loads.length === 1 ? loads[0]! : undefined;
  const buckets = only ? [] : mergeBuckets(loads.map((l) => l.histogram));
  const p = (q: 50 | 95 | 99): number => (only ? only.latency[`p${q}`] : bucketPercentile(buckets, q));
  return {
    requests_per_second: seconds > 0 ? requests / seconds : 0,
    p50_latency_ms: p(50),
    p95_latency_ms: p(95),
    p99_latency_ms: p(99),
    error_rate: requests > 0 ? errors / requests : 0,
    loads: loads.length,
    requests,
  };
}

/** Milliseconds as seconds, to the microsecond (no float noise such as 1.6464828649999999). */
function seconds(ms: number): number {
  return Math.round(ms * 1000) / 1_000_000;
}
