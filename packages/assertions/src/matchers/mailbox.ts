import { InvalidOptionError, formatTimeline, type HistoryEvent } from '@quiesce/runtime';
import { round } from '@quiesce/runtime/internal';
import { eventsAroundPeak, isMailboxMeasurement, measureMailbox, systemOf, type MailboxMeasurement } from '@quiesce/harness';
import type { MatcherState } from 'vitest';
import type { MailboxOptions } from '../matcher-types.js';
import { integerOption, knownKeys, optionsObject, timeoutOption } from '../options/validate.js';
import { hint, result, type MatcherResult } from '../report.js';
import { processSubject } from '../subjects.js';

/**
 * The mailbox never held more than `max` messages: measured exactly (every enqueue and dequeue)
 * while `during` runs and until the system settles after it, or judged on a measurement made by
 * `system.measureMailbox`. A failure prints the figures, the changes that led to the peak and the
 * history around it.
 */
export async function toKeepMailboxWithin(this: MatcherState, received: unknown, max: unknown, options?: unknown): Promise<MatcherResult> {
  const bound = integerOption(max, 'toKeepMailboxWithin(max)', 0);
  const opts = optionsObject<MailboxOptions>(options, 'toKeepMailboxWithin');
  knownKeys(opts, ['during', 'settle', 'timeout'], 'toKeepMailboxWithin');
  let m: MailboxMeasurement;
  let events: readonly HistoryEvent[] = [];
  if (isMailboxMeasurement(received)) {
    if (opts.during !== undefined)
      throw new InvalidOptionError('toKeepMailboxWithin options.during', opts.during, 'nothing: the received measurement is already made');
    m = received;
    // The pid leads to its system while the test runs: the history around the peak can be shown.
    const system = systemOf(m.pid);
    if (system) events = eventsAroundPeak(system.history.events, m);
  } else {
    const view = processSubject(received, 'toKeepMailboxWithin');
    if (typeof opts.during !== 'function') {
      throw new InvalidOptionError(
        'toKeepMailboxWithin options.during',
        opts.during,
        'the operation to measure during, () => unknown (or expect a measurement)',
      );
    }
    const timeout = timeoutOption(opts.timeout, 'toKeepMailboxWithin');
    const target = view.system ?? { runtime: view.runtime, onInterrupt: () => () => undefined };
    m = await measureMailbox(target, view.pid, opts.during, {
      ...(opts.settle !== undefined ? { settle: opts.settle } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
    });
    events = eventsAroundPeak(view.runtime.history.events, m);
  }
  const pass = m.max <= bound;
  return result(pass, () => [
    hint(this, 'toKeepMailboxWithin', 'max'),
    '',
    pass
      ? `Expected the mailbox of ${m.label} to exceed ${bound}, but it peaked at ${m.max}.`
      : `Expected the mailbox of ${m.label} to hold at most ${bound} messages, but it held ${m.max} at ${ms(m.peakAt)} (virtual).`,
    '',
    `Measured: ${describeMailbox(m)}`,
    ...(pass ? [] : peakLines(m, events)),
  ]);
}

/** The figures on one line. */
export function describeMailbox(m: MailboxMeasurement): string {
  return (
    `initial ${m.initial}, final ${m.final}, max ${m.max} (at ${ms(m.peakAt)}), mean ${round(m.mean, 2)}; ` +
    `${m.enqueued} in, ${m.dequeued} out, from ${ms(m.from)} to ${ms(m.to)}`
  );
}

function peakLines(m: MailboxMeasurement, events: readonly HistoryEvent[]): string[] {
  // Changes at one virtual instant (a burst) are one line: the lengths they went through.
  const trail: string[] = [];
  for (let i = 0; i < m.peakTrail.length; ) {
    const first = m.peakTrail[i]!;
    let j = i;
    while (j + 1 < m.peakTrail.length && m.peakTrail[j + 1]!.time === first.time) j++;
    const last = m.peakTrail[j]!;
    const lengths = i === j ? `length ${first.length}` : `length ${first.length} -> ${last.length} (${j - i + 1} changes)`;
    trail.push(`  ${ms(first.time).padStart(10)}  ${lengths}, history #${first.seq}`);
    i = j + 1;
  }
  return [
    '',
    `Mailbox changes up to the peak (last ${m.peakTrail.length}):`,
    ...trail,
    ...(events.length > 0 ? ['', 'History around the peak:', formatTimeline(events)] : []),
  ];
}

function ms(n: number): string {
  return `${round(n, 3)}ms`;
}
