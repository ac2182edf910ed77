import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerGone, sameIdentity, type ProcessIdentity } from './proc-start-time.js';
import { withReclaimLock } from './reclaim-lock.js';

/**
 * The lock directory: one small file per leased port (`port-<n>`) and per claimed run block
 * (`run-<n>`), created exclusively (`open(path, 'wx')`) and carrying its owner's identity. The
 * file's existence is the reservation; every process on the host that uses the same directory
 * respects it.
 */

/** What a lock file says. `run` and `pool` are informational, except `run` on run claims. */
export interface LockRecord extends ProcessIdentity {
  readonly run?: string;
  readonly pool?: number;
}

/**
 * A file created by `open(path, 'wx')` is empty until its writer's write lands. Content that is
 * still unreadable after this long belongs to a writer that died in between: reclaimable.
 */
export const ORPHAN_GRACE_MS = 10_000;

export type TakeResult =
  /** The file is ours now; `reclaimed` when it replaced a dead owner's. */
  | { taken: true; reclaimed: boolean }
  /** Someone alive holds it (or is reclaiming it right now); `record` when readable. */
  | { taken: false; record?: LockRecord };

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

export function leasePath(dir: string, port: number): string {
  return join(dir, `port-${port}`);
}

/**
 * Create `path` exclusively (`open(path, 'wx')`) with `record` as its content. False when it
 * already exists. Synchronous on purpose: three syscalls of a few microseconds each, where the
 * async versions cost a thread-pool round trip apiece; and no other code of this process runs
 * between the create and the write.
 */
export function createExclusive(path: string, record: LockRecord): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
  } catch (error) {
    closeSync(fd);
    unlinkSafe(path);
    throw error;
  }
  closeSync(fd);
  return true;
}

let tmpCounter = 0;

/**
 * Like createExclusive, but the file appears with its content already in place (written to a
 * temporary name, then hard-linked): a reader never sees it empty. Used for run claims, where a
 * sibling worker of the same run must be able to read whose claim it is at once.
 */
export function createExclusiveComplete(path: string, record: LockRecord): boolean {
  const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record)}\n`, { flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSafe(tmp);
  }
}

function unlinkSafe(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

type ReadResult = { kind: 'missing' } | { kind: 'record'; record: LockRecord } | { kind: 'unreadable'; ageMs: number };

export function readRecord(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  const record = parseRecord(text);
  if (record) return { kind: 'record', record };
  try {
    return { kind: 'unreadable', ageMs: Date.now() - statSync(path).mtimeMs };
  } catch {
    return { kind: 'missing' };
  }
}

/** A record with a pid that is a positive integer (pid 0 or -1 would address process groups). */
export function parseRecord(text: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, start, boot, run, pool } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    ...(typeof start === 'number' && Number.isSafeInteger(start) ? { start } : {}),
    ...(typeof boot === 'string' ? { boot } : {}),
    ...(typeof run === 'string' ? { run } : {}),
    ...(typeof pool === 'number' ? { pool } : {}),
  };
}

function isStale(read: ReadResult): boolean {
  if (read.kind === 'missing') return true;
  if (read.kind === 'unreadable') return read.ageMs > ORPHAN_GRACE_MS;
  return ownerGone(read.record);
}

/**
 * Take `path` for `record`: create it, or when it exists and its owner is gone, reclaim it under
 * the reclaim lock (re-checking staleness inside the lock, so that of two reclaimers only one
 * deletes the dead owner's file). When it is held, the holder's record says who holds it.
 */
export async function take(dir: string, name: string, record: LockRecord, create = createExclusive): Promise<TakeResult> {
  const path = join(dir, name);
  if (create(path, record)) return { taken: true, reclaimed: false };
  const seen = readRecord(path);
  if (!isStale(seen)) return seen.kind === 'record' ? { taken: false, record: seen.record } : { taken: false };
  const outcome = await withReclaimLock(dir, name, async (): Promise<TakeResult> => {
    const again = readRecord(path);
    if (!isStale(again)) return again.kind === 'record' ? { taken: false, record: again.record } : { taken: false };
    if (again.kind !== 'missing') unlinkIgnoringMissing(path);
    // A plain acquirer may create it between our unlink and our create: then it is theirs.
    return create(path, record) ? { taken: true, reclaimed: again.kind !== 'missing' } : { taken: false };
  });
  return outcome.held ? outcome.value : { taken: false };
}

/** Delete `path` if it still carries `owner`'s identity (never someone else's file). */
export function removeIfOwned(path: string, owner: ProcessIdentity): boolean {
  const read = readRecord(path);
  if (read.kind !== 'record' || !sameIdentity(read.record, owner)) return false;
  unlinkIgnoringMissing(path);
  return true;
}

function unlinkIgnoringMissing(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
