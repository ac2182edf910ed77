import { Pid, type Runtime } from '@quiesce/runtime';

/** Finds the system that owns a runtime, a pid of it, or anything with a `runtime` (a SupervisorRef). */
export interface SystemRegistry<S extends { readonly runtime: Runtime }> {
  register(system: S): void;
  lookup(target: Runtime | Pid | { readonly runtime: Runtime }): S | undefined;
}

/**
 * Which system a runtime (or one of its pids) belongs to, so matchers can go from a
 * SupervisorRef, a bare Pid or an Inbox to the system that drives its waits. Weak: a registered
 * system is collected with its test. Runtimes and their pids carry the runtime's node number,
 * which is unique per worker, so two tests never resolve to the same system; one map by node
 * serves both (a WeakMap by runtime as well cost every test an entry). While its runtime lives
 * the system does too (the runtime keeps the system's root process, whose handler holds it), so
 * a runtime never loses its system. Generic over the system's type, so this module does not
 * import the TestSystem that registers itself here.
 *
 * The node map's entries of collected systems are swept as registrations go (each sweep visits
 * the map once, after it has doubled since the last), not by a FinalizationRegistry: registering
 * every system of a 10,000-test file with one costs more than the sweeps.
 */
export function systemRegistry<S extends { readonly runtime: Runtime }>(): SystemRegistry<S> {
  const byNode = new Map<number, WeakRef<S>>();
  let sweepAt = 64;
  return {
    register(system) {
      byNode.set(system.runtime.node, new WeakRef(system));
      if (byNode.size < sweepAt) return;
      for (const [node, ref] of byNode) if (ref.deref() === undefined) byNode.delete(node);
      sweepAt = Math.max(64, byNode.size * 2);
    },
    lookup(target) {
      if (target instanceof Pid) return byNode.get(target.node)?.deref();
      if (typeof target !== 'object' || target === null) return undefined;
      const runtime = 'runtime' in target && typeof target.runtime === 'object' && target.runtime !== null ? target.runtime : target;
      const system = byNode.get((runtime as Runtime).node)?.deref();
      return system?.runtime === runtime ? system : undefined;
    },
  };
}
