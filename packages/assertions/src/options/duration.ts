import { InvalidOptionError } from '@quiesce/runtime';
import type { Duration } from '../matcher-types.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/** Milliseconds from a Duration; throws InvalidOptionError naming `option` for anything else. */
export function parseDuration(value: unknown, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const m = DURATION.exec(value.trim());
    if (m) {
      const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
      if (Number.isFinite(ms)) return ms;
    }
  }
  throw new InvalidOptionError(option, value, "a duration: milliseconds (a finite number >= 0) or a string like '250ms', '5s', '1.5m', '1h'");
}

/** A Duration as people write it, for messages. */
export function formatDuration(ms: number): string {
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export type { Duration };
