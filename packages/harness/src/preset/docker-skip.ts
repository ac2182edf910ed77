import { inject } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import type { EngineStatus } from '../containers/engine.js';
import { MISSING_ENGINE_MARK, REQUIRE_ENV } from './require.js';

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

/**
 * Skip a `docker`-tagged test when the run found no container engine, saying why and how to get
 * one; with QUIESCE_REQUIRE=docker, fail it instead with a QuiesceError (NO_CONTAINER_ENGINE).
 * Runs before each test (the preset's setup file); does nothing outside the preset (nothing was
 * provided) or when an engine answered.
 */
export function skipWithoutEngine(context: SkippableContext): void {
  if (!context.task.tags?.includes(DOCKER_TAG)) return;
  let status: EngineStatus | undefined;
  try {
    status = inject('quiesceDocker');
  } catch {
    return; // not run by Vitest's runner with a provide (a plain import)
  }
  if (status === undefined || status.available) return;
  if (inject('quiesceDockerRequired')) {
    throw new QuiesceError('NO_CONTAINER_ENGINE', `${MISSING_ENGINE_MARK} (${REQUIRE_ENV}=docker): ${status.reason} — to run it: ${status.hint}`, {
      reason: status.reason,
    });
  }
  context.skip(`${status.reason} — to run it: ${status.hint}`);
}
