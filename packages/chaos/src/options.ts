import { InvalidOptionError } from '@quiesce/runtime';

/** A probability: a number from 0 to 1. */
export function checkRate(where: string, value: unknown): number {
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  throw new InvalidOptionError(where, value, 'a probability from 0 to 1');
}

/** How many times at most: an integer >= 1, or Infinity (no limit). */
export function checkCount(where: string, value: unknown): number {
  if (value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && (value as number) >= 1)) return value as number;
  throw new InvalidOptionError(where, value, 'an integer >= 1, or Infinity for no limit');
}

/** An integer >= `min`. */
export function checkInteger(where: string, value: unknown, min: number): number {
  if (Number.isSafeInteger(value) && (value as number) >= min) return value as number;
  throw new InvalidOptionError(where, value, `an integer >= ${min}`);
}

/** A non-empty string. */
export function checkName(where: string, value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new InvalidOptionError(where, value, 'a non-empty string');
}

/** One of `allowed`. */
export function checkOneOf<T extends string>(where: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidOptionError(where, value, allowed.map((a) => `'${a}'`).join(', '));
}

/** A non-empty array of distinct values from `allowed`. */
export function checkSubset<T extends string>(where: string, value: unknown, allowed: readonly T[]): T[] {
  const accepted = `a non-empty array of distinct values from ${allowed.map((a) => `'${a}'`).join(', ')}`;
  if (!Array.isArray(value) || value.length === 0) throw new InvalidOptionError(where, value, accepted);
  const seen = new Set<string>();
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string' || !(allowed as readonly string[]).includes(item) || seen.has(item)) {
      throw new InvalidOptionError(`${where}[${i}]`, item, accepted);
    }
    seen.add(item);
  }
  return value as T[];
}

/** A function. */
export function checkFunction<F>(where: string, value: unknown, shape: string): F {
  if (typeof value === 'function') return value as F;
  throw new InvalidOptionError(where, value, `a function ${shape}`);
}
