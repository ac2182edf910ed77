import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createExclusive, readRecord, type LockRecord, type ReadResult } from './lock-file.js';
import { ownerGone, sameIdentity, type ProcessIdentity } from './proc-start-time.js';
import { withReclaimLock } from './reclaim-lock.js';

export type { LockRecord } from './lock-file.js';

/**
 * The lock directory: one small file per leased port (`port-<n>`) and per claimed run block
 * (`run-<n>`), created exclusively and carrying its owner's identity. The file's existence is the
 * reservation; every process on the host that uses the same directory respects it.
 *
 * Across users the directory is sticky (see dir-guard.ts): only a file's owner (and root) can
 * delete it. So a stale file is reclaimed only by a process that may delete it; any other
 * process skips that number and takes another, leaving the file to its owner's next run, to
 * root, or to the next boot (the directory is on tmpfs by default).
 */

/**
 * A file created exclusively is empty until its writer's write lands. Content that is still
 * unreadable after this long belongs to a writer that died in between: reclaimable.
 */
export const ORPHAN_GRACE_MS = 10_000;

export type TakeResult =
  /** The file is ours now; `reclaimed` when it replaced a dead owner's. */
  | { taken: true; reclaimed: boolean }
  /** Someone alive holds it, or it is stale but not ours to delete, or being reclaimed right now; `record` when readable. */
  | { taken: false; record?: LockRecord };

export function leasePath(dir: string, port: number): string {
  return join(dir, `port-${port}`);
}

function isStale(read: ReadResult): boolean {
  if (read.kind === 'missing') return true;
  if (read.kind === 'unreadable') return read.ageMs > ORPHAN_GRACE_MS;
  return ownerGone(read.record);
}

const euid = (): number | undefined => process.geteuid?.();

/** Whether this process may delete the file in a sticky directory: it is its owner, or root. */
function mayDelete(read: ReadResult): boolean {
  const self = euid();
  return read.kind === 'missing' || self === undefined || self === 0 || read.owner === self;
}

function held(read: ReadResult): TakeResult {
  return read.kind === 'record' ? { taken: false, record: read.record } : { taken: false };
}

/**
 * Take `path` for `record`: create it, or when it exists, its owner is gone and this process may
 * delete it, reclaim it under the reclaim lock (re-checking staleness inside the lock, so that
 * of two reclaimers only one deletes the dead owner's file). When it is held, the holder's record
 * says who holds it.
 */
export async function take(dir: string, name: string, record: LockRecord, create = createExclusive): Promise<TakeResult> {
  const path = join(dir, name);
  if (create(path, record)) return { taken: true, reclaimed: false };
  const seen = readRecord(path);
  if (!isStale(seen) || !mayDelete(seen)) return held(seen);
  const outcome = await withReclaimLock(dir, name, async (): Promise<TakeResult> => {
    const again = readRecord(path);
    if (!isStale(again) || !mayDelete(again)) return held(again);
    if (again.kind !== 'missing' && !unlinkIfAllowed(path)) return { taken: false };
    // A plain acquirer may create it between our unlink and our create: then it is theirs.
    return create(path, record) ? { taken: true, reclaimed: again.kind !== 'missing' } : { taken: false };
  });
  return outcome.held ? outcome.value : { taken: false };
}

/**
 * Delete `path` if it is this user's file and still carries `owner`'s identity: never another
 * user's file, even one that copies our identity.
 */
export function removeIfOwned(path: string, owner: ProcessIdentity): boolean {
  const read = readRecord(path);
  const self = euid();
  if (read.kind !== 'record' || (self !== undefined && read.owner !== self) || !sameIdentity(read.record, owner)) return false;
  return unlinkIfAllowed(path);
}

/** Unlink: true when the name is gone now, false when it is not ours to delete (another user's, in a sticky directory). */
function unlinkIfAllowed(path: string): boolean {
  try {
    unlinkSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EACCES' || code === 'EISDIR') return false;
    if (code !== 'ENOENT') throw error;
  }
  return true;
}
