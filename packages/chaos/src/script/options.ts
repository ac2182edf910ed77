import { relative } from 'node:path';
import { InvalidOptionError, type Runtime } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import { checkFunction, checkInteger } from '../options.js';

/** What `start` and `scenario` get for one seed. */
export interface ScriptSeedContext {
  readonly seed: number;
  /** The step budget (`steps`): give it to the monkey. */
  readonly steps: number;
  /** A fresh Runtime on a virtual clock seeded with `seed`; shut down after the seed. */
  readonly runtime: Runtime;
}

/** The scenario's context: the seed's and what `start` returned. */
export interface ScriptRunContext<S> extends ScriptSeedContext {
  readonly system: S;
}

export interface ChaosScriptOptions<S = unknown> {
  /** Start the system under test for one seed (a supervision tree, OS programs). A throw or rejection here means it could not be started: exit code 2. */
  start: (ctx: ScriptSeedContext) => S | Promise<S>;
  /** Run the chaos over it: fails by throwing or by returning a report whose `ok` is false (a monkey's report). */
  scenario: (ctx: ScriptRunContext<S>) => unknown;
  /** Stop what `start` started (OS programs); the runtime is shut down after it either way. */
  stop?: (ctx: ScriptRunContext<S>) => void | Promise<void>;
  /** How many seeds (from `from`), or exactly which. `--seed N` / `--seeds N` on the command line override it. */
  seeds: number | readonly number[];
  /** The first seed when `seeds` is a count. Default 1. */
  from?: number;
  /** The step budget each seed gets (`ctx.steps`). Default 100. */
  steps?: number;
  /** Real milliseconds for the whole run: no seed starts once it has passed. Default: no limit. */
  timeBudgetMs?: number;
  /** The command that replays one seed. Default `node <this script> --seed N`. */
  replay?: (seed: number) => string;
  /** Where progress and the summary go. Default process.stdout; a TTY gets one line rewritten in place. */
  output?: NodeJS.WritableStream & { isTTY?: boolean };
  /** The command line to read `--seed N` / `--seeds N` from. Default process.argv.slice(2). */
  argv?: readonly string[];
}

export interface ParsedScript<S> {
  start: ChaosScriptOptions<S>['start'];
  scenario: ChaosScriptOptions<S>['scenario'];
  stop: ChaosScriptOptions<S>['stop'];
  seeds: number[];
  steps: number;
  timeBudgetMs: number;
  replay: (seed: number) => string;
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

const MAX_SEEDS = 1_000_000;
const KEYS = ['start', 'scenario', 'stop', 'seeds', 'from', 'steps', 'timeBudgetMs', 'replay', 'output', 'argv'];

/** Check runChaos's options; throws a QuiesceError naming the option. */
export function parseScript<S>(options: ChaosScriptOptions<S>): ParsedScript<S> {
  checkOptions('runChaos options', options, KEYS);
  const start = checkFunction<ChaosScriptOptions<S>['start']>('runChaos options.start', options.start, '(ctx) => system');
  const scenario = checkFunction<ChaosScriptOptions<S>['scenario']>('runChaos options.scenario', options.scenario, '(ctx) => report');
  const stop =
    options.stop === undefined ? undefined : checkFunction<NonNullable<ChaosScriptOptions<S>['stop']>>('runChaos options.stop', options.stop, '(ctx) => void');
  const steps = options.steps === undefined ? 100 : checkInteger('runChaos options.steps', options.steps, 1);
  let timeBudgetMs = Number.POSITIVE_INFINITY;
  if (options.timeBudgetMs !== undefined) {
    if (typeof options.timeBudgetMs !== 'number' || !(options.timeBudgetMs > 0)) {
      throw new InvalidOptionError('runChaos options.timeBudgetMs', options.timeBudgetMs, 'a number of real milliseconds > 0 (Infinity: no limit)');
    }
    timeBudgetMs = options.timeBudgetMs;
  }
  const output = options.output === undefined ? process.stdout : options.output;
  if (typeof output !== 'object' || output === null || typeof (output as { write?: unknown }).write !== 'function') {
    throw new InvalidOptionError('runChaos options.output', output, 'a writable stream (process.stdout)');
  }
  const argv = options.argv === undefined ? process.argv.slice(2) : options.argv;
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) throw new InvalidOptionError('runChaos options.argv', argv, 'an array of strings');
  const replay =
    options.replay === undefined ? defaultReplay(argv) : checkFunction<(s: number) => string>('runChaos options.replay', options.replay, '(seed) => string');
  return { start, scenario, stop, seeds: seedList(options, argv), steps, timeBudgetMs, replay, output };
}

/** `node <this script, from the working directory> <its other arguments> --seed N`. */
function defaultReplay(argv: readonly string[]): (seed: number) => string {
  const script = process.argv[1] ? relative(process.cwd(), process.argv[1]) || process.argv[1] : 'script.mjs';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seed' || a === '--seeds') i++;
    else if (!a.startsWith('--seed=') && !a.startsWith('--seeds=')) rest.push(a);
  }
  return (seed) => ['node', script, ...rest, '--seed', String(seed)].join(' ');
}

function seedList(options: Pick<ChaosScriptOptions, 'seeds' | 'from'>, argv: readonly string[]): number[] {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i >= 0) return argv[i + 1] ?? '';
    return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const one = flag('--seed');
  if (one !== undefined) return [checkSeed('--seed', Number(one), one)];
  const many = flag('--seeds');
  const seeds = many !== undefined ? Number(many) : options.seeds;
  const where = many !== undefined ? '--seeds' : 'runChaos options.seeds';
  if (Array.isArray(seeds)) {
    if (seeds.length === 0) throw new InvalidOptionError(where, seeds, 'a count of seeds or a non-empty array of seeds');
    return seeds.map((s, i) => checkSeed(`${where}[${i}]`, s, s));
  }
  const count = checkInteger(where, seeds, 1);
  if (count > MAX_SEEDS) throw new InvalidOptionError(where, seeds, `a count of seeds from 1 to ${MAX_SEEDS}`);
  const from = options.from === undefined ? 1 : checkSeed('runChaos options.from', options.from, options.from);
  if (from + count - 1 > 0xffffffff) throw new InvalidOptionError('runChaos options.from', from, `a first seed that leaves room for ${count} seeds`);
  return Array.from({ length: count }, (_, i) => from + i);
}

function checkSeed(where: string, value: unknown, shown: unknown): number {
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff) return value as number;
  throw new InvalidOptionError(where, shown, 'a seed: an integer from 0 to 4294967295');
}
