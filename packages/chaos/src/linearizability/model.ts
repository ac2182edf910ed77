import { InvalidOptionError } from '@quiesce/runtime';
import { isDeepStrictEqual } from 'node:util';

/**
 * The sequential specification a concurrent history is checked against: a plain reducer from a
 * state and an operation's input to the next state and the output a correct object gives.
 * Deterministic: one state and one input have one answer.
 */
export interface SequentialModel<S, I, O> {
  /** The state before any operation. */
  readonly init: S;
  /** What `input` does to `state`: the next state and the output it returns. Must not mutate `state`. */
  step(state: S, input: I): { readonly state: S; readonly output: O };
  /** Whether an observed output is the one the model gives. Default: deep equality. */
  equal?(observed: O, expected: O): boolean;
  /** A string that is equal for equal states (the checker's memo key). Default: JSON.stringify. */
  key?(state: S): string;
  /** How an operation is printed in a timeline. Default: its input as JSON. */
  describe?(input: I): string;
}

/** The model's functions with defaults filled in. */
export interface ResolvedModel<S, I, O> {
  readonly init: S;
  readonly step: (state: S, input: I) => { readonly state: S; readonly output: O };
  readonly equal: (observed: O, expected: O) => boolean;
  readonly key: (state: S) => string;
  readonly describe: (input: I) => string;
}

export function resolveModel<S, I, O>(where: string, model: unknown): ResolvedModel<S, I, O> {
  const m = model as Partial<SequentialModel<S, I, O>> | null;
  if (typeof m !== 'object' || m === null || !('init' in m) || typeof m.step !== 'function') {
    throw new InvalidOptionError(where, model, 'a sequential model { init, step(state, input) => { state, output }, equal?, key?, describe? }');
  }
  for (const name of ['equal', 'key', 'describe'] as const) {
    if (m[name] !== undefined && typeof m[name] !== 'function') throw new InvalidOptionError(`${where}.${name}`, m[name], 'a function');
  }
  return {
    init: m.init as S,
    step: m.step.bind(m),
    equal: m.equal ? m.equal.bind(m) : (a, b) => isDeepStrictEqual(a, b),
    key: m.key ? m.key.bind(m) : (s) => JSON.stringify(s) ?? 'undefined',
    describe: m.describe ? m.describe.bind(m) : (i) => JSON.stringify(i) ?? String(i),
  };
}
