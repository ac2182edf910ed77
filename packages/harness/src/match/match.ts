/**
 * Pattern matching for waits and receives, in the spirit of Elixir's `assert_receive` patterns:
 * a plain object matches when every key it names matches (recursively), an array element-wise,
 * a RegExp tests strings, a function is a predicate, Vitest asymmetric matchers
 * (`expect.any(Number)`) are honoured, and anything else compares with Object.is.
 */
export type Pattern = unknown;

interface AsymmetricMatcher {
  asymmetricMatch(other: unknown): boolean;
}

function isAsymmetric(value: unknown): value is AsymmetricMatcher {
  return typeof value === 'object' && value !== null && typeof (value as AsymmetricMatcher).asymmetricMatch === 'function';
}

export function matches(value: unknown, pattern: Pattern): boolean {
  if (isAsymmetric(pattern)) return pattern.asymmetricMatch(value);
  if (typeof pattern === 'function') return Boolean((pattern as (v: unknown) => unknown)(value));
  if (pattern instanceof RegExp) return typeof value === 'string' && pattern.test(value);
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && value.length === pattern.length && pattern.every((p, i) => matches(value[i], p));
  }
  if (typeof pattern === 'object' && pattern !== null) {
    if (typeof value !== 'object' || value === null) return false;
    // Pids and other objects with equals() compare by identity of what they name.
    if (typeof (pattern as { equals?: unknown }).equals === 'function') return (pattern as { equals(v: unknown): boolean }).equals(value);
    return Object.keys(pattern).every((key) => matches((value as Record<string, unknown>)[key], (pattern as Record<string, unknown>)[key]));
  }
  return Object.is(value, pattern);
}

/** A short description of a pattern for error messages. */
export function describePattern(pattern: Pattern): string {
  if (typeof pattern === 'function') return pattern.name ? `predicate ${pattern.name}` : 'a predicate';
  if (pattern instanceof RegExp) return String(pattern);
  if (isAsymmetric(pattern)) return String(pattern);
  try {
    return JSON.stringify(pattern, (_k, v) => (v instanceof RegExp ? String(v) : typeof v === 'function' ? '[predicate]' : isAsymmetric(v) ? String(v) : v));
  } catch {
    // A cycle or a bigint; an object without a prototype cannot even be String()-ed.
    return Object.prototype.toString.call(pattern);
  }
}
