import { InvalidOptionError } from '@quiesce/runtime';
import { removeHandler } from './remove-handler.js';
import { atTestEnd } from './at-test-end.js';
import { RequestExpectationError } from './errors.js';
import { observeHttp } from './observe.js';
import { resolveExpectRequestOptions, type ExpectRequestOptions } from './options.js';
import { assertServer, seen, type MswHandlerInternals, type MswHandlerLike, type MswServerLike, type SeenRequest } from './types.js';

/** A registered expectation: its hits so far, and the check that runs at the end of the test. */
export interface RequestExpectation {
  /** `GET http://api.test/users`: the handler's method and path, as failures name it. */
  readonly description: string;
  /** Requests the handler answered, in order. */
  readonly requests: readonly SeenRequest[];
  readonly times: number;
  /** Throws a RequestExpectationError unless the handler was hit exactly `times` times. Runs at test end on its own. */
  verify(): void;
}

/**
 * Add `handler` to `server` (`server.use`) and expect it to be hit exactly `times` times (default
 * once, Bypass's `expect_once`) by the end of the test: the test fails otherwise, naming the
 * method and URL and the count. With `system`, the check runs at its teardown and the traffic is
 * recorded in its history (`http.request`); else at `onTestFinished`.
 *
 * Counting wraps the handler's resolver (the field msw 2 and 3 both call), so the handler counts
 * only requests it answered, not ones an earlier handler took. When the test ends the handler is
 * removed from the server (and answers nothing from then on), so it cannot answer a later test's
 * request or hide it from that test's `collectUnhandled`.
 *
 * ```ts
 * expectRequest(server, http.post('http://api.test/pods', () => HttpResponse.json({ id: 'pod_1' }, { status: 201 })));
 * await provider.spawn({ gpu: 'h100' });
 * ```
 */
export function expectRequest(server: MswServerLike, handler: MswHandlerLike, options?: ExpectRequestOptions): RequestExpectation {
  assertServer(server, 'expectRequest');
  const h = handler as Partial<MswHandlerInternals> | null;
  if (typeof h !== 'object' || h === null || typeof h.resolver !== 'function' || typeof h.info !== 'object' || h.info === null) {
    throw new InvalidOptionError('expectRequest(handler)', handler, 'an msw request handler (http.get(url, resolver), graphql.query(...))');
  }
  const { times, system, onTestFinished } = resolveExpectRequestOptions(options);
  const description = describeHandler(handler);
  const requests: SeenRequest[] = [];
  const expectation: RequestExpectation = {
    description,
    requests,
    times,
    verify() {
      if (requests.length !== times) throw new RequestExpectationError(description, times, [...requests]);
    },
  };
  // Bound to the test's end before anything changes, so a call outside a test leaves nothing behind.
  // At the end the handler leaves the server, so it can never answer a later test's request.
  let active = true;
  atTestEnd(
    `expectRequest ${description}`,
    { system, onTestFinished },
    () => {
      active = false;
      removeHandler(server, handler);
    },
    () => expectation.verify(),
  );
  if (system) observeHttp(server, system);

  const internals = handler as MswHandlerInternals;
  const original = internals.resolver;
  internals.resolver = (info) => {
    // Should it still be installed (the server's handlers were replaced around it), it answers
    // nothing after its test: returning undefined lets the request fall through.
    if (!active) return undefined;
    requests.push(seen(info.request));
    return original(info);
  };
  server.use(handler as never);
  return expectation;
}

function describeHandler(handler: MswHandlerLike): string {
  const { header, method, path } = handler.info;
  if (typeof header === 'string' && header !== '') return header;
  return `${String(method ?? '?')} ${String(path ?? '?')}`;
}
