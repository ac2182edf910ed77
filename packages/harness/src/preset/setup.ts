/**
 * The setup file the `quiesce()` plugin adds to every test run: it loads @quiesce/assertions when
 * the project has it, so its matchers register, and does nothing when it is not installed; and it
 * skips `docker`-tagged tests, with the reason, when the run found no container engine.
 */
import { beforeEach } from 'vitest';
import { skipWithoutEngine } from './docker-skip.js';
import { isMissing } from '../core/missing.js';

export { isMissing };

const ASSERTIONS = '@quiesce/assertions';

/** Import `specifier` if it is installed; resolves whether it was. */
export async function importIfInstalled(specifier: string): Promise<boolean> {
  try {
    // A variable specifier: bundlers and Vite leave it to run time, where absence is tolerated.
    await import(/* @vite-ignore */ specifier);
    return true;
  } catch (error) {
    if (isMissing(error, specifier)) return false;
    throw error;
  }
}

await importIfInstalled(ASSERTIONS);
beforeEach(({ task, skip }) => skipWithoutEngine({ task, skip }));
