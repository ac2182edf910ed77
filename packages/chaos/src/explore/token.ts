import { InvalidOptionError } from '@quiesce/runtime';

/**
 * A schedule as a replay token carries it: the runtime's seed and the choice made at every point
 * where more than one delivery was ready, relative to the default there (0: the default; see
 * toChoice in policy.ts); past the end, the default.
 */
export interface Schedule {
  readonly seed: number;
  readonly choices: readonly number[];
}

const TOKEN = /^q1:([0-9a-z]{1,7}):((?:[0-9a-z]{1,4}(?:\.[0-9a-z]{1,4})*)?)$/;
const ACCEPTED = 'a replay token printed by explore: "q1:<seed>:<choices>" (base-36 numbers, the choices joined by ".")';

/** `q1:<seed>:<choices>`: base 36, choices joined by "."; trailing zeros (the default choice) are dropped. */
export function encodeToken(schedule: Schedule): string {
  const choices = trimDefaults(schedule.choices);
  return `q1:${schedule.seed.toString(36)}:${choices.map((c) => c.toString(36)).join('.')}`;
}

export function decodeToken(where: string, token: unknown): Schedule {
  if (typeof token !== 'string') throw new InvalidOptionError(where, token, ACCEPTED);
  const match = TOKEN.exec(token);
  const seed = match ? Number.parseInt(match[1]!, 36) : Number.NaN;
  if (!match || seed > 0xffffffff) throw new InvalidOptionError(where, token, ACCEPTED);
  const choices = match[2] === '' ? [] : match[2]!.split('.').map((c) => Number.parseInt(c, 36));
  return { seed, choices };
}

/** Choices past the end of a schedule are the default (0), so trailing zeros say nothing. */
export function trimDefaults(choices: readonly number[]): number[] {
  let end = choices.length;
  while (end > 0 && choices[end - 1] === 0) end--;
  return choices.slice(0, end);
}
