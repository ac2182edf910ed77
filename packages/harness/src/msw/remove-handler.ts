import type { MswServerLike } from './types.js';

/**
 * Take one handler out of a server's list, keeping every other handler in its place. msw has no
 * "remove" call: `resetHandlers()` goes back to the initial handlers, then the other handlers added
 * at run time (`use`) are put back in front, in their order. The initial handlers are never
 * replaced, so a later `resetHandlers()` by the test still restores them. (msw resets the resolver
 * state of generator resolvers on reset, as any `resetHandlers()` does.)
 */
export function removeHandler(server: MswServerLike, handler: unknown): boolean {
  if (typeof server.listHandlers !== 'function' || typeof server.resetHandlers !== 'function') return false;
  const current = server.listHandlers();
  if (!current.includes(handler)) return false;
  server.resetHandlers();
  const initial = new Set(server.listHandlers());
  const added = current.filter((h) => h !== handler && !initial.has(h));
  if (added.length > 0) server.use(...(added as never[]));
  return true;
}
