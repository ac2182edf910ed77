/**
 * A number of milliseconds (or seconds) for a message or a timeline: integers as they are,
 * fractions to `digits` decimals without trailing zeros (12.5, 0.25, 3).
 * @internal
 */
export function round(n: number, digits = 1): string {
  if (Number.isInteger(n)) return String(n);
  const fixed = n.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
