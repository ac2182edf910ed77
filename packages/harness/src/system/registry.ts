import { Pid, type Runtime } from '@quiesce/runtime';
import type { TestSystem } from './test-system.js';

/**
 * Which TestSystem a runtime (or one of its pids) belongs to, so matchers can go from a
 * SupervisorRef, a bare Pid or an Inbox to the system that drives its waits. Weak on both sides:
 * a registered system is collected with its test. Pids carry their runtime's node number, which
 * is unique per worker, so two tests' pids never resolve to the same system.
 */
const byRuntime = new WeakMap<Runtime, TestSystem>();
const byNode = new Map<number, WeakRef<TestSystem>>();
const forget = new FinalizationRegistry<number>((node) => {
  if (byNode.get(node)?.deref() === undefined) byNode.delete(node);
});

/** @internal called by the TestSystem constructor. */
export function registerSystem(system: TestSystem): void {
  byRuntime.set(system.runtime, system);
  byNode.set(system.runtime.node, new WeakRef(system));
  forget.register(system, system.runtime.node);
}

/**
 * The TestSystem that owns `target`: a runtime, a pid of that runtime, or anything with a
 * `runtime` (a SupervisorRef). Undefined for runtimes created outside a TestSystem.
 */
export function systemOf(target: Runtime | Pid | { readonly runtime: Runtime }): TestSystem | undefined {
  if (target instanceof Pid) return byNode.get(target.node)?.deref();
  if (typeof target !== 'object' || target === null) return undefined;
  if ('runtime' in target && typeof target.runtime === 'object' && target.runtime !== null) return byRuntime.get(target.runtime);
  return byRuntime.get(target as Runtime);
}
