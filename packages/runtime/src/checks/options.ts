import { InvalidOptionError, UnknownOptionError, type QuiesceErrorCode } from '../errors.js';

/**
 * The option checks every package shares, so a typo or a bad value reads the same wherever it is
 * made. Reached through `@quiesce/runtime/internal`; not part of the public API.
 */

/** The most milliseconds a Node timer honours (a signed 32-bit number, about 24.8 days). @internal */
export const MAX_TIMER_MS = 2_147_483_647;

/** What a checked object is known to be: a record when nothing was known, else its declared type. @internal */
export type Checked<T> = unknown extends T ? Record<string, unknown> : T & object;

/**
 * `value` is a plain options object (not null, not an array).
 * @internal
 */
export function checkObject<T>(where: string, value: T, code: QuiesceErrorCode = 'INVALID_OPTION'): asserts value is T & Checked<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOptionError(where, value, 'an options object', code);
}

/**
 * Reject keys that `where` does not accept: they are almost always typos (`timout`) that would
 * otherwise be ignored silently. The error names the key, the closest accepted one and all of them.
 * @internal
 */
export function checkKnownKeys(where: string, options: object, known: readonly string[], code: QuiesceErrorCode = 'INVALID_OPTION'): void {
  // for…in, not Object.keys: no array per check (every spawn and wait checks its options).
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue;
    if (!known.includes(key)) throw new UnknownOptionError(where, key, (options as Record<string, unknown>)[key], known, closestKey(key, known), code);
  }
}

/** `checkObject` then `checkKnownKeys`. @internal */
export function checkOptions<T>(where: string, value: T, known: readonly string[], code: QuiesceErrorCode = 'INVALID_OPTION'): asserts value is T & Checked<T> {
  checkObject(where, value, code);
  checkKnownKeys(where, value, known, code);
}

/**
 * The accepted key nearest to `key` by edit distance (ignoring case), if it is near enough to be
 * a likely typo: at most a third of the longer name's letters (rounded up) differ.
 * @internal
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance && distance <= Math.ceil(Math.max(key.length, candidate.length) / 3)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edit distance counting a swap of two neighbours as one edit (`tpye`); keys are short, so three rows suffice. */
function editDistance(a: string, b: string): number {
  // A key far longer than every accepted one (fuzzed input) cannot be near any of them.
  if (Math.abs(a.length - b.length) > 8) return Number.POSITIVE_INFINITY;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** Options of `checkMilliseconds`. @internal */
export interface MillisecondsRule {
  /** Accept the string `'infinity'` (no limit), as calls and shutdowns do. Default false. */
  allowInfinity?: boolean;
  /** Reject 0 as well. Default false. */
  positive?: boolean;
  /** The largest number accepted. Default 2^31 - 1, the longest delay a Node timer honours. */
  max?: number;
  /** The error code. Default INVALID_OPTION. */
  code?: QuiesceErrorCode;
}

/**
 * A number of milliseconds: finite, >= 0 (> 0 with `positive`), at most `max`; or `'infinity'`
 * with `allowInfinity`. Returns it.
 * @internal
 */
export function checkMilliseconds(where: string, value: unknown, rule: MillisecondsRule & { allowInfinity: true }): number | 'infinity';
export function checkMilliseconds(where: string, value: unknown, rule?: MillisecondsRule): number;
export function checkMilliseconds(where: string, value: unknown, rule: MillisecondsRule = {}): number | 'infinity' {
  const { allowInfinity = false, positive = false, max = MAX_TIMER_MS, code = 'INVALID_OPTION' } = rule;
  if (allowInfinity && value === 'infinity') return value;
  if (typeof value === 'number' && Number.isFinite(value) && (positive ? value > 0 : value >= 0) && value <= max) return value;
  const limit = max === Number.MAX_VALUE ? '' : ` (at most ${max})`;
  const accepted = `a finite number of milliseconds ${positive ? '> 0' : '>= 0'}${limit}${allowInfinity ? " or 'infinity'" : ''}`;
  throw new InvalidOptionError(where, value, accepted, code);
}
