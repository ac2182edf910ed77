import { InvalidOptionError } from '@quiesce/runtime';
import { atTestEnd } from './at-test-end.js';
import { observeHttp } from './observe.js';
import { resolveUseHandlersOptions, type UseHandlersOptions } from './options.js';
import { removeHandler } from './remove-handler.js';
import { assertServer, type MswHandlerLike, type MswServerLike } from './types.js';

/**
 * Add `handlers` to `server` for this test only (`server.use`), and take exactly those out of it
 * when the test ends (at the system's teardown, or `onTestFinished`), keeping every other handler
 * in its place: a stateful fake API installed per test cannot answer a later test's request, and
 * the test needs no `afterEach(() => server.resetHandlers())` that would also drop another
 * concurrent test's handlers. With `system`, the traffic is recorded in its history.
 *
 * ```ts
 * useHandlers(server, [http.get('http://api.test/pods/:id', () => HttpResponse.json({ id: 'p1' }))], { system });
 * ```
 */
export function useHandlers(server: MswServerLike, handlers: readonly MswHandlerLike[], options?: UseHandlersOptions): readonly MswHandlerLike[] {
  assertServer(server, 'useHandlers');
  if (!Array.isArray(handlers) || handlers.length === 0) {
    throw new InvalidOptionError('useHandlers(handlers)', handlers, 'a non-empty array of msw request handlers');
  }
  handlers.forEach((handler, i) => {
    const h = handler as { resolver?: unknown; info?: unknown } | null;
    if (typeof h !== 'object' || h === null || typeof h.resolver !== 'function' || typeof h.info !== 'object') {
      throw new InvalidOptionError(`useHandlers(handlers)[${i}]`, handler, 'an msw request handler (http.get(url, resolver), graphql.query(...))');
    }
  });
  const { system, onTestFinished } = resolveUseHandlersOptions(options);
  const installed = [...handlers];
  atTestEnd(
    'useHandlers',
    { system, onTestFinished },
    () => {
      for (const handler of installed) removeHandler(server, handler);
    },
    () => undefined,
  );
  if (system) observeHttp(server, system);
  server.use(...(installed as never[]));
  return installed;
}
