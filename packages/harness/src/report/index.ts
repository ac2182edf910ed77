/**
 * `@quiesce/harness/reporter`: Quiesce's Vitest reporter and the report types. Loads in Vitest's
 * main process (it never imports the fixtures).
 */
export { QuiesceReporter, QuiesceReporter as default, type QuiesceReporterOptions } from './reporter.js';
export { buildReport, summariseLoads, type ReportDocument, type ReportSummary, type ReportTest, type LoadSummary } from './json-report.js';
export { recordOf, type TestRecord, type TestStatus, type TestCaseLike, type FailureInfo } from './test-record.js';
export type { LoadStats, TimelineEvent, QuiesceTaskMeta } from '../core/task-meta.js';
export type { LatencyBucket, LatencySummary } from '../load/histogram.js';
export { renderReportHtml } from './html/report-page.js';
