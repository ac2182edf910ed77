import type { QuiesceError } from '../errors.js';
import type { Pid } from '../process/pid.js';
import type { RestartIntensity } from './intensity.js';
import type { ChildSpec, NormalisedChildSpec, NormalisedFlags, SupervisorSpec } from './spec.js';

/**
 * A supervisor's state, shared by its behaviour (which changes it, in its own process) and its
 * SupervisorRef (which reads it synchronously).
 */

/** A running child's pid, `restarting` while a failed restart waits to be retried, or undefined when not running. */
export type ChildPid = Pid | 'restarting' | undefined;

export interface ChildInfo {
  readonly id: string;
  readonly pid: ChildPid;
  readonly type: NormalisedChildSpec['type'];
  readonly restart: NormalisedChildSpec['restart'];
}

export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

export interface ChildState {
  spec: NormalisedChildSpec;
  pid: ChildPid;
  /** `<supervisor label>/<child id>`: the label of what it starts, made once, not on every restart. */
  readonly path: string;
}

/** A child's state before its first start. */
export function childState(supervisorLabel: string, spec: NormalisedChildSpec): ChildState {
  return { spec, pid: undefined, path: `${supervisorLabel}/${spec.id}` };
}

/** The supervisor's state; read synchronously through its SupervisorRef. */
export interface SupState {
  readonly label: string;
  readonly flags: NormalisedFlags;
  /** Left to right, in start order. */
  children: ChildState[];
  readonly intensity: RestartIntensity;
}

export type SupCall =
  | { op: 'start_child'; spec: ChildSpec | SupervisorSpec }
  | { op: 'terminate_child'; id: string }
  | { op: 'restart_child'; id: string }
  | { op: 'delete_child'; id: string };

/** What a supervisor answers a SupCall with. */
export type CallReply<T> = { ok: T } | { error: QuiesceError };
