/** A value now, or a promise of it: what a step that finishes at once when it can returns. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is a promise (a thenable) rather than a value to use at once. */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** `next(value)` once `value` is there: at once for a plain value, after it settles for a promise. */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise(value) ? value.then(next) : next(value);
}
