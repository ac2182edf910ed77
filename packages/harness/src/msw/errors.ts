import { QuiesceError } from '@quiesce/runtime';
import type { SeenRequest } from './types.js';

/** An expected request that was made a different number of times than expected. */
export class RequestExpectationError extends QuiesceError {
  readonly expected: number;
  readonly requests: readonly SeenRequest[];
  constructor(description: string, expected: number, requests: readonly SeenRequest[]) {
    super(
      'REQUEST_EXPECTATION',
      `expected ${description} to be requested ${expected} time(s), but it was requested ${requests.length} time(s)` +
        (requests.length > 0 ? `:\n${requests.map((r) => `  - ${r.method} ${r.url}`).join('\n')}` : ''),
      { description, expected, count: requests.length },
    );
    this.expected = expected;
    this.requests = requests;
  }
}

/** Requests that no msw handler answered. */
export class UnhandledRequestError extends QuiesceError {
  readonly requests: readonly SeenRequest[];
  constructor(requests: readonly SeenRequest[]) {
    super('UNHANDLED_REQUEST', `${requests.length} request(s) had no msw handler:\n${requests.map((r) => `  - ${r.method} ${r.url}`).join('\n')}`, {
      count: requests.length,
    });
    this.requests = requests;
  }
}
