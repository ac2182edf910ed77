import { inject } from 'vitest';
import type { EngineStatus } from '../containers/engine.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** Whether the run found a container engine (the quiesce() preset's global setup, once per run). */
    quiesceDocker: EngineStatus;
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
 * one. Runs before each test (the preset's setup file); does nothing outside the preset (nothing
 * was provided) or when an engine answered.
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
  context.skip(`${status.reason} — to run it: ${status.hint}`);
}
