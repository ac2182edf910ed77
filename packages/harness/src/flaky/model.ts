/**
 * What `quiesce flaky` records (raw) and what it concludes (derived). The JSON report holds
 * both; `quiesce flaky merge` unions the raw parts of several shards and derives again, so a
 * merged report is exactly the report of one machine that ran every shard's tests.
 */
import type { LoadStats, TimelineEvent } from '../core/task-meta.js';

/** One test's outcome in one run: P passed, F failed, S skipped, - not run (settled, or not in this shard). */
export type OutcomeCode = 'P' | 'F' | 'S' | '-';

export interface RunRaw {
  index: number;
  /** Vitest's `sequence.seed` for this run (the order of files and tests when shuffled). */
  shuffleSeed: number;
  /** QUIESCE_SEED for this run: every test's harness seed derives from it. */
  harnessSeed: number;
  /** Whether tests ran in a shuffled order. */
  shuffled: boolean;
  durationMs: number;
  /** A failure of the run itself (nothing ran, every file failed to load). */
  error: string | null;
  /** Errors Vitest caught outside any test (an unhandled rejection): the run failed, no test did. */
  unhandled: string[];
  /** Per file, the ids of its tests in the order they ran. */
  order: Record<string, string[]>;
}

export interface FailedRunRaw {
  run: number;
  /** The failure signature's id (see `signatures`). */
  signature: string;
  timedOut: boolean;
  /** Its worker died before the test finished. */
  crashed: boolean;
  /** The history's last events, for a test's first failure (tests using the `system` fixture). */
  timeline?: TimelineEvent[];
}

export interface TestRaw {
  id: string;
  name: string;
  file: string;
  /** One code per run, run 0 first. */
  outcomes: string;
  failures: FailedRunRaw[];
  /** The `load()` results of the last run the test ran in (load suites). */
  load?: LoadStats[];
}

export interface Signature {
  id: string;
  /** The error's name (AssertionError, WaitError, ...). */
  name: string;
  /** The message with run-specific parts (numbers, pids, ports, paths, seeds) replaced. */
  message: string;
  /** Top frames, `file:line method`. */
  frames: string[];
  /** One message as it was first seen. */
  example: string;
}

export interface BisectionStep {
  /** The tests run, in the order they ran (the failing run's order). */
  tests: string[];
  harnessSeed: number;
  failed: boolean;
}

export interface Bisection {
  test: string;
  /** The failing run whose order was bisected. */
  fromRun: number;
  steps: BisectionStep[];
  /** Whether the failure depends on the tests that ran before it. */
  orderDependent: boolean;
  /** The test ids that make it fail when they run before it (one when bisection isolated it). */
  polluters: string[];
  note: string;
}

/** How a test behaved over the runs. */
export type Classification = 'stable-pass' | 'stable-fail' | 'flaky' | 'skipped';

export interface TestVerdict {
  runs: number;
  passes: number;
  fails: number;
  skips: number;
  timeouts: number;
  crashes: number;
  /** fails / runs (runs that passed or failed, infrastructure runs left out). */
  flakeRate: number;
  /** Wilson interval of the flake rate at the report's confidence. */
  interval: [number, number];
  /** With no failure (or no pass): the exact upper bound on the rate of the outcome never seen. */
  upperBound: number | null;
  /** Clean runs still needed for that bound to fall under the target rate (0 when it is under). */
  runsNeeded: number | null;
  flipRate: number;
  classification: Classification;
  /** Whether failing depends on order: null when it could not be told (the order never changed, or not flaky). */
  orderDependent: boolean | null;
  polluters: string[];
  /** The classification is settled at the report's confidence (always, without a target rate, once it ran). */
  settled: boolean;
  /** Counts against the exit code: broken, or flaky above the target rate. */
  failing: boolean;
  /** The command that replays its first failure. */
  replay: string | null;
}

export interface RunVerdict {
  ran: number;
  failed: number;
  /** Most tests failed at once (or the run itself failed): left out of every test's figures. */
  infra: boolean;
  infraReason: string | null;
}
