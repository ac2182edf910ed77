/** A failure to find package `specifier` itself (not one of its own imports). */
export function isMissing(error: unknown, specifier: string): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (!message.includes(specifier)) return false;
  return (
    code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /cannot find (module|package)|failed to (load|resolve)|does not exist/i.test(message)
  );
}
