import { atTestEnd } from './at-test-end.js';
import { UnhandledRequestError } from './errors.js';
import { observeHttp } from './observe.js';
import { resolveCollectUnhandledOptions, type CollectUnhandledOptions } from './options.js';
import { assertServer, onLifecycle, seen, type MswServerLike, type SeenRequest } from './types.js';

/** Collects requests no handler answered; fails the test at its end if there are any. */
export interface UnhandledCollector {
  /** Unhandled requests so far, in order. */
  readonly requests: readonly SeenRequest[];
  /** Throws an UnhandledRequestError naming every unhandled request. Runs at test end on its own. */
  verify(): void;
}

/**
 * Fail the test if any request reaches `server` without a matching handler, naming each one
 * (method and URL). Works with any `onUnhandledRequest` strategy (msw's `'error'` already fails
 * the request itself; with `'warn'` or `'bypass'` this is what makes the test fail). With
 * `system`, the check runs at its teardown and the traffic is recorded in its history.
 *
 * The server's events are shared: in `test.concurrent`, requests of concurrent tests count too.
 */
export function collectUnhandled(server: MswServerLike, options?: CollectUnhandledOptions): UnhandledCollector {
  assertServer(server, 'collectUnhandled');
  const { system, onTestFinished } = resolveCollectUnhandledOptions(options);
  const requests: SeenRequest[] = [];
  const collector: UnhandledCollector = {
    requests,
    verify() {
      if (requests.length > 0) throw new UnhandledRequestError([...requests]);
    },
  };
  let stop = (): void => undefined;
  atTestEnd(
    'collectUnhandled',
    { system, onTestFinished },
    () => stop(),
    () => collector.verify(),
  );
  if (system) observeHttp(server, system);
  stop = onLifecycle(server, { 'request:unhandled': ({ request }) => void requests.push(seen(request)) });
  return collector;
}
