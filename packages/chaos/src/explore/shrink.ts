import { deltaDebug } from '../shrink/delta.js';
import { trimDefaults } from './token.js';

/** What one attempt at a candidate schedule gave: whether it still failed, and the choices it really made. */
export interface Attempt {
  readonly failed: boolean;
  readonly choices: readonly number[];
}

/** A schedule's size, smallest first: choices off the default, then length, then their sum. */
function size(choices: readonly number[]): [number, number, number] {
  let off = 0;
  let sum = 0;
  for (const c of choices) {
    if (c !== 0) off++;
    sum += c;
  }
  return [off, choices.length, sum];
}

function smaller(a: readonly number[], b: readonly number[]): boolean {
  const [x, y] = [size(a), size(b)];
  return x[0] !== y[0] ? x[0] < y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
}

/**
 * Shrink a failing schedule to a local minimum with the shared delta debugger: set chunks of
 * choices to the default (zeroing a suffix shortens the schedule), then lower single choices. A
 * candidate is re-run leniently (a choice that no longer fits takes the default), and kept, as the
 * choices it really made, when it still fails and is smaller.
 *
 * (Cutting chunks out as well, so later choices move up, was tried: on the bench's race it found
 * no shorter schedule, and settled on more deviations for twice the runs.)
 *
 * Not fast-check's shrinker: a choice means something only against the ready set of its own run,
 * so a candidate's value is what the run made of it, which an arbitrary's shrink tree cannot know.
 */
export async function shrinkChoices(
  initial: readonly number[],
  attempt: (choices: readonly number[]) => Promise<Attempt>,
  budget: number,
): Promise<{ choices: number[]; attempts: number }> {
  const { best, attempts } = await deltaDebug<number>(initial, {
    attempt: async (candidate) => {
      const outcome = await attempt(candidate);
      return { failed: outcome.failed, made: outcome.choices };
    },
    smaller,
    normalise: trimDefaults,
    chunk: (best, start, n) => (best.slice(start, start + n).some((c) => c !== 0) ? best.map((c, i) => (i >= start && i < start + n ? 0 : c)) : undefined),
    variants: (c) => Array.from({ length: Math.max(0, c - 1) }, (_, i) => i + 1),
    budget,
  });
  return { choices: best, attempts };
}
