import { InvalidOptionError } from '@quiesce/runtime';
import { checkKnownKeys } from '@quiesce/runtime/internal';
import type { TestSystem } from '../system/test-system.js';
import type { TestEndBinding } from './at-test-end.js';
import type { SeenRequest } from './types.js';

/** Options of `expectRequest`. */
export interface ExpectRequestOptions extends TestEndBinding {
  /** How many times the handler must be hit by the end of the test. Default 1 (Bypass's expect_once). */
  times?: number;
}

/** Options of `collectUnhandled`. */
export interface CollectUnhandledOptions extends TestEndBinding {
  /**
   * Requests that may go to the network unhandled: traffic to the real servers the test started
   * itself (a worker on 127.0.0.1, say) beside the APIs it mocks. Still recorded in the history.
   */
  ignore?: (request: SeenRequest) => boolean;
}

/** Options of `useHandlers`. */
export type UseHandlersOptions = TestEndBinding;

function validateBinding(o: Record<string, unknown>, where: string): TestEndBinding {
  const { system, onTestFinished } = o;
  if (system !== undefined && (typeof system !== 'object' || system === null || typeof (system as Partial<TestSystem>).own !== 'function')) {
    throw new InvalidOptionError(`${where}.system`, system, 'a TestSystem');
  }
  if (onTestFinished !== undefined && typeof onTestFinished !== 'function') {
    throw new InvalidOptionError(`${where}.onTestFinished`, onTestFinished, "the test context's onTestFinished function");
  }
  if (system !== undefined && onTestFinished !== undefined) {
    throw new InvalidOptionError(`${where}.onTestFinished`, onTestFinished, 'nothing when `system` is given (the system verifies at its teardown)');
  }
  return { system: system as TestSystem | undefined, onTestFinished: onTestFinished as TestEndBinding['onTestFinished'] };
}

function asOptions(options: unknown, where: string, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new InvalidOptionError(where, options, `an object { ${known.join(', ')} }`);
  const o = options as Record<string, unknown>;
  checkKnownKeys(where, o, known);
  return o;
}

/** Validate `expectRequest`'s options; throws InvalidOptionError naming the option. */
export function resolveExpectRequestOptions(options: unknown): Required<Pick<ExpectRequestOptions, 'times'>> & TestEndBinding {
  const o = asOptions(options, 'expectRequest options', ['times', 'system', 'onTestFinished']);
  const { times = 1 } = o;
  if (!(typeof times === 'number' && Number.isInteger(times) && times >= 0))
    throw new InvalidOptionError('expectRequest options.times', times, 'an integer >= 0');
  return { times, ...validateBinding(o, 'expectRequest options') };
}

/** Validate `collectUnhandled`'s options; throws InvalidOptionError naming the option. */
export function resolveCollectUnhandledOptions(options: unknown): CollectUnhandledOptions {
  const o = asOptions(options, 'collectUnhandled options', ['system', 'onTestFinished', 'ignore']);
  const { ignore } = o;
  if (ignore !== undefined && typeof ignore !== 'function')
    throw new InvalidOptionError('collectUnhandled options.ignore', ignore, 'a function (request: { method, url, headers }) => boolean');
  return { ...validateBinding(o, 'collectUnhandled options'), ignore: ignore as CollectUnhandledOptions['ignore'] };
}

/** Validate `useHandlers`'s options; throws InvalidOptionError naming the option. */
export function resolveUseHandlersOptions(options: unknown): TestEndBinding {
  return validateBinding(asOptions(options, 'useHandlers options', ['system', 'onTestFinished']), 'useHandlers options');
}
