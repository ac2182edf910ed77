import { QuiesceError } from '@quiesce/runtime';
import { callerLocation } from '../core/resources.js';
import { drive } from '../waits/driver.js';
import { parseSpawn, type SpawnOptions } from './options.js';
import type { SystemHost } from '../core/host.js';
import { TrackedProcess } from './tracked-process.js';

/** Extra milliseconds the driver allows beyond the ready timeout and the kill that follows it. */
const DRIVE_MARGIN = 1_000;
/** Bounds a failed start spends killing the group (see OsProcessGroup): close, then reaped. */
const KILL_BOUNDS = 2_000 + 5_000;

/**
 * Spawn `command` with `args` (an argv array; no shell) as the leader of a new process group
 * owned by `system`, and resolve with its handle once it is ready: when a stdout line matches
 * `options.ready`, or as soon as it runs without one. Rejects with QuiesceError SPAWN_FAILED
 * (the program cannot be started, or exits before it is ready) or READY_TIMEOUT (no ready line
 * within `readyTimeout` ms, on either clock), only after its whole group is gone. Bad arguments
 * throw an InvalidOptionError before anything starts.
 */
export function spawnProcess(
  system: SystemHost,
  command: string,
  args: readonly string[] = [],
  options: SpawnOptions = {},
  testSignal?: AbortSignal,
): Promise<TrackedProcess> {
  const parsed = parseSpawn(command, args, options);
  // Checked before the program starts: owning it afterwards would fail and leave it running.
  if (system.tornDown)
    throw new QuiesceError('AFTER_TEARDOWN', "spawn: the test's system has been torn down; activity after teardown is rejected", { operation: 'spawn' });
  const createdAt = callerLocation();
  const tracked = system.own(new TrackedProcess(system, parsed, testSignal), createdAt);
  return whenStarted(system, tracked, parsed.readyTimeout + parsed.killTimeout + KILL_BOUNDS + DRIVE_MARGIN, testSignal);
}

async function whenStarted(system: SystemHost, tracked: TrackedProcess, bound: number, signal: AbortSignal | undefined): Promise<TrackedProcess> {
  try {
    // READY_TIMEOUT is the process's own bound; the driver's lies beyond it and only catches aborts and linked exits.
    await drive(system, tracked.readyDescription, tracked.started, { timeout: Math.min(bound, 2_147_483_647), ...(signal ? { signal } : {}) });
  } catch (error) {
    // Nothing is left half-started: the group is gone before the caller hears of the failure.
    await tracked.dispose();
    throw error;
  }
  return tracked;
}
