import { InvalidOptionError, Pid, type HistoryEvent } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import type { DriveTarget } from '../core/host.js';
import { DEFAULT_WAIT_TIMEOUT } from '../waits/driver.js';
import { awaitQuiescence, DEFAULT_QUIET_PERIOD, type Quiescence } from '../waits/quiescence.js';

/**
 * A process's mailbox measured exactly while an operation runs: the runtime reports every
 * enqueue and dequeue (Runtime.watchMailbox), so a burst that comes and goes between two sample
 * points of a sampler is seen, with the virtual time and history position of its peak.
 */

/** One change of the mailbox: its length after it, when, and the history's length then. */
export interface MailboxPoint {
  /** Virtual milliseconds. */
  readonly time: number;
  readonly length: number;
  /** The history's length at the change: the events before it have `seq < seq`. */
  readonly seq: number;
}

export interface MailboxMeasurement {
  /** The process measured, and its history label. */
  readonly pid: Pid;
  readonly label: string;
  /** Messages waiting when the measurement began, and when it ended. */
  readonly initial: number;
  readonly final: number;
  /** The longest the mailbox got. */
  readonly max: number;
  /** The mean length over every change seen (the initial length counts as the first). */
  readonly mean: number;
  /** When the mailbox first reached `max`, in virtual milliseconds, and the history's length then. */
  readonly peakAt: number;
  readonly peakSeq: number;
  /** Messages put in and taken out while measuring. */
  readonly enqueued: number;
  readonly dequeued: number;
  /** Virtual milliseconds when the measurement began and ended. */
  readonly from: number;
  readonly to: number;
  /** The last changes up to and including the peak (at most PEAK_TRAIL of them), oldest first. */
  readonly peakTrail: readonly MailboxPoint[];
  /** How the end was decided (after the operation: at durable idle, or after a quiet period), or undefined with `settle: false`. */
  readonly settledBy: Quiescence['by'] | undefined;
}

export interface MeasureMailboxOptions {
  /**
   * After the operation returns, wait until nothing more happens (durable idle, as negatives are
   * decided) so deliveries it caused are measured too. Default true; `false` stops when it returns.
   */
  settle?: boolean;
  /** Real milliseconds the settling after the operation may take. Default: the system's wait timeout. */
  timeout?: number;
}

/** How many changes before the peak a measurement keeps. */
export const PEAK_TRAIL = 20;

/** Measure `pid`'s mailbox while `operation` runs (and, by default, until the system settles after it). */
export async function measureMailbox(
  target: DriveTarget & { readonly defaultTimeout?: number; readonly quietPeriod?: number },
  pid: Pid,
  operation: () => unknown,
  options: MeasureMailboxOptions = {},
): Promise<MailboxMeasurement> {
  if (!(pid instanceof Pid)) throw new InvalidOptionError('measureMailbox(pid)', pid, 'the Pid of a process of this system');
  if (typeof operation !== 'function') throw new InvalidOptionError('measureMailbox(operation)', operation, 'a function () => unknown (sync or async)');
  const { settle, timeout } = measureMailboxOptions(options, target.defaultTimeout ?? DEFAULT_WAIT_TIMEOUT);
  const rt = target.runtime;
  const history = rt.history;
  const initial = rt.messageQueueLength(pid);
  const from = rt.now();
  let length = initial;
  let max = initial;
  let peak: MailboxPoint = { time: from, length: initial, seq: history.length };
  let sum = initial;
  let points = 1;
  let enqueued = 0;
  let dequeued = 0;
  // A ring of the latest changes; copied into the peak's trail each time a new maximum is reached.
  const recent: MailboxPoint[] = [peak];
  let trail: MailboxPoint[] = [peak];
  const unwatch = rt.watchMailbox(pid, (next) => {
    if (next > length) enqueued += next - length;
    else dequeued += length - next;
    length = next;
    sum += next;
    points++;
    const point = { time: rt.now(), length: next, seq: history.length };
    recent.push(point);
    if (recent.length > PEAK_TRAIL) recent.shift();
    if (next > max) {
      max = next;
      peak = point;
      trail = [...recent];
    }
  });
  let settledBy: Quiescence['by'] | undefined;
  try {
    // Awaited, not driven: the operation moves time itself (system.advance, system.call), and a
    // second driver racing its steps would take its pending timers for a deadlock.
    const returned = operation();
    if (typeof returned === 'object' && returned !== null && typeof (returned as { then?: unknown }).then === 'function') await returned;
    if (settle) settledBy = (await awaitQuiescence(target, { quietPeriod: target.quietPeriod ?? DEFAULT_QUIET_PERIOD, timeout })).by;
  } finally {
    unwatch();
  }
  return {
    pid,
    label: rt.label(pid),
    initial,
    final: rt.messageQueueLength(pid),
    max,
    mean: sum / points,
    peakAt: peak.time,
    peakSeq: peak.seq,
    enqueued,
    dequeued,
    from,
    to: rt.now(),
    peakTrail: trail,
    settledBy,
  };
}

/** The history events around a measurement's peak: `before` events up to it and `after` after it. */
export function eventsAroundPeak(events: readonly HistoryEvent[], m: MailboxMeasurement, before = 10, after = 3): readonly HistoryEvent[] {
  return events.slice(Math.max(0, m.peakSeq - before), m.peakSeq + after);
}

/** Whether `value` is a measurement made by `measureMailbox`. */
export function isMailboxMeasurement(value: unknown): value is MailboxMeasurement {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<MailboxMeasurement>;
  return m.pid instanceof Pid && typeof m.max === 'number' && typeof m.peakAt === 'number' && Array.isArray(m.peakTrail);
}

function measureMailboxOptions(options: unknown, defaultTimeout: number): { settle: boolean; timeout: number } {
  checkOptions('measureMailbox options', options, ['settle', 'timeout']);
  const { settle = true, timeout } = options as MeasureMailboxOptions;
  if (typeof settle !== 'boolean') throw new InvalidOptionError('measureMailbox options.settle', settle, 'a boolean');
  return { settle, timeout: timeout === undefined ? defaultTimeout : checkMilliseconds('measureMailbox options.timeout', timeout) };
}
