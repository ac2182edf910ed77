import { InvalidOptionError, type Random } from '@quiesce/runtime';

/** Weights by action name; 0 (or absent) leaves an action out. */
export type Weights = Readonly<Record<string, number>>;

/**
 * How a monkey weighs its actions: fixed weights, or a function of the seed's random and the
 * action names (a swarm profile: each seed draws its own mix).
 */
export type Profile = Weights | ((random: Random, actions: readonly string[]) => Weights);

export interface SwarmOptions {
  /** Probability that an action is in a seed's mix. Default 0.5 (at least one always is). */
  include?: number;
  /** Largest weight drawn for an included action (1..max). Default 10. */
  maxWeight?: number;
}

/**
 * A swarm profile (swarm testing, as in TigerBeetle's VOPR): every seed leaves some actions out
 * and weighs the rest at random, so a sweep of seeds reaches mixes a fixed one never does.
 */
export function swarm(options: SwarmOptions = {}): (random: Random, actions: readonly string[]) => Weights {
  const include = options.include ?? 0.5;
  const maxWeight = options.maxWeight ?? 10;
  if (typeof include !== 'number' || !(include > 0 && include <= 1)) {
    throw new InvalidOptionError('swarm options.include', include, 'a probability > 0 and <= 1');
  }
  if (!Number.isInteger(maxWeight) || maxWeight < 1) throw new InvalidOptionError('swarm options.maxWeight', maxWeight, 'an integer >= 1');
  return (random, actions) => {
    const weights: Record<string, number> = {};
    for (const name of actions) if (random.bool(include)) weights[name] = random.between(1, maxWeight);
    if (Object.keys(weights).length === 0 && actions.length > 0) weights[random.pick(actions)] = random.between(1, maxWeight);
    return weights;
  };
}

/** Pick an index by weight among `weights` (all >= 0, some > 0). */
export function pickWeighted(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random.next() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0 && weights[i]! > 0) return i;
  }
  return weights.findLastIndex((w) => w > 0);
}
