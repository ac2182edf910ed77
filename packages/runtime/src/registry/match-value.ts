/**
 * Whether a registered value matches a `match` pattern: a predicate is called with the value (and
 * its pid); a plain object matches when every key it names matches, recursively (Elixir's partial
 * map patterns); an array matches element-wise; anything else compares with Object.is.
 */
export function matchesValue(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return Array.isArray(value) && value.length === pattern.length && pattern.every((p, i) => matchesValue(value[i], p));
  if (typeof pattern === 'object' && pattern !== null && Object.getPrototypeOf(pattern) === Object.prototype) {
    if (typeof value !== 'object' || value === null) return false;
    return Object.keys(pattern).every((key) => matchesValue((value as Record<string, unknown>)[key], (pattern as Record<string, unknown>)[key]));
  }
  return Object.is(value, pattern);
}
