import { readdirSync, readFileSync } from 'node:fs';
import { probeWithBackoff } from '../../kernel/backoff.js';
import { realDelay } from '../../kernel/real-time.js';

/** Whether a process group still exists: 'dead' means only zombies (exited, not yet reaped) are left. */
export type GroupState = 'alive' | 'dead' | 'gone';

/**
 * Send `signal` to every process of group `pgid`. Returns false when the group no longer exists.
 * Never signals groups 0 or 1: `kill(-1)` would reach every process we may signal.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * The state of group `pgid`. `kill(-pgid, 0)` answers whether any member exists, zombies
 * included; an orphaned member that was killed stays a zombie until init reaps it (which some
 * inits do only every few seconds), so on Linux a group of zombies only is reported 'dead'.
 */
export function groupState(pgid: number): GroupState {
  if (!signalGroup(pgid, 0)) return 'gone';
  return process.platform === 'linux' && !hasLiveMember(pgid) ? 'dead' : 'alive';
}

function hasLiveMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/**
 * Wait, bounded by `boundMs` real milliseconds, until group `pgid` no longer exists at all (its
 * zombies reaped too, so `kill(pid, 0)` then fails with ESRCH for every member). A group's end
 * gives no event a parent can wait on (node has no pidfd), so this probes with bounded backoff,
 * reporting each probe. Returns the state it ended in.
 */
export async function awaitGroupGone(
  pgid: number,
  boundMs: number,
  onProbe: (attempt: number, state: GroupState) => void = () => undefined,
): Promise<GroupState> {
  const first = groupState(pgid);
  if (first === 'gone') return first;
  const stop = new AbortController();
  let last: GroupState = first;
  void realDelay(boundMs, stop.signal).then((why) => why === 'elapsed' && stop.abort(new Error('bound reached')));
  try {
    await probeWithBackoff<true>(
      async () => {
        last = groupState(pgid);
        return last === 'gone' ? { ok: true, value: true } : { ok: false, error: last };
      },
      stop.signal,
      (attempt) => onProbe(attempt, last),
    );
  } catch {
    // The bound was reached: report the state as it is.
  } finally {
    stop.abort();
  }
  return last;
}
