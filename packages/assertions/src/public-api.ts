/**
 * Everything @quiesce/assertions exports, without registering anything or declaring types: the
 * entry points (`@quiesce/assertions`, `/vitest4`, `/vitest5`) add those.
 */
export type { QuiesceMatchers, Duration, RestartOptions, ResponsiveOptions, ReceiveOptions, ConvergeOptions, YieldOptions } from './matcher-types.js';
export type { LatencyBounds, MailboxOptions, CountBounds } from './matcher-types.js';
export type { ProcessSubject, HistorySubject } from './subjects.js';
export { parseDuration } from './options/duration.js';
export { historyProperty, isHistoryProperty, type HistoryProperty, type PropertyResult } from './properties/property.js';
export { atMostRestarts, type RestartBound } from './properties/restarts.js';
export { transientNotRestartedAfterNormalExit } from './properties/transient.js';
export { childrenStoppedRightToLeft } from './properties/shutdown-order.js';
export { sometimes, sweep, SweepError, type SometimesProperty, type SweepReport } from './properties/sometimes.js';
