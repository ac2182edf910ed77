/**
 * The key of the mark a loaded runtime leaves on its realm (`globalThis[RUNTIME_LOADED] === true`).
 * The quiesce() preset reads it before a test file's tests: only a file that loaded Quiesce gets
 * the matchers loaded, so the project's other test files do not pay for them. A `Symbol.for`
 * key, so every copy of the runtime and the assertions package (which must not import the
 * runtime to read it) agree on it.
 * @internal
 */
export const RUNTIME_LOADED: unique symbol = Symbol.for('quiesce.runtime.loaded');

/** Leave the mark (the Runtime's module does, as it loads). */
export function markRealm(): void {
  (globalThis as Record<symbol, unknown>)[RUNTIME_LOADED] = true;
}
