import { describe, expect, test } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import { RequestExpectationError, UnhandledRequestError } from '@quiesce/harness';
import { PropertyFailure } from '@quiesce/harness/prop';
import { SweepError } from '@quiesce/assertions';

// Every error Quiesce throws is a QuiesceError with a stable code, so one catch and one switch
// on `code` handle them all: the msw helpers', propTest's and the seed sweeps' included.
describe('every error is a QuiesceError', () => {
  const report = { runs: 0, seeds: [], reached: {} };
  const cases: Array<[string, QuiesceError, string]> = [
    ['RequestExpectationError', new RequestExpectationError('POST /pods', 1, []), 'REQUEST_EXPECTATION'],
    ['UnhandledRequestError', new UnhandledRequestError([]), 'UNHANDLED_REQUEST'],
    [
      'PropertyFailure',
      new PropertyFailure(
        'failed',
        { testName: 't', seed: 1, path: undefined, counterexample: undefined, systemSeed: undefined, numRuns: 1, numShrinks: 0, replay: 'r' },
        new Error('x'),
      ),
      'PROPERTY_FAILED',
    ],
    ['SweepError', new SweepError('swept', { property: 'p', report: report as never }), 'SWEEP_FAILED'],
  ];
  test.each(cases)('%s', (name, error, code) => {
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });
});
