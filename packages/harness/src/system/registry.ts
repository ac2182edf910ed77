import { Pid, type Runtime } from '@quiesce/runtime';

/** Finds the system that owns a runtime, a pid of it, or anything with a `runtime` (a SupervisorRef). */
export interface SystemRegistry<S extends { readonly runtime: Runtime }> {
  register(system: S): void;
  lookup(target: Runtime | Pid | { readonly runtime: Runtime }): S | undefined;
}

/**
 * Which system a runtime (or one of its pids) belongs to, so matchers can go from a
 * SupervisorRef, a bare Pid or an Inbox to the system that drives its waits. Weak on both sides:
 * a registered system is collected with its test. Pids carry their runtime's node number, which
 * is unique per worker, so two tests' pids never resolve to the same system. Generic over the
 * system's type, so this module does not import the TestSystem that registers itself here.
 */
export function systemRegistry<S extends { readonly runtime: Runtime }>(): SystemRegistry<S> {
  const byRuntime = new WeakMap<Runtime, S>();
  const byNode = new Map<number, WeakRef<S>>();
  const forget = new FinalizationRegistry<number>((node) => {
    if (byNode.get(node)?.deref() === undefined) byNode.delete(node);
  });
  return {
    register(system) {
      byRuntime.set(system.runtime, system);
      byNode.set(system.runtime.node, new WeakRef(system));
      forget.register(system, system.runtime.node);
    },
    lookup(target) {
      if (target instanceof Pid) return byNode.get(target.node)?.deref();
      if (typeof target !== 'object' || target === null) return undefined;
      if ('runtime' in target && typeof target.runtime === 'object' && target.runtime !== null) return byRuntime.get(target.runtime);
      return byRuntime.get(target as Runtime);
    },
  };
}
