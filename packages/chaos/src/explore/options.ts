import { InvalidOptionError } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import { checkFunction, checkInteger, checkOneOf } from '../options.js';
import type { ExploreCheck } from './run.js';

export const STRATEGIES = ['random', 'pct', 'exhaustive'] as const;
export type ExploreStrategy = (typeof STRATEGIES)[number];

export interface ExploreOptions {
  /** `random`: uniformly random orders; `pct`: PCT with a bug depth; `exhaustive`: every schedule within the preemption bound. */
  strategy: ExploreStrategy;
  /** At most this many runs (schedules). Default 1000; exhaustive: 100,000 (it stops sooner when the space is exhausted). */
  runs?: number;
  /** PCT's bug depth d: the orderings a bug needs (d-1 priority change points). Default 2; other strategies ignore it. */
  depth?: number;
  /**
   * Exhaustive: at most this many preemptions per schedule. Default Infinity (no bound). A finite
   * bound with sleep sets may skip schedules the bounded plain enumeration runs (see docs/chaos.md).
   */
  preemptionBound?: number;
  /** Seeds the strategy's draws and the runtime of every run (its `random`). Default 0. */
  seed?: number;
  /** Exhaustive: `'sleep-sets'` (partial-order reduction, the default) or `'none'` (plain enumeration). */
  reduction?: 'sleep-sets' | 'none';
  /** Judges each run once its scenario returned and the runtime is idle. */
  check?: ExploreCheck;
  /** Deliveries one run may take before it counts as failed (a livelock). Default 100,000. */
  maxSteps?: number;
  /** Shrink the first failing schedule. Default true. */
  shrink?: boolean;
  /** Runs shrinking may spend. Default 500. */
  shrinkRuns?: number;
  /** Go on after a failure and count every failing run (only the first is shrunk). Default false. */
  keepGoing?: boolean;
  /** Record every message in each run's history (`message.send`). Default false; the failure's timeline always has them. */
  recordMessages?: boolean;
}

export interface ReplayOptions {
  check?: ExploreCheck;
  maxSteps?: number;
  /** Default true: the replayed history and timeline show every message. */
  recordMessages?: boolean;
}

export interface ExploreSettings {
  readonly strategy: ExploreStrategy;
  readonly runs: number;
  readonly depth: number;
  readonly preemptionBound: number;
  readonly seed: number;
  readonly reduce: boolean;
  readonly check: ExploreCheck | undefined;
  readonly maxSteps: number;
  readonly shrink: boolean;
  readonly shrinkRuns: number;
  readonly keepGoing: boolean;
  readonly recordMessages: boolean;
}

const KEYS = [
  'strategy',
  'runs',
  'depth',
  'preemptionBound',
  'seed',
  'reduction',
  'check',
  'maxSteps',
  'shrink',
  'shrinkRuns',
  'keepGoing',
  'recordMessages',
] as const;
const MAX_RUNS = 100_000_000;

export function checkExploreOptions(options: unknown): ExploreSettings {
  const where = 'explore options';
  checkOptions(where, options as ExploreOptions, KEYS);
  const o = options as ExploreOptions;
  const strategy = checkOneOf(`${where}.strategy`, o.strategy, STRATEGIES);
  const runs = o.runs === undefined ? (strategy === 'exhaustive' ? 100_000 : 1000) : bounded(`${where}.runs`, o.runs, 1, MAX_RUNS);
  const depth = o.depth === undefined ? 2 : bounded(`${where}.depth`, o.depth, 1, 32);
  let preemptionBound = Number.POSITIVE_INFINITY;
  if (o.preemptionBound !== undefined) {
    preemptionBound =
      o.preemptionBound === Number.POSITIVE_INFINITY ? o.preemptionBound : bounded(`${where}.preemptionBound`, o.preemptionBound, 0, 1000, ', or Infinity');
  }
  const seed = o.seed === undefined ? 0 : bounded(`${where}.seed`, o.seed, 0, 0xffffffff);
  const reduction = o.reduction === undefined ? 'sleep-sets' : checkOneOf(`${where}.reduction`, o.reduction, ['sleep-sets', 'none'] as const);
  const check = o.check === undefined ? undefined : checkFunction<ExploreCheck>(`${where}.check`, o.check, '(runtime) => void | boolean | string');
  const maxSteps = o.maxSteps === undefined ? 100_000 : bounded(`${where}.maxSteps`, o.maxSteps, 1, MAX_RUNS);
  const shrinkRuns = o.shrinkRuns === undefined ? 500 : bounded(`${where}.shrinkRuns`, o.shrinkRuns, 0, MAX_RUNS);
  return {
    strategy,
    runs,
    depth,
    preemptionBound,
    seed,
    reduce: reduction === 'sleep-sets',
    check,
    maxSteps,
    shrink: flag(`${where}.shrink`, o.shrink, true),
    shrinkRuns,
    keepGoing: flag(`${where}.keepGoing`, o.keepGoing, false),
    recordMessages: flag(`${where}.recordMessages`, o.recordMessages, false),
  };
}

export function checkReplayOptions(options: unknown): { check: ExploreCheck | undefined; maxSteps: number; recordMessages: boolean } {
  const where = 'explore.replay options';
  checkOptions(where, options as ReplayOptions, ['check', 'maxSteps', 'recordMessages']);
  const o = options as ReplayOptions;
  return {
    check: o.check === undefined ? undefined : checkFunction<ExploreCheck>(`${where}.check`, o.check, '(runtime) => void | boolean | string'),
    maxSteps: o.maxSteps === undefined ? 100_000 : bounded(`${where}.maxSteps`, o.maxSteps, 1, MAX_RUNS),
    recordMessages: flag(`${where}.recordMessages`, o.recordMessages, true),
  };
}

function bounded(where: string, value: unknown, min: number, max: number, more = ''): number {
  const n = checkInteger(where, value, min);
  if (n > max) throw new InvalidOptionError(where, value, `an integer from ${min} to ${max}${more}`);
  return n;
}

function flag(where: string, value: unknown, byDefault: boolean): boolean {
  if (value === undefined) return byDefault;
  if (typeof value !== 'boolean') throw new InvalidOptionError(where, value, 'a boolean');
  return value;
}
