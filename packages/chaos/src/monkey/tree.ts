import { Pid, type SupervisorRef } from '@quiesce/runtime';

/** A running worker of a supervision tree: its path (`pool/w1`) and pid. */
export interface TreeWorker {
  readonly path: string;
  readonly pid: Pid;
}

/** Every running worker of the tree, left to right, nested supervisors included. */
export function runningWorkers(sup: SupervisorRef): TreeWorker[] {
  const out: TreeWorker[] = [];
  walk(sup, (path, child) => {
    if (child.type === 'worker' && child.pid instanceof Pid && sup.runtime.isAlive(child.pid)) out.push({ path, pid: child.pid });
  });
  return out;
}

/**
 * What keeps the tree from having converged: a dead supervisor, a permanent child that is not
 * running (down, or restarting). Empty when every permanent child of every supervisor runs.
 */
export function treeMissing(sup: SupervisorRef): string[] {
  if (!sup.isAlive()) return [`supervisor ${sup.label} is not running`];
  const missing: string[] = [];
  walk(sup, (path, child) => {
    if (child.restart !== 'permanent') return;
    if (child.pid === 'restarting') missing.push(`${path} is restarting`);
    else if (!(child.pid instanceof Pid) || !sup.runtime.isAlive(child.pid)) missing.push(`${path} is not running`);
  });
  return missing;
}

function walk(sup: SupervisorRef, visit: (path: string, child: ReturnType<SupervisorRef['whichChildren']>[number]) => void): void {
  for (const child of sup.whichChildren()) {
    const path = `${sup.label}/${child.id}`;
    visit(path, child);
    if (child.type === 'supervisor') {
      const nested = sup.supervisor(child.id);
      if (nested) walk(nested, visit);
    }
  }
}
