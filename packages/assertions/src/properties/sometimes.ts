import { formatTimeline, InvalidOptionError, QuiesceError, type History, type HistoryEvent } from '@quiesce/runtime';
import { TestSystem } from '@quiesce/harness';
import { historySubject, type HistorySubject } from '../subjects.js';
import { historyProperty, isHistoryProperty, violated, type HistoryProperty, type PropertyResult } from './property.js';

/**
 * A path a sweep of seeds must reach at least once (Antithesis' "sometimes" assertion): a
 * coverage goal, not an invariant. On one history it holds when `predicate` does.
 */
export interface SometimesProperty extends HistoryProperty {
  readonly sometimes: string;
}

export function sometimes(name: string, predicate: (history: History) => boolean): SometimesProperty {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidOptionError('sometimes(name)', name, 'a non-empty string naming the path');
  if (typeof predicate !== 'function') throw new InvalidOptionError('sometimes(name, predicate)', predicate, 'a function (history) => boolean');
  return historyProperty(
    `sometimes: ${name}`,
    (history): PropertyResult => (predicate(history) ? { ok: true } : violated([], `the path ${JSON.stringify(name)} was not reached in this history`)),
    { sometimes: name },
  );
}

export function isSometimes(property: HistoryProperty): property is SometimesProperty {
  return typeof (property as Partial<SometimesProperty>).sometimes === 'string';
}

/** A sweep's outcome: the seeds run and, per `sometimes` path, the seeds that reached it. */
export interface SweepReport {
  readonly seeds: readonly number[];
  readonly reached: Readonly<Record<string, readonly number[]>>;
}

/** A sweep that found a property violated in some run, or a `sometimes` path reached in none. */
export class SweepError extends QuiesceError {
  readonly property: string;
  /** The run that violated an invariant (undefined for an unreached path). */
  readonly seed: number | undefined;
  readonly witness: readonly HistoryEvent[];
  readonly report: SweepReport;

  constructor(message: string, details: { property: string; seed?: number; witness?: readonly HistoryEvent[]; report: SweepReport }) {
    super('SWEEP_FAILED', message, { property: details.property, ...(details.seed !== undefined ? { seed: details.seed } : {}) });
    this.property = details.property;
    this.seed = details.seed;
    this.witness = details.witness ?? [];
    this.report = details.report;
  }
}

function seedList(seeds: unknown): number[] {
  const isSeed = (s: unknown): s is number => typeof s === 'number' && Number.isInteger(s) && s >= 0 && s <= 0xffffffff;
  if (typeof seeds === 'number') {
    if (!(Number.isInteger(seeds) && seeds >= 1 && seeds <= 1_000_000))
      throw new InvalidOptionError('sweep(seeds)', seeds, 'a count of runs from 1 to 1000000 (seeds 0..count-1) or an array of seeds');
    return Array.from({ length: seeds }, (_, i) => i);
  }
  if (Array.isArray(seeds) && seeds.length > 0 && seeds.every(isSeed)) return [...seeds];
  throw new InvalidOptionError(
    'sweep(seeds)',
    seeds,
    'a count of runs from 1 to 1000000 (seeds 0..count-1) or a non-empty array of seeds (integers from 0 to 4294967295)',
  );
}

/**
 * Run `run(seed)` for every seed and judge each run's history: ordinary properties must hold in
 * every run (the first violation fails the sweep with its seed and witness); `sometimes` paths
 * must each be reached by at least one run (the sweep fails naming every path never reached).
 * A TestSystem returned by `run` and not yet torn down is torn down after it is judged.
 */
export async function sweep(
  seeds: number | readonly number[],
  run: (seed: number) => HistorySubject | Promise<HistorySubject>,
  properties: readonly HistoryProperty[],
): Promise<SweepReport> {
  const list = seedList(seeds);
  if (typeof run !== 'function')
    throw new InvalidOptionError('sweep(seeds, run)', run, 'a function (seed) => a History, a TestSystem or a Runtime (or a promise of one)');
  if (!Array.isArray(properties) || !properties.every(isHistoryProperty)) {
    throw new InvalidOptionError('sweep(seeds, run, properties)', properties, 'an array of history properties (sometimes(...), atMostRestarts(...), ...)');
  }
  const paths = properties.filter(isSometimes);
  const always = properties.filter((p) => !isSometimes(p));
  const reached: Record<string, number[]> = Object.fromEntries(paths.map((p) => [p.sometimes, []]));
  const report = (): SweepReport => ({ seeds: list, reached });
  for (const seed of list) {
    const subject = await run(seed);
    const history = historySubject(subject, 'sweep(run)');
    try {
      for (const property of always) {
        const verdict = property.check(history);
        if (!verdict.ok) {
          throw new SweepError(
            `sweep: seed ${seed} violates "${property.description}": ${verdict.message}\n\nwitness:\n${formatTimeline(verdict.witness)}\n\nreplay: run(${seed})`,
            { property: property.description, seed, witness: verdict.witness, report: report() },
          );
        }
      }
      for (const path of paths) if (path.check(history).ok) reached[path.sometimes]!.push(seed);
    } finally {
      if (subject instanceof TestSystem && !subject.tornDown) await subject.teardown();
    }
  }
  const missed = paths.filter((p) => reached[p.sometimes]!.length === 0).map((p) => p.sometimes);
  if (missed.length > 0) {
    throw new SweepError(
      `sweep: ${missed.length === 1 ? 'a path was' : `${missed.length} paths were`} never reached in ${list.length} run(s) (seeds ${describeSeeds(list)}): ${missed.map((m) => JSON.stringify(m)).join(', ')}`,
      { property: missed.join(', '), report: report() },
    );
  }
  return report();
}

function describeSeeds(seeds: readonly number[]): string {
  const contiguous = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return contiguous && seeds.length > 2 ? `${seeds[0]}..${seeds[seeds.length - 1]}` : seeds.join(', ');
}
