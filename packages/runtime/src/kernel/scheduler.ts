import { QuiesceError } from '../errors.js';
import { Random } from './random.js';

/**
 * One pending delivery: a message, exit signal or reply travelling from one process to another.
 * Deliveries between one pair (from, to) always run in the order they were sent (OTP's
 * guarantee); the policy only chooses among the heads of the per-pair queues.
 */
export interface Delivery {
  readonly seq: number;
  readonly from: string;
  readonly to: string;
  readonly run: () => void;
}

/**
 * Chooses which ready delivery runs next. `ready` holds the head of every non-empty pair queue,
 * sorted by seq (oldest first). Returns an index into `ready`.
 */
export interface SchedulingPolicy {
  readonly name: string;
  choose(ready: readonly Delivery[]): number;
  /**
   * Told of every delivery taken, chosen or the only one ready, just before it runs (not under
   * FIFO, which takes the fast path). An explorer uses it to know which process ran last (a
   * preemption is a switch away from it) and to print the schedule's timeline.
   */
  observe?(taken: Delivery): void;
}

const FIFO: SchedulingPolicy = Object.freeze({ name: 'fifo', choose: () => 0 });

/** Oldest first: the default, and what a user expects from a queue. It holds no state: every runtime shares one. */
export const fifo = (): SchedulingPolicy => FIFO;

/** Uniformly random among the ready heads, from a seed. */
export function seededRandom(seed: number): SchedulingPolicy {
  const random = new Random(seed).fork('scheduler');
  return { name: `random(${seed})`, choose: (ready) => random.int(ready.length) };
}

/**
 * Replays the choices recorded in a token (see Scheduler.token). Past the end of the token it
 * behaves as FIFO; a recorded choice that no longer fits means the program diverged.
 */
export function replay(token: string): SchedulingPolicy {
  const choices = parseToken(token);
  let i = 0;
  return {
    name: `replay(${token})`,
    choose(ready) {
      if (i >= choices.length) return 0;
      const choice = choices[i++]!;
      if (choice >= ready.length) {
        throw new QuiesceError(
          'REPLAY_DIVERGED',
          `replay token diverged at decision ${i - 1}: recorded choice ${choice} but only ${ready.length} deliveries are ready`,
          { token, decision: i - 1, choice, ready: ready.length },
        );
      }
      return choice;
    },
  };
}

export function parseToken(token: string): number[] {
  if (token === '') return [];
  if (!/^[0-9a-z]+(\.[0-9a-z]+)*$/.test(token)) {
    throw new QuiesceError('INVALID_OPTION', `replay token: got ${JSON.stringify(token)}; expected base-36 numbers joined by "."`, { token });
  }
  return token.split('.').map((s) => parseInt(s, 36));
}

export class Scheduler {
  readonly policy: SchedulingPolicy;
  readonly #fast: boolean;
  #seq = 0;
  // FIFO fast path: one global queue preserves every pair's order trivially.
  // Slots [head, tail) hold the queue; taken slots are cleared, and a drained queue starts again at 0.
  #queue: Array<Delivery | undefined> = [];
  #head = 0;
  #tail = 0;
  // Other policies: per-pair queues, keyed "from->to" (made on first use: FIFO never needs them).
  #pairs: Map<string, Delivery[]> | undefined;
  #size = 0;
  // Made on the first decision: under FIFO there is none.
  #decisions: number[] | undefined;

  constructor(policy: SchedulingPolicy = fifo()) {
    this.policy = policy;
    this.#fast = policy.name === 'fifo';
  }

  get size(): number {
    return this.#size;
  }

  enqueue(from: string, to: string, run: () => void): void {
    const delivery: Delivery = { seq: this.#seq++, from, to, run };
    this.#size++;
    if (this.#fast) {
      this.#queue[this.#tail++] = delivery;
      return;
    }
    const key = `${from}->${to}`;
    const pairs = (this.#pairs ??= new Map());
    const queue = pairs.get(key);
    if (queue) queue.push(delivery);
    else pairs.set(key, [delivery]);
  }

  /** Take the next delivery per the policy, or undefined when none is ready. */
  next(): Delivery | undefined {
    if (this.#size === 0) return undefined;
    if (this.#fast) {
      this.#size--;
      const d = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined;
      if (this.#size === 0) {
        // Drained (a call loop drains it every turn): start again at the first slot.
        this.#head = 0;
        this.#tail = 0;
      } else if (this.#head > 1024 && this.#head * 2 > this.#tail) {
        this.#queue = this.#queue.slice(this.#head, this.#tail);
        this.#tail -= this.#head;
        this.#head = 0;
      }
      return d;
    }
    // Not FIFO and a delivery is queued: enqueue made the pairs.
    const pairs = this.#pairs!;
    const ready: Delivery[] = [];
    for (const queue of pairs.values()) ready.push(queue[0]!);
    ready.sort((a, b) => a.seq - b.seq);
    let index = 0;
    if (ready.length > 1) {
      index = this.policy.choose(ready);
      (this.#decisions ??= []).push(index);
    }
    const chosen = ready[index]!;
    this.policy.observe?.(chosen);
    this.#size--;
    const key = `${chosen.from}->${chosen.to}`;
    const queue = pairs.get(key)!;
    queue.shift();
    if (queue.length === 0) pairs.delete(key);
    return chosen;
  }

  /** The choices made at every point where more than one delivery was ready: replays the run. */
  token(): string {
    return (this.#decisions ?? []).map((d) => d.toString(36)).join('.');
  }
}
