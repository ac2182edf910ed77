/**
 * The setup file the `quiesce()` plugin adds to every test run: it loads @quiesce/assertions when
 * the project has it, so its matchers register, and does nothing when it is not installed.
 */
const ASSERTIONS = '@quiesce/assertions';

/** A failure to find the assertions package itself (not one of its own imports). */
export function isMissing(error: unknown, specifier: string): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (!message.includes(specifier)) return false;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /cannot find (module|package)|failed to (load|resolve)|does not exist/i.test(message);
}

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
