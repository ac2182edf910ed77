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
 * (method and URL). Works with any strategy for unhandled requests (msw 2's `onUnhandledRequest`,
 * msw 3's `onUnhandledFrame`: `'error'` already fails the request itself; with `'warn'` or
 * `'bypass'` this is what makes the test fail). With `system`, the check runs at its teardown and
 * the traffic is recorded in its history. `ignore` lets requests through that are meant to reach
 * the network (the test's own servers on 127.0.0.1); one it throws for counts as unhandled.
 *
 * The server's events are shared: in `test.concurrent`, requests of concurrent tests count too.
 */
export function collectUnhandled(server: MswServerLike, options?: CollectUnhandledOptions): UnhandledCollector {
  assertServer(server, 'collectUnhandled');
  const { system, onTestFinished, ignore } = resolveCollectUnhandledOptions(options);
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
  stop = onLifecycle(server, {
    'request:unhandled': ({ request }) => {
      const unhandled = seen(request);
      if (!ignored(ignore, unhandled)) requests.push(unhandled);
    },
  });
  return collector;
}

/** Whether `ignore` lets `request` through; a predicate that throws lets nothing through (the test then names the request). */
function ignored(ignore: ((request: SeenRequest) => boolean) | undefined, request: SeenRequest): boolean {
  if (!ignore) return false;
  try {
    return ignore(request) === true;
  } catch {
    return false;
  }
}
