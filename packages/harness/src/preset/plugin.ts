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
 *   `docker`-tagged tests are skipped with the reason and how to get an engine (the containers guide);
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
      inheritIntoInlineProjects(user, test);
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

/**
 * Give inline projects (`test.projects: [{ extends: true, test: {...} }]`) the preset's additions
 * themselves. Vitest 5 resolves such a project on the root's shared Vite server from the root's
 * test config as written, captured before any plugin's `config` hook has run, so without this the
 * project would get no setup file (no matchers, no docker skip), no run seed and no tags. Vitest 4
 * runs the plugin again for the project; every addition here is idempotent, so that is harmless.
 * The engine's global setup stays at the root: it runs once per run and provides to every project.
 */
function inheritIntoInlineProjects(user: TestConfig, additions: TestConfig): void {
  const projects: unknown = user.projects;
  if (!Array.isArray(projects)) return;
  for (const entry of projects) {
    if (typeof entry !== 'object' || entry === null) continue; // a config file or a glob: its own config, its own preset
    const project = entry as { extends?: unknown; test?: TestConfig };
    if (project.extends === false || typeof project.extends === 'string') continue;
    const own: TestConfig = (project.test ??= {});
    const owned = (list: unknown): string[] =>
      Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : typeof list === 'string' ? [list] : [];
    if (additions.setupFiles) {
      const have = owned(own.setupFiles);
      own.setupFiles = [...have, ...owned(additions.setupFiles).filter((file) => !have.includes(file))];
    }
    own.env = { ...additions.env, ...own.env };
    own.provide = { ...additions.provide, ...own.provide };
    if (additions.tags) {
      const names = new Set((own.tags ?? []).map((tag) => tag.name));
      own.tags = [...(own.tags ?? []), ...additions.tags.filter((tag) => !names.has(tag.name))];
    }
    if (additions.execArgv) own.execArgv = [...new Set([...(own.execArgv ?? []), ...additions.execArgv])];
  }
}
