import { readFileSync } from 'node:fs';

/**
 * Who owns a lease: a pid, and where the OS tells us, the process's start time and the boot it
 * belongs to. A pid alone is not an identity: pids are reused, so a lease whose pid is alive but
 * whose start time differs belongs to a process that is gone.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); absent off Linux. */
  readonly start?: number;
  /** /proc/sys/kernel/random/boot_id; absent off Linux. A different boot means a dead owner. */
  readonly boot?: string;
}

interface ProcStat {
  readonly state: string;
  readonly start: number;
}

/** Field 3 (state) and field 22 (starttime) of /proc/<pid>/stat, or undefined when unreadable. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is parenthesised and may itself contain spaces and parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = fields[0];
  const start = Number(fields[19]); // field 22 counted from 1, and fields[0] is field 3
  if (state === undefined || !Number.isSafeInteger(start)) return undefined;
  return { state, start };
}

/** The start time of `pid` (clock ticks since boot), or undefined where /proc is not available. */
export function processStartTime(pid: number): number | undefined {
  return readProcStat(pid)?.start;
}

let bootIdCache: string | null | undefined;

/** This boot's id (Linux), read once. */
export function bootId(): string | undefined {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache ?? undefined;
}

/** The identity of `pid` as the OS reports it now (pid only where /proc is missing). */
export function identityOf(pid: number): ProcessIdentity {
  const start = processStartTime(pid);
  const boot = bootId();
  return { pid, ...(start !== undefined ? { start } : {}), ...(boot !== undefined ? { boot } : {}) };
}

let selfIdentity: ProcessIdentity | undefined;

/** This process's identity, read once. */
export function ownIdentity(): ProcessIdentity {
  return (selfIdentity ??= identityOf(process.pid));
}

export function sameIdentity(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.start === b.start && a.boot === b.boot;
}

/** Whether a process with this pid exists (a zombie counts as gone: it will never bind anything). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = readProcStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

/**
 * Whether the process that wrote `owner` is gone: another boot, no such pid, a zombie, or the pid
 * now belongs to a process that started at another time (pid reuse).
 */
export function ownerGone(owner: ProcessIdentity): boolean {
  const boot = bootId();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return true;
  if (!pidExists(owner.pid)) return true;
  if (owner.start !== undefined) {
    const start = processStartTime(owner.pid);
    if (start !== undefined && start !== owner.start) return true;
  }
  return false;
}
