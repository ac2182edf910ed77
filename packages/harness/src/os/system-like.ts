import type { History } from '@quiesce/runtime';
import type { EventRecorder } from '../events.js';
import type { OwnedResource } from '../system/resources.js';
import type { DriveTarget } from '../waits/driver.js';

/**
 * What the OS-process tracking and the probes need from a TestSystem: its driver interface, its
 * history, and ownership. Declared here so these modules do not import the TestSystem class.
 */
export interface SystemLike extends DriveTarget, EventRecorder {
  readonly history: History;
  readonly defaultTimeout: number;
  readonly tornDown: boolean;
  own<R extends OwnedResource>(resource: R, createdAt?: string): R;
}

/** Both signals, as one that aborts when either does. */
export function eitherSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  return AbortSignal.any([a, b]);
}
