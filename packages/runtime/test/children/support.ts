/**
 * Helpers for the OS-process and worker-thread child tests. Everything here is per runtime (no
 * module state) and event-driven: waits subscribe to the runtime's history or watch a pid.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { Runtime, type ExitReason, type HistoryEvent, type Pid } from '@quiesce/runtime';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** `node <fixture> ...args` as osProcess options. */
export function node(script: string, ...args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [fixture(script), ...args] };
}

/**
 * A runtime for one test. When the test finishes it is shut down and the test waits until every
 * OS process and worker thread it started has exited, so nothing outlives the test.
 */
export function world(clock: 'virtual' | 'real' = 'virtual'): Runtime {
  const rt = new Runtime({ clock });
  onTestFinished(async () => {
    const allGone = everyChildGone(rt);
    await rt.shutdown();
    await allGone;
  });
  return rt;
}

/** Resolves once every `os.spawn` has its `os.exit` and every `thread.spawn` its `thread.exit`. */
export function everyChildGone(rt: Runtime): Promise<void> {
  const open = new Set<string>();
  const key = (e: HistoryEvent): string | undefined => {
    const data = e.data as { pid?: number; threadId?: number };
    if (e.kind === 'os.spawn' || e.kind === 'os.exit') return `os ${data.pid}`;
    if (e.kind === 'thread.spawn' || e.kind === 'thread.exit') return `thread ${data.threadId}`;
    return undefined;
  };
  const track = (e: HistoryEvent): void => {
    const k = key(e);
    if (k === undefined) return;
    if (e.kind.endsWith('.spawn')) open.add(k);
    else open.delete(k);
  };
  for (const e of rt.history.events) track(e);
  return new Promise<void>((resolve) => {
    if (open.size === 0) return resolve();
    const stop = rt.history.subscribe((e) => {
      track(e);
      if (open.size === 0) {
        stop();
        resolve();
      }
    });
  });
}

/**
 * The first event from `fromSeq` on (default: from now) that satisfies `predicate`; events
 * already recorded count, so there is no race between an action and the wait for its effect.
 */
export function nextEvent(rt: Runtime, predicate: (e: HistoryEvent) => boolean, fromSeq = rt.history.length): Promise<HistoryEvent> {
  const seen = rt.history.find(predicate, fromSeq);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const stop = rt.history.subscribe((e) => {
      if (!predicate(e)) return;
      stop();
      resolve(e);
    });
  });
}

export const ofKind =
  (kind: string, source?: string) =>
  (e: HistoryEvent): boolean =>
    e.kind === kind && (source === undefined || e.source === source);

/** The reason `pid` exits with (at once if it already has). */
export function exitOf(rt: Runtime, pid: Pid): Promise<ExitReason> {
  return new Promise((resolve) => rt.watch(pid, resolve));
}

/** A runtime process that collects its messages; `next()` resolves with the next one. */
export function inbox(rt: Runtime): { pid: Pid; next(): Promise<unknown> } {
  const queued: unknown[] = [];
  const waiting: Array<(m: unknown) => void> = [];
  const pid = rt.spawn((message) => {
    const w = waiting.shift();
    if (w) w(message);
    else queued.push(message);
  });
  return {
    pid,
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()) : new Promise((resolve) => waiting.push(resolve))),
  };
}

/**
 * True when process `pid` can no longer run code: it is gone, a zombie, or past the point of no
 * return of the kernel's exit (PF_EXITING in /proc/<pid>/stat). The last case matters for an
 * orphaned grandchild: its stdout closes during its exit, which a multi-threaded process (node)
 * takes a while to finish, and its reaper (init) is not ours to wait for.
 */
export function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // reaped between the two checks
  }
  // Fields after "(comm)": state is the first, flags the seventh.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const PF_EXITING = 0x4;
  return fields[0] === 'Z' || fields[0] === 'X' || (Number(fields[6]) & PF_EXITING) !== 0;
}

export function osPidOf(event: HistoryEvent): number {
  return (event.data as { pid: number }).pid;
}

export { rejection, thrown } from '../support/helpers.js';
