import { InvalidOptionError, NoProcError, Pid, QuiesceError } from '@quiesce/runtime';
import type { Host } from '../host.js';

/** A process to hit: a Pid, a registered name, or a ref that has a pid (a SupervisorRef, a DynamicSupervisorRef). */
export type ProcessTarget = Pid | string | { readonly pid: Pid };

/** One end of a pair of processes: a Pid, a registered name (looked up at each delivery, so it follows restarts), or '*' for any. */
export type PairEnd = Pid | string;

/** The live, owned process `target` names; anything else is refused before any fault is armed. */
export function resolveProcess(host: Host, where: string, target: unknown): Pid {
  let pid: Pid;
  if (target instanceof Pid) pid = target;
  else if (typeof target === 'string' && target !== '') {
    const found = host.runtime.whereis(target);
    if (!found) throw new NoProcError(JSON.stringify(target), where);
    pid = found;
  } else if (typeof target === 'object' && target !== null && (target as { pid?: unknown }).pid instanceof Pid) {
    pid = (target as { pid: Pid }).pid;
  } else {
    throw new InvalidOptionError(`${where}(target)`, target, 'a Pid, a registered name, or a ref with a pid (a SupervisorRef)');
  }
  checkOwnedPid(host, where, pid);
  if (!host.runtime.isAlive(pid)) throw new NoProcError(pid.toString(), where);
  return pid;
}

/** A pid of this system's runtime, and not the test's own process. */
export function checkOwnedPid(host: Host, where: string, pid: Pid): void {
  if (pid.node !== host.runtime.node) {
    const message = `${where}: ${pid} is a process of another runtime, not of this system's; chaos only touches what the current system started`;
    throw new QuiesceError('NOT_OWNED', message, { target: pid.toString() });
  }
  if (host.system && pid.equals(host.system.self)) {
    throw new QuiesceError('NOT_OWNED', `${where}: ${pid} is the test's own process, not something under test`, { target: pid.toString() });
  }
}

/** A pair end, checked: a Pid of this runtime, a registered name, or '*'. */
export function checkPairEnd(host: Host, where: string, end: unknown): PairEnd {
  if (end instanceof Pid) {
    checkOwnedPid(host, where, end);
    return end;
  }
  if (typeof end === 'string' && end !== '') return end;
  throw new InvalidOptionError(where, end, "a Pid, a registered name, or '*' for any process");
}

/** Whether the pid string `key` (or 'external') is the end `end` names now. */
export function endMatches(host: Host, end: PairEnd, key: string): boolean {
  if (end === '*') return true;
  if (end instanceof Pid) return end.toString() === key;
  return host.runtime.whereis(end)?.toString() === key;
}

/** How an end reads in events: `<0.4>`, `"db"` or `*`. */
export function describeEnd(end: PairEnd): string {
  return end instanceof Pid ? end.toString() : end === '*' ? '*' : JSON.stringify(end);
}
