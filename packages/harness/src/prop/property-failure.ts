import { QuiesceError } from '@quiesce/runtime';

/** What a failed property found, for reporters and for replay. */
export interface PropertyFailureDetails {
  /** The test's name. */
  readonly testName: string;
  /** The fast-check seed of the run that failed. */
  readonly seed: number;
  /** The path of the (shrunk) counterexample; replays it directly with the seed. */
  readonly path: string | undefined;
  /** The counterexample's values, as the property received them. */
  readonly counterexample: readonly unknown[] | undefined;
  /** The seed of the failing run's TestSystem. */
  readonly systemSeed: number | undefined;
  /** Runs until the failure, and shrink steps after it. */
  readonly numRuns: number;
  readonly numShrinks: number;
  /** The command that replays the counterexample. */
  readonly replay: string;
}

/**
 * A property that failed: the message gives the counterexample, the seed, the path and the
 * one-line replay command; `cause` is the error the property threw.
 */
export class PropertyFailure extends QuiesceError implements PropertyFailureDetails {
  readonly testName: string;
  readonly seed: number;
  readonly path: string | undefined;
  readonly counterexample: readonly unknown[] | undefined;
  readonly systemSeed: number | undefined;
  readonly numRuns: number;
  readonly numShrinks: number;
  readonly replay: string;

  constructor(message: string, details: PropertyFailureDetails, cause: unknown) {
    super('PROPERTY_FAILED', message, { testName: details.testName, seed: details.seed, replay: details.replay });
    (this as { cause?: unknown }).cause = cause;
    this.testName = details.testName;
    this.seed = details.seed;
    this.path = details.path;
    this.counterexample = details.counterexample;
    this.systemSeed = details.systemSeed;
    this.numRuns = details.numRuns;
    this.numShrinks = details.numShrinks;
    this.replay = details.replay;
  }
}
