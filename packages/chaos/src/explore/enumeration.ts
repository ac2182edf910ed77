import { QuiesceError, type Delivery } from '@quiesce/runtime';
import { ExplorerPolicy, RunAbandoned, fromChoice, pairOf, receiverOf } from './policy.js';

/**
 * Two deliveries commute when they go to different processes: each runs on its receiver alone
 * (its mailbox, its state, the messages it sends on its own pairs), so either order reaches the
 * same state. Deliveries to `runtime` (watch callbacks) may touch anything: they commute with none.
 */
export function independent(toA: string, toB: string): boolean {
  return toA !== toB && toA !== 'runtime' && toB !== 'runtime';
}

/** A choice point of the depth-first search: what was ready, what is explored, what sleeps. */
interface ChoicePoint {
  readonly pairs: readonly string[];
  /** Indexes into `pairs` the preemption bound allows here. */
  readonly allowed: readonly number[];
  /** Pairs asleep on entry: exploring them here would only repeat an equivalent schedule. */
  readonly sleep: ReadonlySet<string>;
  /** Pairs explored from here, the current one included. */
  readonly done: Set<string>;
  chosen: string;
}

export interface EnumerationOptions {
  readonly preemptionBound: number;
  /** Sleep sets (partial-order reduction) on, or plain enumeration. */
  readonly reduce: boolean;
  readonly maxSteps: number;
}

/**
 * Stateless depth-first enumeration of schedules (CHESS, loom): each run follows the choices of
 * the last one up to the deepest choice point with an unexplored alternative, takes it, and goes
 * on with the first allowed choice at every new point. Preemption bounding limits switches away
 * from a process that could go on; sleep sets (Godefroid) skip a choice whose effect an explored
 * sibling already covered, so one schedule per class of equivalent interleavings is run, and a
 * run whose every ready delivery sleeps is abandoned as redundant.
 */
export class Enumeration {
  readonly #stack: ChoicePoint[] = [];
  readonly #options: EnumerationOptions;
  #started = false;

  constructor(options: EnumerationOptions) {
    this.#options = options;
  }

  /** The policy of the next run, or undefined when every schedule in the bound has been run. */
  next(): ExplorerPolicy | undefined {
    if (!this.#started) {
      this.#started = true;
      return new GuidedPolicy(this.#stack, 0, this.#options);
    }
    while (this.#stack.length > 0) {
      const point = this.#stack[this.#stack.length - 1]!;
      const alternative = point.allowed.map((i) => point.pairs[i]!).find((pair) => !point.done.has(pair) && !point.sleep.has(pair));
      if (alternative !== undefined) {
        point.done.add(alternative);
        point.chosen = alternative;
        return new GuidedPolicy(this.#stack, this.#stack.length, this.#options);
      }
      this.#stack.pop();
    }
    return undefined;
  }
}

class GuidedPolicy extends ExplorerPolicy {
  readonly #stack: ChoicePoint[];
  readonly #prefix: number;
  readonly #bound: number;
  readonly #reduce: boolean;
  #sleep = new Set<string>();

  constructor(stack: ChoicePoint[], prefix: number, options: EnumerationOptions) {
    super('explore.exhaustive', options.maxSteps, false);
    this.#stack = stack;
    this.#prefix = prefix;
    this.#bound = options.preemptionBound;
    this.#reduce = options.reduce;
  }

  protected pick(ready: readonly Delivery[], decision: number, fallback: number): number {
    if (decision < this.#prefix) return this.#follow(ready, this.#stack[decision]!, decision);
    const pairs = ready.map(pairOf);
    const allowed = this.#allowed(ready, fallback);
    const index = allowed.find((i) => !this.#sleep.has(pairs[i]!));
    if (index === undefined) throw new RunAbandoned('redundant', 'every ready delivery sleeps: an equivalent schedule was explored');
    const point: ChoicePoint = { pairs, allowed, sleep: this.#sleep, done: new Set([pairs[index]!]), chosen: pairs[index]! };
    this.#stack.push(point);
    this.#sleep = new Set(this.#sleep);
    return index;
  }

  /** A choice point of the prefix: the same choice as before, with the sleep set it had then plus the explored siblings. */
  #follow(ready: readonly Delivery[], point: ChoicePoint, decision: number): number {
    const index = ready.length === point.pairs.length ? ready.findIndex((d) => pairOf(d) === point.chosen) : -1;
    if (index < 0) {
      throw new QuiesceError(
        'REPLAY_DIVERGED',
        `explore: the scenario is not deterministic: at choice point ${decision} ${ready.length} deliveries are ready where ${point.pairs.length} were (${point.pairs.join(', ')}) for the same schedule; build everything inside the scenario, from its runtime`,
        { decision },
      );
    }
    if (this.#reduce) {
      this.#sleep = new Set(point.sleep);
      for (const pair of point.done) if (pair !== point.chosen) this.#sleep.add(pair);
    }
    return index;
  }

  /**
   * The default first (so the first schedule is the all-defaults one), then the others oldest
   * first; with the preemption budget spent, only deliveries to the process that went last (if any is ready).
   */
  #allowed(ready: readonly Delivery[], fallback: number): number[] {
    const all = ready.map((_, i) => fromChoice(i, fallback));
    const last = this.lastTo();
    if (this.preemptions < this.#bound || last === undefined) return all;
    const staying = all.filter((i) => ready[i]!.to === last);
    return staying.length > 0 ? staying : all;
  }

  protected override taken(delivery: Delivery, chosen: boolean): void {
    if (!this.#reduce || this.#sleep.size === 0) return;
    const pair = pairOf(delivery);
    if (!chosen && this.#sleep.has(pair)) throw new RunAbandoned('redundant', 'the only ready delivery sleeps: an equivalent schedule was explored');
    for (const asleep of this.#sleep) if (!independent(receiverOf(asleep), delivery.to)) this.#sleep.delete(asleep);
  }
}
