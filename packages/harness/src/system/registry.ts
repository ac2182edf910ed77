import { Pid, type Runtime } from '@quiesce/runtime';

/** Finds the system that owns a runtime, a pid of it, or anything with a `runtime` (a SupervisorRef). */
export interface SystemRegistry<S extends { readonly runtime: Runtime }> {
  register(system: S): void;
  /** The system was torn down: its pids no longer lead to it (its runtime and refs still do). */
  retire(system: S): void;
  lookup(target: Runtime | Pid | { readonly runtime: Runtime }): S | undefined;
}

/**
 * Which system a runtime (or one of its pids) belongs to, so matchers can go from a
 * SupervisorRef, a bare Pid or an Inbox to the system that drives its waits. Generic over the
 * system's type, so this module does not import the TestSystem that registers itself here.
 *
 * Nothing here is weak, on purpose: V8 collects the target of a WeakRef (or a WeakMap entry) only
 * in a full collection, so every system of a 10,000-test file registered that way outlived the
 * young generation and was promoted — most of a short test's cost was that garbage collection. A
 * runtime holds its system itself (a property of its own, a cycle that dies with both); a pid leads
 * to its system through the map of live systems by node (pids carry their runtime's node, unique
 * per worker), which a system leaves at teardown.
 */
export function systemRegistry<S extends { readonly runtime: Runtime }>(): SystemRegistry<S> {
  const owner = Symbol('quiesce.system');
  const live = new Map<number, S>();
  const ownerOf = (runtime: Runtime): S | undefined => (runtime as unknown as Record<symbol, S | undefined>)[owner];
  return {
    register(system) {
      (system.runtime as unknown as Record<symbol, S>)[owner] = system;
      live.set(system.runtime.node, system);
    },
    retire(system) {
      if (live.get(system.runtime.node) === system) live.delete(system.runtime.node);
    },
    lookup(target) {
      if (target instanceof Pid) return live.get(target.node);
      if (typeof target !== 'object' || target === null) return undefined;
      const runtime = 'runtime' in target && typeof target.runtime === 'object' && target.runtime !== null ? target.runtime : target;
      return typeof runtime === 'object' && runtime !== null ? ownerOf(runtime as Runtime) : undefined;
    },
  };
}
