import {
  InvalidOptionError,
  Pid,
  QuiesceError,
  Runtime,
  type ChildSpec,
  type ExitReason,
  type ServerBehaviour,
  type StartReturn,
  type SupervisorRef,
  serialiseReason,
} from '@quiesce/runtime';
import { InjectedFault } from '../errors.js';
import type { ArmedFault } from '../fault.js';
import { FAULT_KINDS } from '../kinds.js';

/** What crash, kill and crash loops do to a process: `kill` is the untrappable signal, anything else a crash with that reason. */
export function crashProcess(runtime: Runtime, pid: Pid, reason: ExitReason): void {
  if (reason === 'kill') runtime.exit(pid, 'kill');
  else runtime.exitSelf(pid, reason);
}

/** A child spec whose start fails (with an error, or `ignore`) when its fault fires. */
export function failingStart(runtime: Runtime, spec: ChildSpec, fault: ArmedFault, mode: 'error' | 'ignore', rate: number, error: unknown): ChildSpec {
  const start = spec.start;
  return {
    ...spec,
    start: (ctx): StartReturn | Promise<StartReturn> => {
      if (ctx.runtime !== runtime) {
        const message = `failStart(${spec.id}): this spec was armed for another system's runtime; chaos only touches what its system starts`;
        return { error: new QuiesceError('NOT_OWNED', message) };
      }
      if (fault.active && (rate >= 1 || fault.random.bool(rate))) {
        fault.fire(FAULT_KINDS.failStart, { child: spec.id, mode }, ctx.path);
        if (mode === 'ignore') return 'ignore';
        return { error: error ?? new InjectedFault('fail_start', fault.id, `chaos: the start of ${ctx.path} failed (${fault.id})`) };
      }
      return start(ctx);
    },
  };
}

/** A server behaviour whose terminate throws (after the original terminate ran) while its fault is active. */
export function throwingTerminate<S, A>(behaviour: ServerBehaviour<S, A>, fault: ArmedFault, error: unknown): ServerBehaviour<S, A> {
  const terminate = behaviour.terminate;
  return {
    ...behaviour,
    terminate: async (reason, state, ctx) => {
      if (terminate) await terminate.call(behaviour, reason, state, ctx);
      if (!fault.active) return;
      fault.fire(FAULT_KINDS.terminateThrow, { reason: serialiseReason(reason) }, ctx.runtime.label(ctx.self));
      throw error ?? new InjectedFault('terminate', fault.id, `chaos: terminate threw (${fault.id})`);
    },
  };
}

/** Every `every` ms of kernel time, crash the child `id`'s current process, `times` times (a timer chain, cleared at heal). */
export function runCrashLoop(runtime: Runtime, sup: SupervisorRef, id: string, fault: ArmedFault, every: number, reason: ExitReason): () => void {
  let timer = runtime.setTimer(every, tick);
  function tick(): void {
    if (!fault.active) return;
    if (!sup.isAlive()) {
      fault.retire();
      return;
    }
    const pid = sup.child(id);
    if (pid instanceof Pid && runtime.isAlive(pid)) {
      fault.fire(FAULT_KINDS.crashLoop, { child: id, pid: pid.toString(), n: fault.fired + 1, reason: serialiseReason(reason) }, runtime.label(pid));
      crashProcess(runtime, pid, reason);
    }
    if (fault.active) timer = runtime.setTimer(every, tick);
  }
  return () => runtime.clearTimer(timer);
}

/** A SupervisorRef of this runtime, and one of its child ids. */
export function checkSupervisorChild(runtime: Runtime, where: string, sup: unknown, id: unknown): SupervisorRef {
  const ref = sup as SupervisorRef;
  const isRef = typeof sup === 'object' && sup !== null && ref.runtime instanceof Runtime;
  if (!isRef || typeof ref.child !== 'function' || typeof ref.whichChildren !== 'function') {
    throw new InvalidOptionError(`${where}(supervisor)`, sup, 'a SupervisorRef (what system.start or startSupervisor returns)');
  }
  if (ref.runtime !== runtime) {
    throw new QuiesceError('NOT_OWNED', `${where}: the supervisor ${ref.label} belongs to another runtime; chaos only touches what the current system started`);
  }
  if (typeof id !== 'string' || !ref.whichChildren().some((c) => c.id === id)) {
    const ids = ref.whichChildren().map((c) => JSON.stringify(c.id));
    throw new InvalidOptionError(`${where}(id)`, id, `the id of a child of ${ref.label} (${ids.join(', ') || 'it has none'})`, 'CHILD_NOT_FOUND');
  }
  return ref;
}

/** A ServerBehaviour: an object with an init function. */
export function checkBehaviour<S, A>(where: string, behaviour: unknown): ServerBehaviour<S, A> {
  const b = behaviour as ServerBehaviour<S, A>;
  if (typeof behaviour !== 'object' || behaviour === null || typeof b.init !== 'function') {
    throw new InvalidOptionError(where, behaviour, 'a server behaviour { init, … }');
  }
  if (b.terminate !== undefined && typeof b.terminate !== 'function') {
    throw new InvalidOptionError(`${where}.terminate`, b.terminate, 'a function or undefined');
  }
  return b;
}
