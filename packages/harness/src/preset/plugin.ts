import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin, ViteUserConfig } from 'vitest/config';
import { runSeed, SEED_ENV } from '../system/seed.js';
import { requiredParts } from './require.js';
import { resolveQuiesceOptions, type QuiescePluginOptions } from './options.js';
import { quiesceTags, tagsFilterRequests } from './tags.js';

export { QUIESCE_TAG_NAMES, LIVE_ENV, SLOW_TAG_TIMEOUT, quiesceTags, tagsFilterRequests, type QuiesceTag } from './tags.js';
export { resolveQuiesceOptions, type QuiescePluginOptions, type ResolvedQuiesceOptions } from './options.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** The run seed the quiesce() plugin chose (also in process.env.QUIESCE_SEED). */
    quiesceRunSeed: number;
  }
}

/** The setup file next to this module: `setup.js` when built, `setup.ts` when run from sources. */
export function setupFilePath(name = 'setup'): string {
  for (const file of [`${name}.js`, `${name}.ts`]) {
    const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}

/** The global setup that looks for a container engine once per run (see docker-global-setup.ts). */
export function dockerGlobalSetupPath(): string {
  return setupFilePath('docker-global-setup');
}

type TestConfig = NonNullable<ViteUserConfig['test']>;

/**
 * Quiesce's Vitest preset, as a plugin for vitest.config.ts:
 *
 * ```ts
 * import { defineConfig } from 'vitest/config';
 * import { quiesce } from '@quiesce/harness/plugin';
 * export default defineConfig({ plugins: [quiesce()] });
 * ```
 *
 * - one run seed per run, chosen in the main process when QUIESCE_SEED is unset, printed at the
 *   start and handed to every worker (`process.env.QUIESCE_SEED`, `inject('quiesceRunSeed')`), so
 *   every test's seed and every replay command derive from it;
 * - the tags `live`, `docker`, `chaos`, `slow` (Vitest's native test tags): `live` tests are
 *   skipped unless QUIESCE_LIVE=1, `live: true` or `--tags-filter` names `live`;
 * - a setup file that registers @quiesce/assertions' matchers when the package is installed;
 * - with the tags, a global setup that looks for a container engine once per run: without one,
 *   `docker`-tagged tests are skipped with the reason and how to get an engine (docs/containers.md);
 * - `reporters`, the seam Quiesce's reporters plug into;
 * - with `exposeGc`, workers run with `--expose-gc` (memory assertions force full collections).
 *
 * Bad options throw a QuiesceError naming the option.
 */
export function quiesce(options: QuiescePluginOptions = {}): Plugin {
  const resolved = resolveQuiesceOptions(options);
  let seed: number | undefined = resolved.seed;
  let printed = false;
  return {
    name: 'quiesce',
    config(config) {
      // A bad QUIESCE_REQUIRE stops the run here, before Vitest looks for files: thrown later (from
      // the global setup) it came after a misleading "No test files found".
      if (resolved.tags) requiredParts();
      const user: TestConfig = config.test ?? {};
      const userEnvSeed = user.env?.[SEED_ENV];
      seed ??= userEnvSeed !== undefined ? runSeed({ [SEED_ENV]: userEnvSeed }) : randomInt(0, 0x1_0000_0000);
      const userTags = new Set((user.tags ?? []).map((tag) => tag.name));
      const test: TestConfig = {
        env: { [SEED_ENV]: String(seed) },
        provide: { quiesceRunSeed: seed },
        ...(resolved.setupFile ? { setupFiles: [setupFilePath()] } : {}),
        // A tag the project defines itself wins over ours.
        // With the tags, the engine look-up that decides whether `docker` tests run.
        ...(resolved.tags
          ? { tags: quiesceTags({ live: resolved.live }).filter((tag) => !userTags.has(tag.name)), globalSetup: [dockerGlobalSetupPath()] }
          : {}),
        ...(resolved.reporters !== undefined ? { reporters: resolved.reporters } : {}),
        // Workers that can force a full collection (memory assertions); the user's own flags kept.
        ...(resolved.exposeGc ? { execArgv: [...new Set([...(user.execArgv ?? []), '--expose-gc'])] } : {}),
      };
      return { test };
    },
    configureVitest({ vitest, project }) {
      // --tags-filter is only known once the CLI is merged in: a filter naming `live` asks for it.
      if (resolved.tags && !resolved.live && tagsFilterRequests(vitest.config.tagsFilter, 'live')) {
        const live = project.config.tags?.find((tag) => tag.name === 'live');
        if (live) delete live.skip;
      }
      if (resolved.printSeed && !printed && seed !== undefined) {
        printed = true;
        vitest.logger.log(`[quiesce] run seed ${seed} (replay this run with ${SEED_ENV}=${seed})`);
      }
    },
  };
}
