/**
 * `@quiesce/assertions/preset`: how the quiesce() preset's setup file loads the matchers, only in
 * the test files that use Quiesce. The matchers' code, with the harness and the runtime it reads,
 * costs a fresh worker tens of milliseconds to load; a project's test files that never touch
 * Quiesce should not pay that. So the setup file registers a placeholder per matcher (cheap: this
 * module imports nothing of Quiesce) and, before each file's tests, loads the real matchers if the
 * file has loaded Quiesce's runtime by then (any of @quiesce/harness, /runtime, /chaos does).
 *
 * A placeholder fails the assertion, saying why and what to do, where chai would have said
 * "Invalid Chai property". Vitest's own `toSatisfy` is left in place until the real one (which
 * also judges history properties) loads: a history property comes from `@quiesce/assertions`,
 * and importing that registers the matchers at once.
 *
 * Not for test files: they import `@quiesce/assertions`.
 */
import { expect } from 'vitest';
import { MATCHER_NAMES, MATCHERS_REGISTERED } from './matchers/names.js';

/** The runtime's realm mark (its `RUNTIME_LOADED`, read without importing the runtime). */
const RUNTIME_LOADED = Symbol.for('quiesce.runtime.loaded');

const realm = globalThis as Record<symbol, unknown>;

/** Whether this realm has loaded Quiesce's runtime. */
export function quiesceLoaded(): boolean {
  return realm[RUNTIME_LOADED] === true;
}

/** Whether the real matchers are registered in this realm. */
export function matchersRegistered(): boolean {
  return realm[MATCHERS_REGISTERED] === true;
}

/** The message of a placeholder matcher. */
export function notLoadedMessage(name: string): string {
  return (
    `expect(...).${name}() is one of Quiesce's matchers, and they are not loaded in this test file. The quiesce() preset loads ` +
    "them before a file's tests when the file has imported Quiesce by then (@quiesce/harness, @quiesce/runtime or @quiesce/chaos); " +
    "this file had not, so it may import Quiesce inside a test or a hook. Add `import '@quiesce/assertions';` to the file to load them at once."
  );
}

/**
 * Register a placeholder for every Quiesce matcher not yet registered for real (a worker that
 * runs many files keeps the real ones once loaded). The setup file calls it for each test file.
 */
export function registerPlaceholders(): void {
  if (matchersRegistered()) return;
  const placeholders: Record<string, () => never> = {};
  for (const name of MATCHER_NAMES) {
    if (name === 'toSatisfy') continue;
    placeholders[name] = () => {
      // Thrown, not a failed result: a result would pass under `.not`.
      throw new Error(notLoadedMessage(name));
    };
  }
  expect.extend(placeholders);
}

/**
 * Load the real matchers if this realm has loaded Quiesce and they are not registered yet;
 * resolves whether they are registered now. The setup file runs it before each file's tests.
 */
export async function loadMatchersIfQuiesceLoaded(): Promise<boolean> {
  if (!matchersRegistered() && quiesceLoaded()) await import('./register-matchers.js');
  return matchersRegistered();
}
