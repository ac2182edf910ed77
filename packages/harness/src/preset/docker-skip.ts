// Loaded by the preset's setup file before every test file: it imports nothing of the runtime,
// whose realm mark tells the setup file that a test file uses Quiesce (see setup.ts).
import { inject } from 'vitest';
import type { EngineStatus } from '../containers/engine.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** Whether the run found a container engine (the quiesce() preset's global setup, once per run). */
    quiesceDocker: EngineStatus;
    /** Whether QUIESCE_REQUIRE names `docker`: then a `docker`-tagged test fails without an engine instead of skipping. */
    quiesceDockerRequired: boolean;
  }
}

/** The tag of tests that need a container engine. */
export const DOCKER_TAG = 'docker';

interface SkippableContext {
  readonly task: { readonly tags?: readonly string[] };
  skip(note?: string): never;
}

/** What the preset's global setup found, or undefined outside the preset (nothing was provided). */
function providedStatus(): EngineStatus | undefined {
  try {
    return inject('quiesceDocker');
  } catch {
    return undefined; // not run by Vitest's runner with a provide (a plain import)
  }
}

/**
 * Whether the run looked for a container engine and found none (the preset's global setup said
 * so): only then has a test anything to skip. False outside the preset.
 */
export function engineMissing(): boolean {
  const status = providedStatus();
  return status !== undefined && !status.available;
}

/**
 * Skip a `docker`-tagged test when the run found no container engine, saying why and how to get
 * one; with QUIESCE_REQUIRE=docker, fail it instead with a QuiesceError (NO_CONTAINER_ENGINE).
 * Runs before each test (the preset's setup file); does nothing outside the preset (nothing was
 * provided) or when an engine answered.
 */
export function skipWithoutEngine(context: SkippableContext): void | Promise<never> {
  if (!context.task.tags?.includes(DOCKER_TAG)) return;
  const status = providedStatus();
  if (status === undefined || status.available) return;
  if (inject('quiesceDockerRequired')) return failRequired(status);
  context.skip(`${status.reason} — to run it: ${status.hint}`);
}

/** A required engine is missing: the test fails with a QuiesceError (the runtime loaded for it alone). */
async function failRequired(status: Extract<EngineStatus, { available: false }>): Promise<never> {
  const [{ QuiesceError }, { MISSING_ENGINE_MARK, REQUIRE_ENV }] = await Promise.all([import('@quiesce/runtime'), import('./require.js')]);
  throw new QuiesceError('NO_CONTAINER_ENGINE', `${MISSING_ENGINE_MARK} (${REQUIRE_ENV}=docker): ${status.reason} — to run it: ${status.hint}`, {
    reason: status.reason,
  });
}
