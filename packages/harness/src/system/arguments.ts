import { InvalidOptionError, Pid } from '@quiesce/runtime';
import type { OwnedResource } from '../core/resources.js';

/** Checks of the TestSystem methods' arguments: a bad one is the caller's mistake, reported where it is made. */

/** The pid behind what stop, kill and monitor accept: a Pid, or a ref that has one. */
export function pidOf(operation: string, target: unknown): Pid {
  if (target instanceof Pid) return target;
  const pid = typeof target === 'object' && target !== null ? (target as { pid?: unknown }).pid : undefined;
  if (pid instanceof Pid) return pid;
  throw new InvalidOptionError(`${operation}(target)`, target, 'a Pid, a SupervisorRef or a DynamicSupervisorRef');
}

/** What send, call and sync address: a Pid or a registered name. */
export function checkAddress(operation: string, target: unknown): void {
  if (!(target instanceof Pid) && typeof target !== 'string') throw new InvalidOptionError(`${operation}(target)`, target, 'a Pid or a registered name');
}

/** Checked when owned, not at teardown: a resource teardown cannot dispose of is the caller's mistake, reported where it is made. */
export function checkOwnedResource(resource: unknown): void {
  if (typeof resource !== 'object' || resource === null) {
    throw new InvalidOptionError('own(resource)', resource, 'an object { kind, label, dispose(), alive(), external?() }');
  }
  const r = resource as Partial<Record<keyof OwnedResource, unknown>>;
  if (typeof r.kind !== 'string' || r.kind === '') throw new InvalidOptionError('own(resource).kind', r.kind, "a non-empty string, e.g. 'pool'");
  if (typeof r.label !== 'string') throw new InvalidOptionError('own(resource).label', r.label, 'a string naming it in leak reports');
  for (const fn of ['dispose', 'alive'] as const) {
    if (typeof r[fn] !== 'function') throw new InvalidOptionError(`own(resource).${fn}`, r[fn], 'a function');
  }
  if (r.external !== undefined && typeof r.external !== 'function') {
    throw new InvalidOptionError('own(resource).external', r.external, 'a function or undefined');
  }
}
