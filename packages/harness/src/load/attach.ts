import { TestRunner } from 'vitest';
import type { LoadStats, QuiesceTaskMeta } from '../core/task-meta.js';

interface TaskWithMeta {
  meta: { quiesce?: QuiesceTaskMeta };
}

/** The running test's task, when called inside one (Vitest 4.1+); undefined elsewhere. */
export function currentTask(): TaskWithMeta | undefined {
  const get = (TestRunner as unknown as { getCurrentTest?: () => unknown }).getCurrentTest;
  const task = typeof get === 'function' ? get() : undefined;
  return typeof task === 'object' && task !== null && 'meta' in task ? (task as TaskWithMeta) : undefined;
}

/** The test's Quiesce meta, created on first use. */
export function quiesceMeta(task: TaskWithMeta): QuiesceTaskMeta {
  return (task.meta.quiesce ??= {});
}

/** Add a load's result to the running test's metrics; returns whether there was a test to add it to. */
export function attachLoad(stats: LoadStats): boolean {
  const task = currentTask();
  if (!task) return false;
  (quiesceMeta(task).load ??= []).push(stats);
  return true;
}
