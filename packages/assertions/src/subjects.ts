import { DynamicSupervisorRef, History, InvalidOptionError, isKind, Pid, Runtime, SupervisorRef, type HistoryEvent } from '@quiesce/runtime';
import { supervisorRefOf } from '@quiesce/runtime/internal';
import { Inbox, TestSystem, systemOf } from '@quiesce/harness';

/**
 * What a matcher was handed, resolved to what it needs. A wrong subject is bad input to a public
 * API: it throws InvalidOptionError naming the matcher, the value and what is accepted.
 */

/** A process and the runtime (and, when there is one, the TestSystem) it lives in. */
export interface ProcessView {
  readonly pid: Pid;
  readonly runtime: Runtime;
  readonly system: TestSystem | undefined;
  readonly label: string;
}

/** A supervisor: its ref, its runtime, its system, and the history label its events carry. */
export interface SupervisorView extends ProcessView {
  readonly ref: SupervisorRef | DynamicSupervisorRef;
}

/** An explicit process subject, for pids whose runtime no TestSystem owns. */
export type ProcessSubject = { readonly pid: Pid; readonly system: TestSystem } | { readonly pid: Pid; readonly runtime: Runtime };

/** Anything a history can be read from. */
export type HistorySubject = History | TestSystem | Runtime | SupervisorRef | DynamicSupervisorRef | { readonly history: History };

const PROCESS_SUBJECTS = "a SupervisorRef, a DynamicSupervisorRef, a Pid of a TestSystem's runtime, or { system, pid } / { runtime, pid }";

function invalidSubject(matcher: string, received: unknown, accepted: string): InvalidOptionError {
  return new InvalidOptionError(`expect(received).${matcher}(): received`, received, accepted);
}

function isRef(value: unknown): value is SupervisorRef | DynamicSupervisorRef {
  return value instanceof SupervisorRef || value instanceof DynamicSupervisorRef;
}

function explicitRuntime(value: object): { runtime: Runtime; system: TestSystem | undefined } | undefined {
  const { system, runtime } = value as { system?: unknown; runtime?: unknown };
  if (system instanceof TestSystem) return { runtime: system.runtime, system };
  if (runtime instanceof Runtime) return { runtime, system: systemOf(runtime) };
  return undefined;
}

export function processSubject(received: unknown, matcher: string): ProcessView {
  if (isRef(received)) return { pid: received.pid, runtime: received.runtime, system: systemOf(received.runtime), label: received.label };
  if (received instanceof Pid) {
    const system = systemOf(received);
    if (!system) throw invalidSubject(matcher, received, `${PROCESS_SUBJECTS} (this pid's runtime belongs to no TestSystem: pass { runtime, pid })`);
    return { pid: received, runtime: system.runtime, system, label: system.runtime.label(received) };
  }
  if (typeof received === 'object' && received !== null && (received as { pid?: unknown }).pid instanceof Pid) {
    const where = explicitRuntime(received);
    const pid = (received as { pid: Pid }).pid;
    if (where) return { pid, ...where, label: where.runtime.label(pid) };
  }
  throw invalidSubject(matcher, received, PROCESS_SUBJECTS);
}

export function supervisorSubject(received: unknown, matcher: string): SupervisorView {
  if (isRef(received)) return { ref: received, pid: received.pid, runtime: received.runtime, system: systemOf(received.runtime), label: received.label };
  const accepted = 'a SupervisorRef or DynamicSupervisorRef (or the Pid of a supervisor, bare or as { system, pid })';
  // A supervisor's pid leads to its ref, so `expect(pool.child('sub'))` works for nested supervisors.
  const view = received instanceof Pid || (typeof received === 'object' && received !== null && 'pid' in received) ? tryProcess(received, matcher) : undefined;
  const ref = view ? supervisorRefOf(view.runtime, view.pid) : undefined;
  if (view && ref) return { ...view, ref, label: ref.label };
  throw invalidSubject(matcher, received, accepted);
}

function tryProcess(received: unknown, matcher: string): ProcessView | undefined {
  try {
    return processSubject(received, matcher);
  } catch {
    return undefined;
  }
}

export function historySubject(received: unknown, matcher: string): History {
  if (received instanceof History) return received;
  if (received instanceof TestSystem || received instanceof Runtime) return received.history;
  if (isRef(received)) return received.runtime.history;
  if (typeof received === 'object' && received !== null && (received as { history?: unknown }).history instanceof History)
    return (received as { history: History }).history;
  throw invalidSubject(matcher, received, 'a History, a TestSystem, a Runtime, a SupervisorRef or { history }');
}

export function inboxSubject(received: unknown, matcher: string): { inbox: Inbox; system: TestSystem } {
  if (received instanceof Inbox) {
    const system = systemOf(received.pid);
    if (system) return { inbox: received, system };
  }
  throw invalidSubject(matcher, received, "a TestSystem's Inbox (the `inbox` fixture or system.inbox)");
}

export function systemSubject(received: unknown, matcher: string): TestSystem {
  if (received instanceof TestSystem) return received;
  throw invalidSubject(matcher, received, 'a TestSystem (the `system` fixture or createTestSystem())');
}

/**
 * The events of one incarnation of a supervisor: from its process.spawn to its process.exit,
 * recorded under its label. (Two supervisors alive at once under one label would mix: give
 * supervisors distinct ids.)
 */
export function incarnationEvents(view: ProcessView): HistoryEvent[] {
  const key = view.pid.toString();
  const events = view.runtime.history.events;
  let from = 0;
  let to = events.length;
  for (const e of events) {
    if (isKind(e, 'process.spawn') && e.data.pid === key) from = e.seq;
    if (isKind(e, 'process.exit') && e.data.pid === key) to = e.seq + 1;
  }
  return events.slice(from, to).filter((e) => e.source === view.label);
}
