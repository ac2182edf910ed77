import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection on demand, where the runtime allows one: `globalThis.gc` when Node
 * runs with --expose-gc (the quiesce() preset's `exposeGc` sets it for a suite), else the same
 * function obtained by turning the flag on at run time (V8 honours it for new contexts).
 */

export type GcSource = 'expose-gc' | 'v8-flag' | 'unavailable';

let cached: { gc: (() => void) | undefined; source: GcSource } | undefined;

/** The forcing function and where it came from; looked up once per worker. */
export function gcFunction(): { gc: (() => void) | undefined; source: GcSource } {
  if (cached) return cached;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return (cached = { gc: exposed as () => void, source: 'expose-gc' });
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') return (cached = { gc: gc as () => void, source: 'v8-flag' });
  } catch {
    // Not allowed here (a locked-down runtime): measurements go on without forced collections.
  }
  return (cached = { gc: undefined, source: 'unavailable' });
}

/** Collect garbage fully (twice: objects freed by the first collection's finalisers go in the second). */
export function forceGc(): GcSource {
  const { gc, source } = gcFunction();
  if (gc) {
    gc();
    gc();
  }
  return source;
}
