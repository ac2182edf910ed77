import { InvalidOptionError } from '@quiesce/runtime';
import { checkKnownKeys, checkMilliseconds, checkObject } from '@quiesce/runtime/internal';

/** Option checks shared by the matchers: each throws InvalidOptionError naming the option. */

export function optionsObject<T extends object>(value: unknown, where: string): Partial<T> {
  if (value === undefined) return {};
  checkObject(`${where} options`, value);
  return value as Partial<T>;
}

export function timeoutOption(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  return checkMilliseconds(`${where}.timeout`, value);
}

/** An integer >= `min`. */
export function integerOption(value: unknown, option: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new InvalidOptionError(option, value, `an integer >= ${min}`);
  return value;
}

export function childIdOption(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidOptionError(option, value, 'a child id (a non-empty string)');
  return value;
}

export function childIdsOption(value: unknown, option: string): string[] {
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string' && id.length > 0)) {
    throw new InvalidOptionError(option, value, 'an array of child ids (non-empty strings)');
  }
  return [...(value as string[])];
}

export function uniqueChildIdsOption(value: unknown, option: string): string[] {
  const ids = childIdsOption(value, option);
  if (new Set(ids).size !== ids.length) throw new InvalidOptionError(option, value, 'an array of distinct child ids');
  return ids;
}

/** Reject option keys a matcher does not know (a typo would otherwise be ignored silently). */
export function knownKeys(options: object, keys: readonly string[], where: string): void {
  checkKnownKeys(where, options, keys);
}

/** A supervisor's history label (its id or name). */
export function labelOption(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidOptionError(option, value, "a supervisor's label (a non-empty string: its id or name)");
  return value;
}
