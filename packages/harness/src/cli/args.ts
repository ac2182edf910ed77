import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomInt } from 'node:crypto';
import { InvalidOptionError, QuiesceError } from '@quiesce/runtime';
import { closestKey } from '@quiesce/runtime/internal';
import { runsForBound } from '../flaky/stats.js';
import { parseRequired, type RequiredPart } from '../preset/require.js';

export type ProgressMode = 'bar' | 'lines' | 'none';

export interface FlakyArgs {
  root: string;
  config: string;
  filters: string[];
  testNamePattern: string | undefined;
  runs: number;
  shuffle: boolean;
  seed: number;
  json: string | undefined;
  html: string | undefined;
  shard: { index: number; count: number } | null;
  targetRate: number | null;
  confidence: number;
  bisect: boolean;
  /** false: files share workers within a run (Vitest's `isolate: false`); undefined: the config's own. */
  isolate: false | undefined;
  /** Parts the run requires (QUIESCE_REQUIRE): a selected test needing one that is absent is exit 2. */
  require: RequiredPart[];
  progress: ProgressMode | undefined;
}

export interface MergeArgs {
  files: string[];
  json: string | undefined;
  html: string | undefined;
}

/** With neither --runs nor --target-rate. */
export const DEFAULT_RUNS = 10;
export const MAX_RUNS = 100_000;
const CONFIG_NAMES = ['vitest.config', 'vite.config'].flatMap((base) => ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'].map((ext) => `${base}.${ext}`));

const FLAKY_OPTIONS = {
  runs: { type: 'string' },
  shuffle: { type: 'boolean' },
  seed: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  shard: { type: 'string' },
  'target-rate': { type: 'string' },
  confidence: { type: 'string' },
  config: { type: 'string' },
  root: { type: 'string' },
  testNamePattern: { type: 'string', short: 't' },
  'no-bisect': { type: 'boolean' },
  'no-isolate': { type: 'boolean' },
  require: { type: 'string', multiple: true },
  progress: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MERGE_OPTIONS = { json: { type: 'string' }, html: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** Parse `quiesce flaky` arguments; bad flags throw an InvalidOptionError naming the flag (exit 3). Returns 'help' for --help. */
export function parseFlakyArgs(argv: readonly string[], cwd = process.cwd()): FlakyArgs | 'help' {
  const { values, positionals } = parse(argv, FLAKY_OPTIONS);
  if (values.help) return 'help';
  const root = resolve(cwd, values.root ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InvalidOptionError('--root', values.root, 'an existing directory');
  const targetRate = values['target-rate'] === undefined ? null : fraction('--target-rate', values['target-rate']);
  const confidence = values.confidence === undefined ? 0.95 : fraction('--confidence', values.confidence);
  if (values.confidence !== undefined && targetRate === null)
    throw new InvalidOptionError('--confidence', values.confidence, 'to be given with --target-rate (it is the confidence of the stopping rule)');
  const runs =
    values.runs !== undefined ? integer('--runs', values.runs, 1, MAX_RUNS) : targetRate !== null ? runsForBound(targetRate, confidence) : DEFAULT_RUNS;
  const progress = values.progress;
  if (progress !== undefined && !['bar', 'lines', 'none'].includes(progress)) throw new InvalidOptionError('--progress', progress, "'bar', 'lines' or 'none'");
  return {
    root,
    config: findConfig(root, values.config),
    filters: positionals,
    testNamePattern: values.testNamePattern,
    runs,
    shuffle: values.shuffle ?? false,
    seed: values.seed === undefined ? randomInt(0, 0x1_0000_0000) : integer('--seed', values.seed, 0, 0xffffffff),
    json: path('--json', values.json, cwd),
    html: path('--html', values.html, cwd),
    shard: values.shard === undefined ? null : shard(values.shard),
    targetRate,
    confidence,
    bisect: !values['no-bisect'],
    isolate: values['no-isolate'] ? false : undefined,
    require: parseRequired('--require', (values.require ?? []).join(',')),
    progress: progress as ProgressMode | undefined,
  };
}

export function parseMergeArgs(argv: readonly string[], cwd = process.cwd()): MergeArgs | 'help' {
  const { values, positionals } = parse(argv, MERGE_OPTIONS);
  if (values.help) return 'help';
  if (positionals.length === 0) throw new InvalidOptionError('quiesce flaky merge', '', 'one or more JSON reports of `quiesce flaky --json` (one per shard)');
  const files = positionals.map((f) => resolve(cwd, f));
  for (const file of files)
    if (!existsSync(file)) throw new InvalidOptionError('quiesce flaky merge', file, 'an existing JSON report of `quiesce flaky --json`');
  return { files, json: path('--json', values.json, cwd), html: path('--html', values.html, cwd) };
}

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown) {
      const guess = closestKey(unknown[2]!, Object.keys(options));
      const known = Object.keys(options)
        .map((k) => `--${k}`)
        .join(', ');
      throw new QuiesceError('INVALID_OPTION', `${unknown[1]}${unknown[2]}: no such option${guess ? `, did you mean --${guess}?` : ''} (accepted: ${known})`);
    }
    throw new QuiesceError('INVALID_OPTION', message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** The config file: --config, else the first vitest.config.* / vite.config.* in the root. */
function findConfig(root: string, given: string | undefined): string {
  if (given !== undefined) {
    const file = isAbsolute(given) ? given : resolve(root, given);
    if (!existsSync(file)) throw new InvalidOptionError('--config', given, `an existing Vitest config file (looked for ${file})`);
    return file;
  }
  const found = CONFIG_NAMES.map((name) => join(root, name)).find((file) => existsSync(file));
  if (!found) throw new QuiesceError('INVALID_OPTION', `no Vitest config in ${root}: looked for ${CONFIG_NAMES.join(', ')}; pass --config FILE or --root DIR`);
  return found;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidOptionError(flag, text, `an integer from ${min} to ${max}`);
  return n;
}

function fraction(flag: string, text: string): number {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  const n = percent ? Number(percent[1]) / 100 : Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidOptionError(flag, text, 'a rate between 0 and 1, exclusive (0.01 or 1%)');
  return n;
}

function shard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new InvalidOptionError('--shard', text, 'i/n with 1 <= i <= n (as Vitest takes it: --shard 1/3)');
  return { index, count };
}

function path(flag: string, value: string | undefined, cwd: string): string | undefined {
  if (value === undefined) return undefined;
  if (value === '') throw new InvalidOptionError(flag, value, 'a file path');
  return resolve(cwd, value);
}
