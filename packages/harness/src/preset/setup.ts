/**
 * The setup file the `quiesce()` plugin adds to every test run, run before each test file:
 * - the matchers of @quiesce/assertions, when the project has it: placeholders now, the real
 *   matchers before the file's tests if the file has loaded Quiesce (@quiesce/assertions/preset),
 *   so the project's test files that never touch Quiesce do not load it;
 * - when the run found no container engine, a hook that skips `docker`-tagged tests with the
 *   reason (a run with an engine pays no hook per test).
 */
import { beforeAll, beforeEach } from 'vitest';
import { engineMissing, skipWithoutEngine } from './docker-skip.js';
import { isMissing } from '../core/missing.js';

export { isMissing };

/** What the setup file uses of `@quiesce/assertions/preset` (typed here: the assertions package depends on this one). */
export interface MatcherLoader {
  registerPlaceholders(): void;
  loadMatchersIfQuiesceLoaded(): Promise<boolean>;
}

const MATCHER_LOADER = '@quiesce/assertions/preset';

/**
 * Import `specifier` if `pkg`, the package it names, is installed: its module, or undefined when
 * it is not. Node's "Cannot find package" names the package, not a subpath of it.
 */
export async function importIfInstalled<M = Record<string, unknown>>(specifier: string, pkg = specifier): Promise<M | undefined> {
  try {
    // A variable specifier: bundlers and Vite leave it to run time, where absence is tolerated.
    return (await import(/* @vite-ignore */ specifier)) as M;
  } catch (error) {
    if (isMissing(error, pkg)) return undefined;
    throw error;
  }
}

const matchers = await importIfInstalled<MatcherLoader>(MATCHER_LOADER, '@quiesce/assertions');
if (matchers) {
  matchers.registerPlaceholders();
  // Before the file's tests and its own hooks: by now its imports have run.
  beforeAll(() => matchers.loadMatchersIfQuiesceLoaded());
}
if (engineMissing()) beforeEach(({ task, skip }) => skipWithoutEngine({ task, skip }));
