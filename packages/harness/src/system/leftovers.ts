import { isKind, type Pid, type Runtime } from '@quiesce/runtime';
import type { Owned } from '../core/resources.js';

/** Something still running or alive: a process, an owned resource, or pending timers. */
export interface Leftover {
  readonly kind: string;
  readonly label: string;
  /** Where it came from: the user's line for owned resources, the history event for processes. */
  readonly createdAt: string;
}

/**
 * The dry-run leak check: what would outlive the test if it ended now without a teardown. Live
 * processes other than the harness's own (`exclude`: the test process and its inbox), owned
 * resources that are still alive, and kernel timers still pending.
 */
export function leftovers(runtime: Runtime, owned: readonly Owned[], exclude: readonly Pid[]): Leftover[] {
  const found: Leftover[] = [];
  const spawnedAt = new Map<string, { seq: number; time: number }>();
  for (const e of runtime.history.events) if (isKind(e, 'process.spawn')) spawnedAt.set(e.data.pid, { seq: e.seq, time: e.time });
  for (const pid of runtime.processes()) {
    if (exclude.some((p) => p.equals(pid))) continue;
    const at = spawnedAt.get(pid.toString());
    found.push({ kind: 'process', label: `${runtime.label(pid)} (${pid})`, createdAt: at ? `history #${at.seq} at ${at.time}ms` : 'unknown' });
  }
  for (const { resource, createdAt } of owned) if (resource.alive()) found.push({ kind: resource.kind, label: resource.label, createdAt });
  const timers = runtime.clock.pendingTimers();
  if (timers > 0) found.push({ kind: 'timer', label: `${timers} runtime timer(s) still pending`, createdAt: `the runtime's ${runtime.clock.kind} clock` });
  return found;
}
