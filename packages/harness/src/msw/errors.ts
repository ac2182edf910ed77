import type { SeenRequest } from './types.js';

/** An expected request that was made a different number of times than expected. */
export class RequestExpectationError extends Error {
  readonly expected: number;
  readonly requests: readonly SeenRequest[];
  constructor(description: string, expected: number, requests: readonly SeenRequest[]) {
    super(
      `expected ${description} to be requested ${expected} time(s), but it was requested ${requests.length} time(s)` +
        (requests.length > 0 ? `:\n${requests.map((r) => `  - ${r.method} ${r.url}`).join('\n')}` : ''),
    );
    this.name = 'RequestExpectationError';
    this.expected = expected;
    this.requests = requests;
  }
}

/** Requests that no msw handler answered. */
export class UnhandledRequestError extends Error {
  readonly requests: readonly SeenRequest[];
  constructor(requests: readonly SeenRequest[]) {
    super(`${requests.length} request(s) had no msw handler:\n${requests.map((r) => `  - ${r.method} ${r.url}`).join('\n')}`);
    this.name = 'UnhandledRequestError';
    this.requests = requests;
  }
}
