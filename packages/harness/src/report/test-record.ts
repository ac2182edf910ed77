import { stripVTControlCharacters } from 'node:util';
import type { QuiesceTaskMeta } from '../core/task-meta.js';

/**
 * One test's outcome in one run, read from Vitest's reported TestCase: what the JSON report,
 * the HTML report and `quiesce flaky` are built from. The `*Like` types are the parts of
 * Vitest's reporter API they read (the same in Vitest 4 and 5).
 */
export interface TestErrorLike {
  name?: string;
  message?: string;
  stack?: string;
  stacks?: ReadonlyArray<{ file: string; line: number; column: number; method: string }>;
}

export interface TestCaseLike {
  readonly id: string;
  readonly name: string;
  readonly fullName: string;
  readonly module: { readonly moduleId: string; readonly relativeModuleId: string };
  result(): { state: string; errors?: ReadonlyArray<TestErrorLike> | undefined };
  diagnostic(): { duration: number; startTime: number } | undefined;
  /** Vitest's TaskMeta; Quiesce's part is `quiesce`. */
  meta(): object;
}

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface FailureInfo {
  name: string;
  message: string;
  /** The top stack frames, `file:line method`, innermost first. */
  frames: string[];
}

export interface TestRecord {
  /** Vitest's test id (stable for a file and a test's position in it). */
  id: string;
  /** Full name: suites and test, joined by ' > ' (what `-t` matches). */
  name: string;
  /** The file relative to the project root. */
  file: string;
  /** A test with no result (its worker died, the run was cancelled) is reported as failed. */
  status: TestStatus;
  /** Whether it ran at all (false: skipped, or never reached). */
  ran: boolean;
  durationMs: number;
  startTime: number;
  errors: FailureInfo[];
  /** It failed by running out of time (Vitest's test timeout, or its signal aborted). */
  timedOut: boolean;
  meta: QuiesceTaskMeta;
}

/** How many stack frames a failure keeps. */
const FRAMES = 5;

export function recordOf(test: TestCaseLike): TestRecord {
  const result = test.result();
  const diagnostic = test.diagnostic();
  const errors = (result.errors ?? []).map(failureInfo);
  const state = result.state;
  const status: TestStatus = state === 'passed' ? 'passed' : state === 'skipped' ? 'skipped' : 'failed';
  if (state === 'pending') errors.push({ name: 'NoResult', message: 'the test never finished: its worker exited or the run was cancelled', frames: [] });
  return {
    id: test.id,
    name: test.fullName,
    file: test.module.relativeModuleId,
    status,
    ran: state === 'passed' || state === 'failed',
    durationMs: diagnostic?.duration ?? 0,
    startTime: diagnostic?.startTime ?? 0,
    errors,
    timedOut: errors.some((e) => isTimeout(e)),
    meta: (test.meta() as { quiesce?: QuiesceTaskMeta }).quiesce ?? {},
  };
}

export function failureInfo(error: TestErrorLike): FailureInfo {
  const frames = (error.stacks ?? []).slice(0, FRAMES).map((f) => `${f.file}:${f.line} ${f.method || '<anonymous>'}`);
  return { name: error.name ?? 'Error', message: stripVTControlCharacters(error.message ?? String(error)), frames };
}

/** Vitest's own test timeout, or a Quiesce wait interrupted because the test's signal aborted. */
export function isTimeout(error: FailureInfo): boolean {
  return /^Test timed out in \d+ms/.test(error.message) || /the test was aborted \(it timed out/.test(error.message);
}

/** `Name: message` of the first error, as the report's `error` field shows it. */
export function errorLine(record: TestRecord): string | null {
  const first = record.errors[0];
  return first ? `${first.name}: ${first.message}` : null;
}
