import { deriveSeed } from '@quiesce/runtime';
import { namePattern, SEED_ENV, shellQuote } from '../system/seed.js';

export { escapeRegExp, namePattern, shellQuote } from '../system/seed.js';

/** Run `index`'s seeds, derived from the session seed: every shard of one session uses the same ones. */
export function runSeeds(seed: number, index: number): { shuffleSeed: number; harnessSeed: number } {
  return { shuffleSeed: deriveSeed(seed, `shuffle:${index}`), harnessSeed: deriveSeed(seed, `harness:${index}`) };
}

export interface ReplayTarget {
  file: string;
  /** Full names (' > ' between suites), in the order they must run: polluters first, the failing test last. */
  names: readonly string[];
  harnessSeed: number;
  shuffleSeed: number;
  shuffled: boolean;
}

/**
 * One command that replays a failure: the run's harness seed, its test order (the shuffle seed;
 * a subset of a file's tests keeps the order the whole file had) and the tests by exact name.
 */
export function replayCommand(target: ReplayTarget): string {
  const order = target.shuffled ? ` --sequence.shuffle.tests --sequence.seed=${target.shuffleSeed}` : '';
  return `${SEED_ENV}=${target.harnessSeed} npx vitest run ${shellQuote(target.file)}${order} -t ${shellQuote(namePattern(target.names))}`;
}
