import { deriveSeed, InvalidOptionError } from '@quiesce/runtime';

/** The environment variable that fixes the run seed; a failure prints it in its replay command. */
export const SEED_ENV = 'QUIESCE_SEED';

/** The run seed: QUIESCE_SEED when set (validated), else 0 so a plain run is reproducible. */
export function runSeed(env: Record<string, string | undefined> = process.env): number {
  const raw = env[SEED_ENV];
  if (raw === undefined || raw === '') return 0;
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidOptionError(SEED_ENV, raw, 'an integer from 0 to 4294967295');
  }
  return seed;
}

/** A test's own seed: the run seed and the test's stable id, mixed. */
export function testSeed(run: number, testId: string): number {
  return deriveSeed(run, testId);
}

/** The one-line command that replays a test with the same seed. */
export function replayCommand(run: number, file: string | undefined, testName: string | undefined): string {
  const target = file ? ` ${quotedFile(file)}` : '';
  const filter = testName ? ` -t ${namePatternQuoted(testName)}` : '';
  return `${SEED_ENV}=${run} npx vitest run${target}${filter}`;
}

// Every test of a file names the same file, and most names hold nothing to escape: the fixture
// builds a replay command for every test, so the common case costs one regex test.
let lastFile: string | undefined;
let lastQuoted = '';
function quotedFile(file: string): string {
  if (file !== lastFile) {
    lastQuoted = shellQuote(file);
    lastFile = file;
  }
  return lastQuoted;
}

/** Nothing a regex, ' > ' or a shell's single quotes would treat specially. */
const PLAIN_NAME = /^[^.*+?^${}()|[\]\\>']*$/;

/** shellQuote(namePattern([name])), in one step for a plain name. */
function namePatternQuoted(name: string): string {
  return PLAIN_NAME.test(name) ? `'^${name}$'` : shellQuote(namePattern([name]));
}

/**
 * A `-t` pattern matching exactly these tests (full names, ' > ' between suites). Vitest 4 matches
 * `-t` against a test's suites and name joined by spaces, Vitest 5 joined by ' > ': the pattern
 * accepts either, so one replay command works under both majors.
 */
export function namePattern(names: readonly string[]): string {
  const exact = names.map((name) => name.split(' > ').map(escapeRegExp).join('( > | )'));
  return exact.length === 1 ? `^${exact[0]}$` : `^(${exact.join('|')})$`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Quote for a POSIX shell when needed. */
export function shellQuote(text: string): string {
  return /^[\w./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
