import { constants } from 'node:os';
import { InvalidOptionError } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';

/** Options of `system.spawn(command, args, options)`. */
export interface SpawnOptions {
  /**
   * The process is ready when a stdout line matches (a RegExp, or a predicate on the line).
   * Without it, `spawn` resolves as soon as the program is running.
   */
  ready?: RegExp | ((line: string) => boolean);
  /** Real milliseconds to wait for `ready` before failing with READY_TIMEOUT. Default 10000. */
  readyTimeout?: number;
  /** Record every stdout and stderr line in the history (`os.stdout` / `os.stderr`). Default false. */
  lines?: boolean;
  /** 'pipe' gives the handle a writable `stdin`; 'ignore' (default) connects it to /dev/null. */
  stdin?: 'pipe' | 'ignore';
  /** Working directory. Default: this process's. */
  cwd?: string;
  /** The program's complete environment (it replaces this process's, it does not extend it). Default: this process's. */
  env?: Readonly<Record<string, string>>;
  /** Source of its history events. Default `os:<basename of command>`. */
  label?: string;
  /** Real milliseconds between SIGTERM and SIGKILL at teardown. Default 2000. */
  killTimeout?: number;
}

export const DEFAULT_READY_TIMEOUT = 10_000;
export const DEFAULT_KILL_TIMEOUT = 2_000;

export interface ParsedSpawn {
  readonly command: string;
  readonly args: readonly string[];
  readonly ready: ((line: string) => boolean) | undefined;
  readonly readyDescription: string | undefined;
  readonly readyTimeout: number;
  readonly lines: boolean;
  readonly stdin: 'pipe' | 'ignore';
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly label: string | undefined;
  readonly killTimeout: number;
}

const SPAWN_KEYS = ['ready', 'readyTimeout', 'lines', 'stdin', 'cwd', 'env', 'label', 'killTimeout'] as const;

/** Check everything `spawn` is given before anything starts; throws InvalidOptionError. */
export function parseSpawn(command: unknown, args: unknown, options: unknown): ParsedSpawn {
  if (!isCleanString(command) || command === '')
    throw new InvalidOptionError('spawn(command)', command, 'a non-empty string without NUL characters (a program path or a name in PATH; no shell is used)');
  if (!Array.isArray(args) || !args.every(isCleanString))
    throw new InvalidOptionError('spawn(args)', args, 'an array of strings without NUL characters (argv, no shell quoting)');
  checkOptions('spawn options', options, SPAWN_KEYS);
  const { ready, readyTimeout, lines = false, stdin = 'ignore', cwd, env, label, killTimeout = DEFAULT_KILL_TIMEOUT } = options as SpawnOptions;
  if (ready !== undefined && !(ready instanceof RegExp) && typeof ready !== 'function') {
    throw new InvalidOptionError('spawn options.ready', ready, 'a RegExp or a function (line) => boolean');
  }
  if (readyTimeout !== undefined) {
    checkMilliseconds('spawn options.readyTimeout', readyTimeout, { positive: true });
    // Without `ready` the spawn completes as soon as the program runs: the timeout could never apply.
    if (ready === undefined) throw new InvalidOptionError('spawn options.readyTimeout', readyTimeout, 'to be given only together with ready');
  }
  if (typeof lines !== 'boolean') throw new InvalidOptionError('spawn options.lines', lines, 'a boolean');
  if (stdin !== 'pipe' && stdin !== 'ignore') throw new InvalidOptionError('spawn options.stdin', stdin, "'pipe' or 'ignore'");
  if (cwd !== undefined && (!isCleanString(cwd) || cwd === ''))
    throw new InvalidOptionError('spawn options.cwd', cwd, 'a non-empty string without NUL characters (a directory)');
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env))
      throw new InvalidOptionError('spawn options.env', env, 'an object of string values (the complete environment)');
    for (const [key, value] of Object.entries(env)) {
      if (key === '' || !isCleanString(key) || key.includes('='))
        throw new InvalidOptionError('spawn options.env key', key, 'a non-empty name without "=" or NUL characters');
      if (!isCleanString(value)) throw new InvalidOptionError(`spawn options.env.${key}`, value, 'a string without NUL characters');
    }
  }
  if (label !== undefined && (typeof label !== 'string' || label === '')) throw new InvalidOptionError('spawn options.label', label, 'a non-empty string');
  checkMilliseconds('spawn options.killTimeout', killTimeout);
  return {
    command,
    args: [...args],
    ready: ready === undefined ? undefined : linePredicate(ready),
    readyDescription: ready === undefined ? undefined : describeLinePattern(ready),
    readyTimeout: readyTimeout ?? DEFAULT_READY_TIMEOUT,
    lines,
    stdin,
    cwd,
    env: env === undefined ? undefined : { ...env },
    label,
    killTimeout,
  };
}

/** A line pattern: a RegExp or a predicate; `description` reads "matching /re/" or "satisfying name". */
export function parseLinePattern(where: string, pattern: unknown): { test: (line: string) => boolean; description: string } {
  if (!(pattern instanceof RegExp) && typeof pattern !== 'function') throw new InvalidOptionError(where, pattern, 'a RegExp or a function (line) => boolean');
  const p = pattern as RegExp | ((line: string) => boolean);
  return { test: linePredicate(p), description: describeLinePattern(p) };
}

/** A signal name known to this platform, or a signal number. */
export function parseSignal(where: string, signal: unknown): NodeJS.Signals | number {
  if (typeof signal === 'string' && Object.hasOwn(constants.signals, signal)) return signal as NodeJS.Signals;
  if (typeof signal === 'number' && Number.isInteger(signal) && signal >= 0 && signal <= 64) return signal;
  throw new InvalidOptionError(where, signal, "a signal name such as 'SIGTERM' or 'SIGKILL', or a signal number from 0 to 64");
}

function isCleanString(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('\0');
}

/** A RegExp with `g` or `y` keeps state between calls; a copy without them matches each line afresh. */
function linePredicate(pattern: RegExp | ((line: string) => boolean)): (line: string) => boolean {
  if (typeof pattern === 'function') return (line) => pattern(line) === true;
  const copy = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return (line) => copy.test(line);
}

function describeLinePattern(pattern: RegExp | ((line: string) => boolean)): string {
  return pattern instanceof RegExp ? `matching ${String(pattern)}` : `satisfying ${pattern.name || 'a predicate'}`;
}
