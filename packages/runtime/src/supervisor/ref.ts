import { InvalidOptionError } from '../errors.js';
import type { ExitReason } from '../process/exit-reason.js';
import { Pid } from '../process/pid.js';
import type { Runtime } from '../process/runtime.js';
import { stopSupervisorProcess } from './child-ops.js';
import type { ChildSpec, NormalisedFlags, SupervisorSpec } from './spec.js';
import type { CallReply, ChildCounts, ChildInfo, SupCall, SupState } from './state.js';

/** A handle on a running supervisor. Reads are synchronous snapshots; changes go through its mailbox. */
export class SupervisorRef {
  readonly pid: Pid;
  readonly runtime: Runtime;
  readonly label: string;
  readonly #state: SupState;

  /** @internal */
  constructor(runtime: Runtime, pid: Pid, state: SupState) {
    this.runtime = runtime;
    this.pid = pid;
    this.label = state.label;
    this.#state = state;
  }

  get strategy(): NormalisedFlags['strategy'] {
    return this.#state.flags.strategy;
  }

  get flags(): NormalisedFlags {
    return this.#state.flags;
  }

  isAlive(): boolean {
    return this.runtime.isAlive(this.pid);
  }

  /** The pid of child `id` if it is running. */
  child(id: string): Pid | undefined {
    if (typeof id !== 'string') throw childIdError('child', id);
    const pid = this.#state.children.find((c) => c.spec.id === id)?.pid;
    return pid instanceof Pid ? pid : undefined;
  }

  /** A handle on a nested supervisor child. */
  supervisor(id: string): SupervisorRef | undefined {
    const pid = this.child(id);
    return pid ? supervisorRefOf(this.runtime, pid) : undefined;
  }

  /** supervisor:which_children, in start order (OTP lists newest first; we keep the tree's order). */
  whichChildren(): ChildInfo[] {
    if (!this.isAlive()) return [];
    return this.#state.children.map((c) => ({ id: c.spec.id, pid: c.pid, type: c.spec.type, restart: c.spec.restart }));
  }

  countChildren(): ChildCounts {
    const children = this.isAlive() ? this.#state.children : [];
    return {
      specs: children.length,
      active: children.filter((c) => c.pid instanceof Pid && this.runtime.isAlive(c.pid)).length,
      supervisors: children.filter((c) => c.spec.type === 'supervisor').length,
      workers: children.filter((c) => c.spec.type === 'worker').length,
    };
  }

  /** Add and start a child (supervisor:start_child). Resolves to its pid, or undefined if it returned ignore. */
  startChild(spec: ChildSpec | SupervisorSpec): Promise<Pid | undefined> {
    if (typeof spec !== 'object' || spec === null) {
      return Promise.reject(new InvalidOptionError('startChild(spec)', spec, 'a child spec { id, start } or a supervisor spec', 'INVALID_CHILD_SPEC'));
    }
    return this.runtime.call(this.pid, { op: 'start_child', spec } satisfies SupCall, 'infinity').then(unwrapResult<Pid | undefined>);
  }

  /** Stop a child, keeping its spec (supervisor:terminate_child). */
  terminateChild(id: string): Promise<void> {
    if (typeof id !== 'string') return Promise.reject(childIdError('terminateChild', id));
    return this.runtime.call(this.pid, { op: 'terminate_child', id } satisfies SupCall, 'infinity').then(unwrapResult<void>);
  }

  /** Start a stopped child again from its kept spec (supervisor:restart_child). */
  restartChild(id: string): Promise<Pid | undefined> {
    if (typeof id !== 'string') return Promise.reject(childIdError('restartChild', id));
    return this.runtime.call(this.pid, { op: 'restart_child', id } satisfies SupCall, 'infinity').then(unwrapResult<Pid | undefined>);
  }

  /** Remove a stopped child's spec (supervisor:delete_child). */
  deleteChild(id: string): Promise<void> {
    if (typeof id !== 'string') return Promise.reject(childIdError('deleteChild', id));
    return this.runtime.call(this.pid, { op: 'delete_child', id } satisfies SupCall, 'infinity').then(unwrapResult<void>);
  }

  /** Stop the supervisor as its parent would: children right to left, then exit with `reason`. */
  stop(reason: ExitReason = 'shutdown'): Promise<void> {
    return stopSupervisorProcess(this.runtime, this.pid, reason);
  }
}

/** A child id given to a SupervisorRef method must be a string (an unknown one is CHILD_NOT_FOUND). */
function childIdError(operation: string, id: unknown): InvalidOptionError {
  return new InvalidOptionError(`${operation}(id)`, id, 'a child id (a string)');
}

function unwrapResult<T>(reply: unknown): T {
  const r = reply as CallReply<T>;
  if ('error' in r) throw r.error;
  return r.ok;
}

const refs = new WeakMap<Pid, SupervisorRef>();

/** @internal Remember the ref of a supervisor just started. */
export function registerSupervisorRef(ref: SupervisorRef): void {
  refs.set(ref.pid, ref);
}

/** The SupervisorRef of a supervisor pid started by this module, if any. */
export function supervisorRefOf(_runtime: Runtime, pid: Pid): SupervisorRef | undefined {
  return refs.get(pid);
}
