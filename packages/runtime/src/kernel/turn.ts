/**
 * Resolves after the current macrotask: every microtask queued before it has run by then. The
 * kernel uses it to tell "quiet for now" from "durably idle" (docs/architecture.md, determinism rule 2).
 */
// Captured at load: a test's fake timers must not stall the kernel's idleness check.
const nativeSetImmediate = globalThis.setImmediate;

/** @internal */
export function nextMacrotask(): Promise<void> {
  return new Promise<void>((resolve) => nativeSetImmediate(resolve));
}
