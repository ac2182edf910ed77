import type { History, Runtime } from '@quiesce/runtime';
import type { EventRecorder } from './events.js';
import type { OwnedResource } from './resources.js';

/**
 * What a wait needs to drive a system: its runtime, and how to hear that the test was
 * interrupted.
 */
export interface DriveTarget {
  readonly runtime: Runtime;
  /**
   * Call `listener` once if the test is aborted or a linked process exits (at once if that already
   * happened); returns the function that removes it. A wait listens only while it is pending, so
   * nothing of it is kept alive by a system that outlives thousands of waits. With `hearAbort`
   * false the test's signal is not listened to for it (a wait that ends within the macrotask it
   * began in cannot be aborted meanwhile: an abort comes from a timer); true by default.
   */
  onInterrupt(listener: (error: unknown) => void, hearAbort?: boolean): () => void;
  /** Milliseconds a wait on it may take when it names no timeout (5000 if absent). */
  readonly defaultTimeout?: number;
}

/**
 * The system that owns things: what every room of the harness (OS processes, ports, probes,
 * observers, msw helpers, waits) needs from a TestSystem. Declared on the ground floor so that
 * none of them imports the TestSystem class; the TestSystem implements it.
 */
export interface SystemHost extends DriveTarget, EventRecorder {
  readonly history: History;
  /** Default timeout of its waits, in ms. */
  readonly defaultTimeout: number;
  /** Real ms without an event after which negatives decide while external actors are live. */
  readonly quietPeriod: number;
  readonly tornDown: boolean;
  own<R extends OwnedResource>(resource: R, createdAt?: string): R;
}

/** Both signals, as one that aborts when either does. */
export function eitherSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  return AbortSignal.any([a, b]);
}
