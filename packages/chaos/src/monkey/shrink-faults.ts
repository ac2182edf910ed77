import { InvalidOptionError } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import { checkFunction } from '../options.js';
import { deltaDebug } from '../shrink/delta.js';
import type { LivenessReport, SafetyReport } from './monkey.js';
import { encodeSchedule, failureKind, type FaultSchedule, formatFaultTimeline, type RecordedSchedule, type ScheduledAction } from './schedule.js';

/** A monkey's report, with or without its liveness phase. */
export type MonkeyOutcome = SafetyReport & { readonly liveness?: LivenessReport | undefined };

export interface ShrinkFaultsOptions {
  /** Most re-runs shrinking may spend. Default 200. */
  runs?: number;
  /** Most wall-clock milliseconds it may spend (no new re-run starts after). Default 20000. */
  time?: number;
}

/** A failing fault schedule shrunk to a local minimum. */
export interface ShrunkSchedule {
  /** What fails, the same in every kept candidate: `the invariant 'x'`, or `the liveness phase`. */
  readonly failure: string;
  /** The minimal run's words for it (the violation's message, or what did not converge). */
  readonly message: string;
  readonly original: RecordedSchedule;
  readonly minimal: RecordedSchedule;
  /** The minimal schedule's token: `monkey(system, { …, schedule: token })` replays it. */
  readonly token: string;
  /** Re-runs spent. */
  readonly runs: number;
  /** False when `runs` or `time` ran out before a local minimum. */
  readonly complete: boolean;
  /** The minimal run's report. */
  readonly report: MonkeyOutcome;
  /** The minimal schedule, one action a line with its virtual time and target, then the failure. */
  readonly timeline: string;
  /** Sizes, the timeline and the replay token in a few lines. */
  summary(): string;
}

/** How a failing schedule is re-run: build a fresh system (same seed), run the monkey with `schedule`, return its report. */
export type Rerun = (schedule: FaultSchedule) => Promise<MonkeyOutcome>;

/** Fewer actions first, then fewer steps (idle ones included), then fewer seeded draws, then less virtual time. */
function size(steps: readonly ScheduledAction[]): number[] {
  let actions = 0;
  let seeded = 0;
  let time = 0;
  for (const s of steps) {
    if (s.action !== 'none') actions++;
    if (s.draws !== 'lowest') seeded++;
    time += s.gap;
  }
  return [actions, steps.length, seeded, time];
}

function smaller(a: readonly ScheduledAction[], b: readonly ScheduledAction[]): boolean {
  const [x, y] = [size(a), size(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
}

export function checkShrinkOptions(where: string, options: unknown): Required<ShrinkFaultsOptions> {
  checkOptions(where, options as ShrinkFaultsOptions, ['runs', 'time']);
  const o = options as ShrinkFaultsOptions;
  const runs = o.runs ?? 200;
  if (!Number.isSafeInteger(runs) || runs < 0 || runs > 1_000_000) throw new InvalidOptionError(`${where}.runs`, runs, 'an integer from 0 to 1000000');
  const time = o.time ?? 20_000;
  if (typeof time !== 'number' || !(time > 0)) throw new InvalidOptionError(`${where}.time`, time, 'wall-clock milliseconds > 0 (Infinity for no limit)');
  return { runs, time };
}

/**
 * Shrink a failing monkey run's fault schedule (delta debugging: cut chunks of actions, then
 * single ones, then set each action's draws to their lowest), re-running every candidate on a
 * fresh system through `rerun`, and keeping it only when it fails the same way (the same
 * invariant, or the liveness phase again). Bounded by `runs` and `time`.
 */
export async function shrinkFaults(rerun: Rerun, failing: MonkeyOutcome, options: ShrinkFaultsOptions = {}): Promise<ShrunkSchedule> {
  checkFunction<Rerun>('shrinkFaults(rerun)', rerun, '(schedule) => Promise<monkey report>');
  const kind = typeof failing === 'object' && failing !== null && 'schedule' in failing ? failureKind(failing) : undefined;
  if (kind === undefined) throw new InvalidOptionError('shrinkFaults(report)', failing, 'a failing monkey report (its ok false), from run() or check()');
  const { runs, time } = checkShrinkOptions('shrinkFaults options', options);
  const reports = new WeakMap<readonly ScheduledAction[], MonkeyOutcome>([[failing.schedule.steps, failing]]);
  const seed = failing.schedule.seed;
  const { best, attempts, cut } = await deltaDebug<ScheduledAction>(failing.schedule.steps, {
    attempt: async (candidate) => {
      let report: MonkeyOutcome;
      try {
        report = await rerun({ seed, steps: candidate.map(({ action, draws, gap }) => ({ action, draws, gap })) });
      } catch (error) {
        if (error instanceof InvalidOptionError) throw error; // the rerun's own mistake, not a failure
        return { failed: false, made: candidate };
      }
      const made = report?.schedule?.steps;
      // A run from a schedule takes its steps or skips some, never more: more means the schedule was not used.
      if (!Array.isArray(made) || made.length > candidate.length) {
        throw new InvalidOptionError(
          'shrinkFaults(rerun)',
          rerun,
          'a function that passes the schedule it is given to monkey(…, { schedule }) and returns its report',
        );
      }
      reports.set(made, report);
      return { failed: failureKind(report) === kind, made };
    },
    smaller,
    normalise: (made) => made as ScheduledAction[],
    chunk: (steps, start, n) => [...steps.slice(0, start), ...steps.slice(start + n)],
    variants: (s) => (s.draws === 'lowest' ? [] : [{ ...s, draws: 'lowest' as const }]),
    budget: runs,
    deadline: performance.now() + time,
  });
  const report = reports.get(best) ?? failing;
  const minimal = report.schedule;
  const message = report.violation?.message ?? report.liveness?.missing.join('; ') ?? 'failed';
  const where = report.violation ? ` at ${report.violation.time} ms` : report.liveness ? ` (${report.liveness.after} ms after the heal)` : '';
  const timeline = formatFaultTimeline(minimal.steps, `${kind} failed${where}: ${message}`);
  const token = encodeSchedule(minimal);
  const shrunk = {
    failure: kind,
    message,
    original: failing.schedule,
    minimal,
    token,
    runs: attempts,
    complete: !cut,
    report,
    timeline,
  };
  return { ...shrunk, summary: () => describeShrunk(shrunk) };
}

/** The minimal schedule in a few lines: sizes, timeline, replay. */
export function describeShrunk(s: Omit<ShrunkSchedule, 'summary'>): string {
  const count = (r: RecordedSchedule): string => {
    const n = r.steps.filter((x) => x.action !== 'none').length;
    return `${n} action${n === 1 ? '' : 's'}`;
  };
  return [
    `fault schedule shrunk from ${count(s.original)} to ${count(s.minimal)} (${s.runs} re-runs${s.complete ? '' : ', cut short by its budget'}), seed ${s.minimal.seed}:`,
    s.timeline,
    `replay: monkey(system, { …the same options, schedule: '${s.token}' }) on a system with seed ${s.minimal.seed}`,
  ].join('\n');
}
