import { QuiesceError, type History, type Pid, type Runtime } from '@quiesce/runtime';
import { realDelay } from '@quiesce/runtime/internal';
import type { DriveTarget } from '../core/host.js';
import type { Owned } from '../core/resources.js';
import { drive } from '../waits/driver.js';

/** A tree the test started: stopped at teardown with its own shutdown semantics. */
export interface StartedTree {
  readonly pid: Pid;
  readonly label: string;
  stop(): Promise<void>;
}

/** Something that outlived teardown, for the LeakError. */
export interface Leak {
  readonly kind: string;
  readonly label: string;
  readonly createdAt: string;
}

/** Real milliseconds teardown waits for the runtime's OS children and threads to be gone after it killed them. */
const ACTORS_GONE_BOUND = 5_000;

/**
 * Stop the started trees right to left (the newest first), each with its own shutdown semantics;
 * `stopping` is told first, so the tree's exit is not taken for a crash. Teardown's own waits
 * are not interrupted: shutdown timeouts run on the system's clock (up to an hour of virtual
 * time), real waiting is bounded apart. Returns what failed.
 */
export async function stopStartedTrees(runtime: Runtime, started: readonly StartedTree[], stopping: (pid: Pid) => void): Promise<unknown[]> {
  const target: DriveTarget = { runtime, onInterrupt: () => () => undefined };
  const problems: unknown[] = [];
  for (const tree of [...started].reverse()) {
    if (!runtime.isAlive(tree.pid)) continue;
    stopping(tree.pid);
    try {
      await drive(target, `${tree.label} to stop at teardown`, tree.stop(), { timeout: 3_600_000, realTimeout: 30_000 });
    } catch (error) {
      problems.push(error);
    }
  }
  return problems;
}

/** Dispose owned resources newest first; returns what failed. */
export async function disposeOwned(owned: readonly Owned[]): Promise<unknown[]> {
  const problems: unknown[] = [];
  for (const { resource } of [...owned].reverse()) {
    try {
      await resource.dispose();
    } catch (error) {
      problems.push(error);
    }
  }
  return problems;
}

/**
 * The leak check, after everything was stopped and disposed: owned resources still alive, the
 * runtime's OS children and threads still live (after a bounded wait for them to go), and runtime
 * timers still pending (a process's timers die with it: one still pending was set outside any).
 */
export async function findLeaks(runtime: Runtime, owned: readonly Owned[]): Promise<Leak[]> {
  await awaitActorsGone(runtime, ACTORS_GONE_BOUND);
  return leaksNow(runtime, owned);
}

/** The leak check as things stand now, with no wait for OS children or threads to go. */
export function leaksNow(runtime: Runtime, owned: readonly Owned[]): Leak[] {
  const leaks: Leak[] = [];
  for (const o of owned) if (o.resource.alive()) leaks.push({ kind: o.resource.kind, label: o.resource.label, createdAt: o.createdAt });
  for (const actor of runtime.externalActors()) leaks.push({ kind: 'external', label: actor, createdAt: 'a supervised child of the runtime' });
  const timers = runtime.clock.pendingTimers();
  if (timers > 0) leaks.push({ kind: 'timer', label: `${timers} runtime timer(s) still pending`, createdAt: `the runtime's ${runtime.clock.kind} clock` });
  return leaks;
}

/**
 * Resolve once the runtime has no live external actor, or after `bound` real milliseconds. Actors
 * named in `except` (held by owned resources, disposed only later) are not waited for.
 */
export async function awaitActorsGone(runtime: Runtime, bound = ACTORS_GONE_BOUND, except?: ReadonlySet<string>): Promise<void> {
  const waiting = () => runtime.externalActors().some((label) => !except?.has(label));
  if (!waiting()) return;
  const over = new AbortController();
  const limit = realDelay(bound, over.signal);
  try {
    while (waiting()) {
      if ((await Promise.race([runtime.nextActivity().then(() => 'activity' as const), limit])) !== 'activity') return;
    }
  } finally {
    over.abort();
  }
}

/**
 * A listener the runtime called (a `watchMailbox` watcher) that threw, one error each: the runtime
 * removed it and recorded `runtime.listener_error` so the delivery or exit it was told of went on;
 * the test fails on it here rather than the bug vanishing.
 */
export function listenerErrors(history: History): QuiesceError[] {
  return history.ofKind('runtime.listener_error').map(
    ({ source, seq, data: { listener, pid, error } }) =>
      new QuiesceError(
        'LISTENER_ERROR',
        `a ${listener} listener of ${source === pid ? pid : `${source} (${pid})`} threw ${JSON.stringify(error)}; the runtime removed it (event #${seq})`,
        {
          listener,
          pid,
          seq,
        },
      ),
  );
}
