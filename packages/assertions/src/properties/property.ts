import type { History, HistoryEvent } from '@quiesce/runtime';
import { historySubject, type HistorySubject } from '../subjects.js';

/** A property's verdict on one history: a failure carries a minimal witness and says what is wrong. */
export type PropertyResult = { readonly ok: true } | { readonly ok: false; readonly witness: readonly HistoryEvent[]; readonly message: string };

/**
 * A property over a whole history. It is a predicate too (`property(history)` is `check(...).ok`),
 * so it fits Vitest's `toSatisfy` signature: `expect(system.history).toSatisfy(atMostRestarts(3).within('5s'))`.
 * Quiesce's `toSatisfy` prints the description, the message and the witness when it fails.
 */
export interface HistoryProperty {
  (subject: HistorySubject): boolean;
  /** What the property states, e.g. `at most 3 restarts within 5s`. */
  readonly description: string;
  /** Judge a history (or anything with one: a TestSystem, a Runtime, a SupervisorRef). */
  check(subject: HistorySubject): PropertyResult;
}

const PROPERTY = Symbol.for('quiesce.history-property');

/** Build a property from a description and a check over the History; `extra` adds builder methods. */
export function historyProperty<X extends object = object>(description: string, check: (history: History) => PropertyResult, extra?: X): HistoryProperty & X {
  const run = (subject: HistorySubject): PropertyResult => check(historySubject(subject, 'toSatisfy'));
  const predicate = (subject: HistorySubject): boolean => run(subject).ok;
  Object.defineProperty(predicate, 'name', { value: description });
  return Object.assign(predicate, extra ?? {}, { description, check: run, [PROPERTY]: true }) as unknown as HistoryProperty & X;
}

export function isHistoryProperty(value: unknown): value is HistoryProperty {
  return typeof value === 'function' && (value as { [PROPERTY]?: unknown })[PROPERTY] === true;
}

export const OK: PropertyResult = Object.freeze({ ok: true });

export function violated(witness: readonly HistoryEvent[], message: string): PropertyResult {
  return { ok: false, witness, message };
}
