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
 * Shrink a failing schedule to a local minimum, delta-debugging style: set chunks of choices to
 * the default (halving the chunk size down to one; zeroing a suffix shortens the
 * schedule), then lower single choices, until a whole round changes nothing or `budget` attempts
 * are spent. A candidate is re-run leniently (a choice that no longer fits takes the default), and
 * kept, as the choices it really made, when it still fails and is smaller.
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
  let best = trimDefaults(initial);
  let attempts = 0;
  const tryCandidate = async (candidate: number[]): Promise<boolean> => {
    attempts++;
    const outcome = await attempt(candidate);
    const made = trimDefaults(outcome.choices);
    if (!outcome.failed || !smaller(made, best)) return false;
    best = made;
    return true;
  };
  for (let progress = true; progress && attempts < budget; ) {
    progress = false;
    for (let chunk = highestPowerOfTwo(best.length); chunk >= 1 && attempts < budget; chunk = Math.floor(chunk / 2)) {
      for (let start = 0; start < best.length && attempts < budget; start += chunk) {
        if (!best.slice(start, start + chunk).some((c) => c !== 0)) continue;
        const candidate = best.map((c, i) => (i >= start && i < start + chunk ? 0 : c));
        if (await tryCandidate(candidate)) progress = true;
      }
    }
    for (let i = 0; i < best.length && attempts < budget; i++) {
      for (let lower = 1; lower < (best[i] ?? 0) && attempts < budget; lower++) {
        const candidate = [...best];
        candidate[i] = lower;
        if (await tryCandidate(candidate)) {
          progress = true;
          break;
        }
      }
    }
  }
  return { choices: best, attempts };
}

function highestPowerOfTwo(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return n === 0 ? 0 : p;
}
