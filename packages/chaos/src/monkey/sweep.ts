import { formatValue, InvalidOptionError } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import { checkFunction, checkInteger } from '../options.js';
import { describeReport, type SafetyReport } from './monkey.js';
import type { FaultSchedule } from './schedule.js';
import { checkShrinkOptions, shrinkFaults, type ShrinkFaultsOptions, type ShrunkSchedule } from './shrink-faults.js';

/** What a scenario gets for one seed. */
export interface SeedContext {
  readonly seed: number;
  /** Note that a path the sweep declares in `sometimes` was reached in this run. */
  reach(label: string): void;
  /**
   * The fault schedule to run: pass it to the monkey (`monkey(sys, { …, schedule: ctx.schedule })`)
   * so the sweep can shrink a failing seed's faults and replay a shrunk schedule. Undefined on a
   * seed's first run (the monkey draws from the seed).
   */
  readonly schedule: FaultSchedule | string | undefined;
}

/** A scenario fails by throwing, or by returning a report whose `ok` is false (a monkey's report, say). */
export type Scenario = (ctx: SeedContext) => unknown;

export interface SweepOptions {
  /** How many seeds (at most 1,000,000, from `from`, default 1), or exactly which. */
  seeds: number | readonly number[];
  /** The first seed when `seeds` is a count. Default 1. */
  from?: number;
  /**
   * The command that replays one seed (printed per failure), given the shrunk schedule's token
   * when there is one. Default: `sweep(scenario, { seeds: [N] })`, with `schedule: '<token>'`.
   */
  replay?: (seed: number, schedule?: string) => string;
  /** Paths that must be reached (`ctx.reach(label)`) in at least one run, or the sweep fails. */
  sometimes?: readonly string[];
  /** Called after each seed (progress on a terminal). */
  onSeed?: (result: SeedResult) => void;
  /**
   * Shrink the fault schedule of a failing seed whose scenario returned a monkey's report and
   * passed `ctx.schedule` to the monkey; `{ runs, time }` bound each shrink (default 200 re-runs,
   * 20 s). Default true; false: report the seed's whole run only.
   */
  shrink?: boolean | ShrinkFaultsOptions;
  /** Run the one seed of `seeds` with this fault schedule (a token printed by a shrunk failure): `ctx.schedule`. */
  schedule?: FaultSchedule | string;
}

export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  /** Why it failed: the error's message, or the report's summary. */
  readonly error?: string;
  readonly replay: string;
  /** The failing seed's fault schedule shrunk to a minimal one (see shrinkFaults). */
  readonly shrunk?: ShrunkSchedule;
}

export interface SweepReport {
  readonly runs: number;
  readonly failures: readonly SeedResult[];
  /** How many runs reached each declared path. */
  readonly reached: Readonly<Record<string, number>>;
  /** Declared paths no run reached. */
  readonly unreached: readonly string[];
  readonly ok: boolean;
  /** One line per failing seed with its replay command, and the unreached paths. */
  summary(): string;
}

/**
 * Run `scenario` once per seed, one after the other, and report which seeds failed, each with
 * the command that replays it; "sometimes" paths never reached fail the sweep too.
 */
export async function sweep(scenario: Scenario, options: SweepOptions): Promise<SweepReport> {
  checkFunction<Scenario>('sweep(scenario)', scenario, '(ctx) => void | report');
  checkOptions('sweep options', options, ['seeds', 'from', 'replay', 'sometimes', 'onSeed', 'shrink', 'schedule']);
  const seeds = seedList(options);
  const byDefault = (seed: number, schedule?: string): string =>
    `sweep(scenario, { seeds: [${seed}]${schedule === undefined ? '' : `, schedule: '${schedule}'`} })`;
  const replay =
    options.replay === undefined
      ? byDefault
      : checkFunction<(s: number, t?: string) => string>('sweep options.replay', options.replay, '(seed, schedule?) => string');
  const shrink = options.shrink === undefined || options.shrink === true ? {} : options.shrink === false ? undefined : options.shrink;
  const shrinkOptions = shrink === undefined ? undefined : checkShrinkOptions('sweep options.shrink', shrink);
  const given = options.schedule;
  if (given !== undefined && (seeds.length !== 1 || (typeof given !== 'string' && (typeof given !== 'object' || given === null)))) {
    throw new InvalidOptionError('sweep options.schedule', given, 'a fault schedule or its token, for exactly one seed (seeds: [N])');
  }
  const sometimes = options.sometimes ?? [];
  if (!Array.isArray(sometimes) || sometimes.some((s) => typeof s !== 'string' || s === '')) {
    throw new InvalidOptionError('sweep options.sometimes', sometimes, 'an array of path labels');
  }
  const onSeed = options.onSeed === undefined ? undefined : checkFunction<(r: SeedResult) => void>('sweep options.onSeed', options.onSeed, '(result) => void');
  const reached: Record<string, number> = Object.fromEntries(sometimes.map((s) => [s, 0]));
  const failures: SeedResult[] = [];
  for (const seed of seeds) {
    const seen = new Set<string>();
    let error: string | undefined;
    let shrunk: ShrunkSchedule | undefined;
    let used = false;
    const ctx: SeedContext = {
      seed,
      reach: (label) => void seen.add(label),
      get schedule() {
        used = true;
        return given;
      },
    };
    try {
      const outcome = await scenario(ctx);
      if (isFailedReport(outcome)) {
        error = isMonkeyReport(outcome) ? describeReport(outcome) : formatValue(outcome);
        // Only a scenario that runs the schedule it is given can have its faults shrunk.
        if (isMonkeyReport(outcome) && used && given === undefined && shrinkOptions) {
          const rerun = async (schedule: FaultSchedule) => {
            const again = await scenario({ seed, reach: () => undefined, schedule });
            if (typeof again !== 'object' || again === null || !isMonkeyReport(again)) throw new Error('the scenario returned no monkey report');
            return again;
          };
          try {
            shrunk = await shrinkFaults(rerun, outcome, shrinkOptions);
            error = `${error}\n${shrunk.summary()}`;
          } catch (e) {
            // The seed failed all the same: say why its faults could not be shrunk.
            error = `${error}\nnot shrunk: ${e instanceof Error ? e.message : formatValue(e)}`;
          }
        }
      }
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : formatValue(e);
    }
    for (const label of seen) reached[label] = (reached[label] ?? 0) + 1;
    const result: SeedResult = {
      seed,
      ok: error === undefined,
      ...(error !== undefined ? { error } : {}),
      replay: replay(seed, shrunk?.token),
      ...(shrunk ? { shrunk } : {}),
    };
    if (!result.ok) failures.push(result);
    onSeed?.(result);
  }
  const unreached = sometimes.filter((s) => reached[s] === 0);
  return {
    runs: seeds.length,
    failures,
    reached,
    unreached,
    ok: failures.length === 0 && unreached.length === 0,
    summary: () =>
      [
        `${seeds.length - failures.length} of ${seeds.length} seeds held`,
        ...failures.map((f) => {
          const minimal = f.shrunk ? `\n  minimal fault schedule (${f.shrunk.runs} re-runs):\n${f.shrunk.timeline.replace(/^/gm, '  ')}` : '';
          return `seed ${f.seed} failed: ${f.error?.split('\n')[0]}${minimal}\n  replay: ${f.replay}`;
        }),
        ...(unreached.length > 0 ? [`never reached: ${unreached.join(', ')}`] : []),
      ].join('\n'),
  };
}

/** The most seeds one sweep runs when given a count. */
const MAX_SEEDS = 1_000_000;

function seedList(options: SweepOptions): number[] {
  const { seeds } = options;
  if (Array.isArray(seeds)) {
    if (seeds.length === 0 || seeds.some((s) => !(Number.isInteger(s) && s >= 0 && s <= 0xffffffff))) {
      throw new InvalidOptionError(
        'sweep options.seeds',
        seeds,
        'a count of seeds (integer >= 1) or a non-empty array of seeds (integers from 0 to 4294967295)',
      );
    }
    return [...seeds];
  }
  const count = checkInteger('sweep options.seeds', seeds, 1);
  if (count > MAX_SEEDS) throw new InvalidOptionError('sweep options.seeds', seeds, `a count of seeds from 1 to ${MAX_SEEDS}`);
  const from = options.from === undefined ? 1 : checkInteger('sweep options.from', options.from, 0);
  if (from + count - 1 > 0xffffffff) {
    throw new InvalidOptionError('sweep options.from', from, `a first seed that leaves room for ${count} seeds below 4294967296`);
  }
  return Array.from({ length: count }, (_, i) => from + i);
}

function isFailedReport(value: unknown): value is { ok: false } {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

function isMonkeyReport(value: object): value is SafetyReport {
  return 'steps' in value && 'violation' in value && 'replay' in value && 'schedule' in value;
}
