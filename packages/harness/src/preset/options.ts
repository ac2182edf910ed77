import { InvalidOptionError } from '@quiesce/runtime';
import { checkKnownKeys } from '@quiesce/runtime/internal';
import type { ViteUserConfig } from 'vitest/config';
import { runSeed, SEED_ENV } from '../system/seed.js';
import { LIVE_ENV } from './tags.js';

type Reporters = NonNullable<NonNullable<ViteUserConfig['test']>['reporters']>;

/** Options of the `quiesce()` Vitest plugin. */
export interface QuiescePluginOptions {
  /** The run seed. Default: QUIESCE_SEED, else the config's `test.env.QUIESCE_SEED`, else a random one chosen once per run. */
  seed?: number;
  /** Run `live` tests. Default: QUIESCE_LIVE=1 (or true), or a `--tags-filter` that names `live`. */
  live?: boolean;
  /** Define Quiesce's tags (live, docker, chaos, slow). Default true. */
  tags?: boolean;
  /** Add the setup file that registers @quiesce/assertions' matchers when it is installed. Default true. */
  setupFile?: boolean;
  /** Print the run seed when the run starts. Default true. */
  printSeed?: boolean;
  /** Reporters for the run (the seam Quiesce's reporters plug into). Default: the config's, else Vitest's. */
  reporters?: Reporters;
  /**
   * Run the test workers with `--expose-gc`, so memory assertions (`memoryTrend`, `toLeakMemory`)
   * force collections through `globalThis.gc`. For the project of a slow suite that asks for it.
   * Default false (they fall back to enabling the flag at run time).
   */
  exposeGc?: boolean;
}

export interface ResolvedQuiesceOptions {
  seed: number | undefined;
  live: boolean;
  tags: boolean;
  setupFile: boolean;
  printSeed: boolean;
  reporters: Reporters | undefined;
  exposeGc: boolean;
}

const KNOWN = ['seed', 'live', 'tags', 'setupFile', 'printSeed', 'reporters', 'exposeGc'];

/** Validate the plugin's options against the environment; throws InvalidOptionError naming the option. */
export function resolveQuiesceOptions(options: unknown, env: Record<string, string | undefined> = process.env): ResolvedQuiesceOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new InvalidOptionError('quiesce(options)', options, `an object { ${KNOWN.join(', ')} }`);
  const o = options as Record<string, unknown>;
  checkKnownKeys('quiesce options', o, KNOWN);
  const { seed, live, tags = true, setupFile = true, printSeed = true, reporters, exposeGc = false } = o;
  if (seed !== undefined && !(typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new InvalidOptionError('quiesce options.seed', seed, 'an integer from 0 to 4294967295');
  }
  for (const [name, value] of [
    ['live', live],
    ['tags', tags],
    ['setupFile', setupFile],
    ['printSeed', printSeed],
    ['exposeGc', exposeGc],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw new InvalidOptionError(`quiesce options.${name}`, value, 'a boolean');
  }
  if (reporters !== undefined && !Array.isArray(reporters) && typeof reporters !== 'string' && (typeof reporters !== 'object' || reporters === null)) {
    throw new InvalidOptionError(
      'quiesce options.reporters',
      reporters,
      "Vitest reporters: a name, a reporter object, or an array of them ('default', ['json', { outputFile }], ...)",
    );
  }
  const liveEnv = env[LIVE_ENV];
  if (liveEnv !== undefined && !['', '0', '1', 'true', 'false'].includes(liveEnv))
    throw new InvalidOptionError(LIVE_ENV, liveEnv, "'1' or 'true' to run live tests, '0', 'false' or unset not to");
  // Validates QUIESCE_SEED when set, even though an explicit option wins.
  const envSeed = env[SEED_ENV] !== undefined && env[SEED_ENV] !== '' ? runSeed(env) : undefined;
  return {
    seed: (seed as number | undefined) ?? envSeed,
    live: (live as boolean | undefined) ?? (liveEnv === '1' || liveEnv === 'true'),
    tags: tags as boolean,
    setupFile: setupFile as boolean,
    printSeed: printSeed as boolean,
    reporters: reporters as Reporters | undefined,
    exposeGc: exposeGc as boolean,
  };
}
