import { realImmediate } from './real-time.js';

/**
 * Resolves after the current macrotask: every microtask queued before it has run by then. The
 * kernel uses it to tell "quiet for now" from "durably idle" (docs/architecture.md, determinism
 * rule 2). It goes through the native setImmediate captured at load, so a test's fake timers
 * cannot stall the kernel's idleness check.
 * @internal
 */
export function nextMacrotask(): Promise<void> {
  return new Promise<void>((resolve) => realImmediate(resolve));
}
