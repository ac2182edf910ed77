/**
 * Resolves after the current macrotask: every microtask queued before it has run by then. The
 * kernel uses it to tell "quiet for now" from "durably idle" (docs/architecture.md, determinism rule 2).
 */
export function nextMacrotask(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
