/** What one re-run of a candidate gave: whether it still failed the same way, and what it really did. */
export interface Attempt<T> {
  readonly failed: boolean;
  /** The run's own version of the candidate (a lenient re-run may skip or change parts of it). */
  readonly made: readonly T[];
}

export interface DeltaOptions<T> {
  /** Re-run a candidate from a fresh system. */
  attempt(candidate: T[]): Promise<Attempt<T>>;
  /** Whether `a` is strictly simpler than `b`; a failing candidate is kept only when it is. */
  smaller(a: readonly T[], b: readonly T[]): boolean;
  /** How a run's `made` is compared and kept (explore drops trailing defaults). Default: as is. */
  normalise?(made: readonly T[]): T[];
  /** The candidate for the chunk [start, start + size): cut out or set to the default; undefined when there is nothing to try. */
  chunk(best: readonly T[], start: number, size: number): T[] | undefined;
  /** Simpler versions of one element, simplest first; the first that still fails is kept. */
  variants(element: T, index: number): readonly T[];
  /** Most re-runs. */
  budget: number;
  /** Wall-clock milliseconds (performance.now()) after which no new re-run starts. Default: none. */
  deadline?: number;
}

export interface DeltaResult<T> {
  readonly best: T[];
  /** Re-runs spent. */
  readonly attempts: number;
  /** Whether the budget or the deadline stopped it before a round changed nothing. */
  readonly cut: boolean;
}

/**
 * Delta debugging to a local minimum: chunks of the sequence (halving the chunk size down to one)
 * are cut or defaulted, then single elements are simplified, round after round until a whole
 * round keeps nothing or the budget (re-runs, then wall time) is spent. A candidate is kept, as
 * the run's own version of it, only when it still fails and is smaller. Shared by the interleaving
 * explorer (choices set to the default) and fault schedules (actions cut out).
 */
export async function deltaDebug<T>(initial: readonly T[], o: DeltaOptions<T>): Promise<DeltaResult<T>> {
  const normalise = o.normalise ?? ((made: readonly T[]) => [...made]);
  let best = normalise(initial);
  let attempts = 0;
  const open = (): boolean => attempts < o.budget && (o.deadline === undefined || performance.now() < o.deadline);
  const tryCandidate = async (candidate: T[]): Promise<boolean> => {
    attempts++;
    const outcome = await o.attempt(candidate);
    const made = normalise(outcome.made);
    if (!outcome.failed || !o.smaller(made, best)) return false;
    best = made;
    return true;
  };
  let complete = false;
  while (!complete && open()) {
    let progress = false;
    for (let size = highestPowerOfTwo(best.length); size >= 1 && open(); size = Math.floor(size / 2)) {
      for (let start = 0; start < best.length && open(); ) {
        const candidate = o.chunk(best, start, size);
        // On success stay at `start`: what followed the chunk may now be there (or it is all default).
        if (candidate !== undefined && (await tryCandidate(candidate))) progress = true;
        else start += size;
      }
    }
    for (let i = 0; i < best.length && open(); i++) {
      for (const variant of o.variants(best[i]!, i)) {
        if (!open()) break;
        const candidate = [...best];
        candidate[i] = variant;
        if (await tryCandidate(candidate)) {
          progress = true;
          break;
        }
      }
    }
    // A round that changed nothing and was not cut short: a local minimum.
    complete = !progress && open();
  }
  return { best, attempts, cut: !complete };
}

function highestPowerOfTwo(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return n === 0 ? 0 : p;
}
