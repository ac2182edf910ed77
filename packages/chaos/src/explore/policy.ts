import { QuiesceError, Random, type Delivery, type History, type SchedulingPolicy } from '@quiesce/runtime';

/** A run the explorer gave up before its end: redundant (a sleep set proved it), or past its step budget. */
export class RunAbandoned extends Error {
  readonly why: 'redundant' | 'steps';
  constructor(why: 'redundant' | 'steps', message: string) {
    super(message);
    this.name = 'RunAbandoned';
    this.why = why;
  }
}

/** One delivery of a traced run, for the timeline. */
export interface TracedStep {
  readonly from: string;
  readonly to: string;
  /** Set when it was chosen among several ready deliveries. */
  readonly decision?: {
    readonly index: number;
    readonly chosen: number;
    readonly of: number;
    readonly preemption: boolean;
    readonly passed: readonly string[];
  };
  /** The history's length when it was taken: the events from here to the next step's are its own. */
  readonly historyAt: number;
}

/**
 * A schedule records each choice relative to the default (see ExplorerPolicy): 0 is the default,
 * then the other ready deliveries, oldest first. So trailing zeros say nothing, and a choice off
 * zero is a deviation from "let the process that went last go on".
 */
export function toChoice(index: number, fallback: number): number {
  return index === fallback ? 0 : index < fallback ? index + 1 : index;
}

/** The index into the ready deliveries that a recorded choice stands for. */
export function fromChoice(choice: number, fallback: number): number {
  if (choice === 0) return fallback;
  return choice - 1 < fallback ? choice - 1 : choice;
}

/** The pair a delivery travels on: the unit the scheduler orders (a "thread" for PCT). */
export const pairOf = (d: Delivery): string => `${d.from} ${d.to}`;
/** The receiver of a pair key. */
export const receiverOf = (pair: string): string => pair.slice(pair.indexOf(' ') + 1);

/**
 * The scheduling policy of one explored run: a strategy's `pick`, plus what every strategy needs
 * to know of the run — the choices made (the schedule), the preemptions, the steps, a trace.
 *
 * A preemption is a switch away from the process that took the last delivery while a delivery to
 * it is still ready: that process did not get to go on. The default at a choice point is no
 * preemption: the oldest ready delivery to that process, or, when there is none, the oldest.
 */
export abstract class ExplorerPolicy implements SchedulingPolicy {
  readonly name: string;
  readonly choices: number[] = [];
  preemptions = 0;
  steps = 0;
  /** Set by the runner: the run's history, for the trace. */
  history: History | undefined;
  readonly trace: TracedStep[] | undefined;
  readonly #maxSteps: number;
  #lastTo: string | undefined;
  #decision: TracedStep['decision'] | undefined;
  #choosing = false;

  constructor(name: string, maxSteps: number, trace: boolean) {
    this.name = name;
    this.#maxSteps = maxSteps;
    this.trace = trace ? [] : undefined;
  }

  choose(ready: readonly Delivery[]): number {
    const fallback = this.#defaultIndex(ready);
    const index = this.pick(ready, this.choices.length, fallback);
    const chosen = ready[index]!;
    const last = this.#lastTo;
    const preemption = last !== undefined && chosen.to !== last && ready.some((d) => d.to === last);
    if (preemption) this.preemptions++;
    if (this.trace) {
      const passed = ready.filter((d) => d !== chosen).map(pairOf);
      this.#decision = { index: this.choices.length, chosen: toChoice(index, fallback), of: ready.length, preemption, passed };
    }
    this.choices.push(toChoice(index, fallback));
    this.#choosing = true;
    return index;
  }

  /** The default at a choice point: the oldest delivery to the process that went last (no preemption), else the oldest. */
  #defaultIndex(ready: readonly Delivery[]): number {
    const last = this.#lastTo;
    if (last === undefined) return 0;
    for (let i = 0; i < ready.length; i++) if (ready[i]!.to === last) return i;
    return 0;
  }

  observe(taken: Delivery): void {
    if (++this.steps > this.#maxSteps) throw new RunAbandoned('steps', `the run did not settle within ${this.#maxSteps} deliveries (maxSteps): a livelock?`);
    const chosen = this.#choosing;
    this.#choosing = false;
    this.taken(taken, chosen);
    this.#lastTo = taken.to;
    if (this.trace) {
      const decision = chosen ? this.#decision : undefined;
      this.trace.push({ from: taken.from, to: taken.to, historyAt: this.history?.length ?? 0, ...(decision ? { decision } : {}) });
    }
  }

  /** Whether the process that took the last delivery has another ready (switching away preempts it). */
  protected lastTo(): string | undefined {
    return this.#lastTo;
  }

  /** The strategy: an index into `ready` (oldest first) at the `decision`-th choice point; `fallback` is the default's index. */
  protected abstract pick(ready: readonly Delivery[], decision: number, fallback: number): number;

  /** Told of every delivery taken (`chosen`: among several). */
  protected taken(_delivery: Delivery, _chosen: boolean): void {}
}

/** Uniformly random among the ready deliveries. */
export class RandomPolicy extends ExplorerPolicy {
  readonly #random: Random;
  constructor(seed: number, maxSteps: number) {
    super(`explore.random(${seed})`, maxSteps, false);
    this.#random = new Random(seed);
  }
  protected pick(ready: readonly Delivery[]): number {
    return this.#random.int(ready.length);
  }
}

/**
 * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010) over the scheduler's pairs: each
 * pair gets a random priority (in (d, d+1), distinct) when it is first ready; the highest-priority
 * ready pair goes first; at d-1 decisions drawn uniformly from the first `k` the pair about to go
 * drops to priority j (the j-th change point, below every initial priority). A bug of depth d is
 * then found with probability at least 1/(n·k^(d-1)) per run (n pairs, k decisions).
 */
export class PctPolicy extends ExplorerPolicy {
  readonly #random: Random;
  readonly #priority = new Map<string, number>();
  readonly #depth: number;
  /** Decision index -> the priority the pair about to go drops to. */
  readonly #changes = new Map<number, number>();

  constructor(seed: number, depth: number, k: number, maxSteps: number) {
    super(`explore.pct(${seed}, d=${depth})`, maxSteps, false);
    this.#random = new Random(seed);
    this.#depth = depth;
    // d-1 distinct change points among the first k decisions (fewer when k < d-1).
    const points: number[] = Array.from({ length: k }, (_, i) => i);
    for (let j = 1; j < depth && points.length > 0; j++) {
      const at = points.splice(this.#random.int(points.length), 1)[0]!;
      this.#changes.set(at, j);
    }
  }

  /** How many pairs were ever ready together with another: PCT's n. */
  get threads(): number {
    return this.#priority.size;
  }

  protected pick(ready: readonly Delivery[], decision: number): number {
    let best = this.#top(ready);
    const drop = this.#changes.get(decision);
    if (drop !== undefined) {
      this.#priority.set(pairOf(ready[best]!), drop);
      best = this.#top(ready);
    }
    return best;
  }

  #top(ready: readonly Delivery[]): number {
    let best = 0;
    let bestPriority = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < ready.length; i++) {
      const pair = pairOf(ready[i]!);
      let priority = this.#priority.get(pair);
      if (priority === undefined) {
        priority = this.#depth + this.#random.next();
        this.#priority.set(pair, priority);
      }
      if (priority > bestPriority) {
        best = i;
        bestPriority = priority;
      }
    }
    return best;
  }
}

/**
 * Follows a schedule's choices. Strict: a choice that no longer fits means the program diverged
 * (REPLAY_DIVERGED). Lenient (shrinking): it becomes the default. Past the end: the default.
 */
export class SchedulePolicy extends ExplorerPolicy {
  readonly #choices: readonly number[];
  readonly #strict: boolean;
  constructor(choices: readonly number[], options: { strict: boolean; maxSteps: number; trace: boolean }) {
    super('explore.replay', options.maxSteps, options.trace);
    this.#choices = choices;
    this.#strict = options.strict;
  }
  protected pick(ready: readonly Delivery[], decision: number, fallback: number): number {
    const choice = this.#choices[decision];
    if (choice === undefined) return fallback;
    if (choice < ready.length) return fromChoice(choice, fallback);
    if (!this.#strict) return fallback;
    throw new QuiesceError(
      'REPLAY_DIVERGED',
      `replay token diverged at decision ${decision}: recorded choice ${choice} but only ${ready.length} deliveries are ready (did the scenario change?)`,
      { decision, choice, ready: ready.length },
    );
  }
}
