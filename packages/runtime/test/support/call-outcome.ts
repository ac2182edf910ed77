/**
 * Helpers for the fuzz tests that call every public method of an object with bad arguments
 * (this package's api-fuzz.test.ts and the harness's system-api.fuzz.test.ts).
 */
import { QuiesceError } from '@quiesce/runtime';

/** The message of the error a fuzzed callback throws: its own failure, not the API's. */
export const FUZZED_ERROR = 'thrown by a fuzzed callback';

/** Values a caller passes by mistake: edges of numbers, nothing, empty things, callbacks (one that throws). */
export const MISTAKES: readonly unknown[] = [
  '',
  'normal',
  'kill',
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 40,
  null,
  undefined,
  {},
  [],
  () => undefined,
  () => {
    throw new Error(FUZZED_ERROR);
  },
  Promise.resolve(1),
  Symbol('s'),
];

export type Settled = { ok: true } | { ok: false; error: unknown };

/** Call `method` on `target` with `args`; `outcome` is filled in if and when the result settles. */
export function invoke(target: object, method: string, args: unknown[]): { outcome: Settled | undefined } {
  const holder: { outcome: Settled | undefined } = { outcome: undefined };
  try {
    const result = (target as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
    if (result instanceof Promise) {
      result.then(
        () => (holder.outcome = { ok: true }),
        (error: unknown) => (holder.outcome = { ok: false, error }),
      );
    } else holder.outcome = { ok: true };
  } catch (error) {
    holder.outcome = { ok: false, error };
  }
  return holder;
}

function isFuzzedCallbackError(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e.message === FUZZED_ERROR) return true;
  return false;
}

/** Nothing settled, success, the fuzzed callback's own error, or a QuiesceError; anything else fails. */
export function expectQuiesceOrOk(where: string, settled: Settled | undefined): void {
  if (settled === undefined || settled.ok || isFuzzedCallbackError(settled.error)) return;
  if (!(settled.error instanceof QuiesceError)) throw new Error(`${where} threw ${String(settled.error)}, not a QuiesceError`, { cause: settled.error });
}

/** The public methods of a class, from its prototype (getters and the constructor left out). */
export function methodsOf(proto: object, skip: readonly string[] = []): string[] {
  return Object.getOwnPropertyNames(proto).filter(
    (name) => name !== 'constructor' && !skip.includes(name) && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function',
  );
}
