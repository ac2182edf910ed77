import { InvalidOptionError } from '@quiesce/runtime';
import { checkKnownKeys, checkMilliseconds } from '@quiesce/runtime/internal';
import type { TestSystemOptions } from '../system/test-system.js';

/** The environment variable that fixes a property's fast-check seed (printed on failure). */
export const PROP_SEED_ENV = 'QUIESCE_PROP_SEED';
/** The environment variable that replays one counterexample directly (with the seed). */
export const PROP_PATH_ENV = 'QUIESCE_PROP_PATH';

/** Options of `propTest`. */
export interface PropTestOptions {
  /** Runs of the property (fast-check's `numRuns`). Default 100. */
  numRuns?: number;
  /** The fast-check seed. Default: QUIESCE_PROP_SEED, else derived from the run seed and the test's id. */
  seed?: number;
  /** A counterexample path to replay (needs the seed it came from). Default: QUIESCE_PROP_PATH. */
  path?: string;
  /** Vitest's timeout for the whole test (all runs), in ms. Default: the config's testTimeout. */
  timeout?: number;
  /** Stop shrinking at the first failure (fast-check's `endOnFailure`). Default false. */
  endOnFailure?: boolean;
  /** Options of each run's fresh TestSystem (its seed comes from the run and cannot be set here). */
  system?: Omit<TestSystemOptions, 'seed' | 'testId' | 'file' | 'testName' | 'signal'>;
}

/** `PropTestOptions` after validation. */
export interface ResolvedPropOptions {
  numRuns: number;
  seed: number | undefined;
  path: string | undefined;
  timeout: number | undefined;
  endOnFailure: boolean;
  system: Omit<TestSystemOptions, 'seed' | 'testId' | 'file' | 'testName' | 'signal'>;
}

const KNOWN = ['numRuns', 'seed', 'path', 'timeout', 'endOnFailure', 'system'];
const FORBIDDEN_SYSTEM = ['seed', 'testId', 'file', 'testName', 'signal'];
/** The TestSystem options a property may set (the others are each run's own). */
const SYSTEM_KEYS = ['clock', 'scheduler', 'recordMessages', 'trapExits', 'timeout'];

/** fast-check takes any 32-bit seed; ours (derived) are unsigned, a user's may be signed. */
export function isPropSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0xffffffff;
}

/** A fast-check counterexample path: run indexes separated by colons, e.g. `"12:0:3"`. */
export function isPropPath(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,9}(?::\d{1,9})*$/.test(value);
}

/** Validate `propTest`'s options; throws InvalidOptionError naming the option. */
export function resolvePropOptions(options: unknown): ResolvedPropOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('propTest options', options, 'an object { numRuns?, seed?, path?, timeout?, endOnFailure?, system? }');
  }
  const o = options as Record<string, unknown>;
  checkKnownKeys('propTest options', o, KNOWN);
  const { numRuns, seed, path, timeout, endOnFailure, system } = o;
  if (numRuns !== undefined && !(typeof numRuns === 'number' && Number.isInteger(numRuns) && numRuns >= 1 && numRuns <= 1_000_000)) {
    throw new InvalidOptionError('propTest options.numRuns', numRuns, 'an integer from 1 to 1000000');
  }
  if (seed !== undefined && !isPropSeed(seed)) throw new InvalidOptionError('propTest options.seed', seed, 'an integer from -2147483648 to 4294967295');
  if (path !== undefined && !isPropPath(path)) throw new InvalidOptionError('propTest options.path', path, 'a counterexample path such as "12:0:3"');
  if (path !== undefined && seed === undefined)
    throw new InvalidOptionError('propTest options.path', path, 'a path together with the seed it came from (options.seed)');
  if (timeout !== undefined) checkMilliseconds('propTest options.timeout', timeout, { positive: true });
  if (endOnFailure !== undefined && typeof endOnFailure !== 'boolean') throw new InvalidOptionError('propTest options.endOnFailure', endOnFailure, 'a boolean');
  if (system !== undefined && (typeof system !== 'object' || system === null || Array.isArray(system))) {
    throw new InvalidOptionError('propTest options.system', system, 'TestSystem options (an object)');
  }
  for (const key of FORBIDDEN_SYSTEM) {
    if (system !== undefined && Object.hasOwn(system, key)) {
      throw new InvalidOptionError(`propTest options.system.${key}`, (system as Record<string, unknown>)[key], 'nothing: propTest sets it for each run');
    }
  }
  // A typo here would otherwise surface only when the first run builds its system.
  if (system !== undefined) checkKnownKeys('propTest options.system', system, SYSTEM_KEYS);
  return {
    numRuns: (numRuns as number | undefined) ?? 100,
    seed: seed as number | undefined,
    path: path as string | undefined,
    timeout: timeout as number | undefined,
    endOnFailure: (endOnFailure as boolean | undefined) ?? false,
    system: (system as ResolvedPropOptions['system'] | undefined) ?? {},
  };
}

/** What the environment says about a property's seed and path. */
export interface PropEnv {
  seed: number | undefined;
  path: string | undefined;
}

/** Read QUIESCE_PROP_SEED and QUIESCE_PROP_PATH; throws InvalidOptionError on a malformed value. */
export function readPropEnv(env: Record<string, string | undefined> = process.env): PropEnv {
  const rawSeed = env[PROP_SEED_ENV];
  const rawPath = env[PROP_PATH_ENV];
  let seed: number | undefined;
  if (rawSeed !== undefined && rawSeed !== '') {
    seed = /^-?\d{1,10}$/.test(rawSeed.trim()) ? Number(rawSeed.trim()) : Number.NaN;
    if (!isPropSeed(seed)) throw new InvalidOptionError(PROP_SEED_ENV, rawSeed, 'an integer from -2147483648 to 4294967295');
  }
  let path: string | undefined;
  if (rawPath !== undefined && rawPath !== '') {
    path = rawPath.trim();
    if (!isPropPath(path)) throw new InvalidOptionError(PROP_PATH_ENV, rawPath, 'a counterexample path such as "12:0:3"');
    if (seed === undefined) throw new InvalidOptionError(PROP_PATH_ENV, rawPath, `a path together with ${PROP_SEED_ENV} (the seed it came from)`);
  }
  return { seed, path };
}
