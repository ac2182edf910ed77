import { DynamicSupervisorRef, isKind, Pid, type Runtime, type SupervisorRef } from '@quiesce/runtime';
import { supervisorRefOf } from '@quiesce/runtime/internal';
import { incarnationEvents, type SupervisorView } from './subjects.js';

/** One child of a supervision tree as the matchers see it. */
export interface ChildState {
  readonly id: string;
  /** `sub/w1` for a child of a nested supervisor. */
  readonly path: string;
  readonly state: 'running' | 'restarting' | 'not running';
  readonly pid: Pid | undefined;
}

/** The children of one supervisor, in its order (dynamic children: in start order). */
export function childrenOf(view: SupervisorView): ChildState[] {
  const { ref, runtime } = view;
  if (ref instanceof DynamicSupervisorRef) {
    // A dynamic supervisor's ref lists pids only; its history names them.
    const idOf = new Map<string, string>();
    for (const e of incarnationEvents(view)) {
      if (isKind(e, 'child.start', 'child.restart')) {
        const { id, pid } = e.data;
        if (id !== undefined && pid !== undefined) idOf.set(pid, id);
      }
    }
    return ref.children().map((pid) => {
      const id = idOf.get(pid.toString()) ?? pid.toString();
      return { id, path: id, state: runtime.isAlive(pid) ? 'running' : 'not running', pid };
    });
  }
  return ref.whichChildren().map((c) => ({
    id: c.id,
    path: c.id,
    state: c.pid === 'restarting' ? 'restarting' : c.pid instanceof Pid && runtime.isAlive(c.pid) ? 'running' : 'not running',
    pid: c.pid instanceof Pid ? c.pid : undefined,
  }));
}

/** The whole tree under a supervisor, depth first, nested supervisors' children after their own entry. */
export function treeOf(view: SupervisorView): ChildState[] {
  const out: ChildState[] = [];
  const walk = (ref: SupervisorRef | DynamicSupervisorRef, prefix: string, runtime: Runtime): void => {
    for (const child of childrenOf({ ref, runtime, pid: ref.pid, label: ref.label, system: view.system })) {
      const path = prefix + child.id;
      out.push({ ...child, path });
      const nested = child.state === 'running' && child.pid ? supervisorRefOf(runtime, child.pid) : undefined;
      if (nested && nested !== ref) walk(nested, `${path}/`, runtime);
    }
  };
  if (view.runtime.isAlive(view.pid)) walk(view.ref, '', view.runtime);
  return out;
}

/** Running children's ids, in order. */
export function runningIds(view: SupervisorView): string[] {
  return childrenOf(view)
    .filter((c) => c.state === 'running')
    .map((c) => c.id);
}

/** Whether the supervisor is alive and every child in its tree is running. */
export function healthy(view: SupervisorView): boolean {
  return view.runtime.isAlive(view.pid) && treeOf(view).every((c) => c.state === 'running');
}

/** `w1 running <0.4>` lines for messages. */
export function describeTree(children: readonly ChildState[]): string {
  if (children.length === 0) return '  (no children)';
  return children.map((c) => `  ${c.path.padEnd(16)} ${c.state}${c.pid ? ` ${c.pid}` : ''}`).join('\n');
}
