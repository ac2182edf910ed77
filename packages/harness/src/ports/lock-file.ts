import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, linkSync, lstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import type { ProcessIdentity } from './proc-start-time.js';

/**
 * One lock file (a lease `port-<n>` or a run claim `run-<n>`): created exclusively by its owner,
 * read by everyone else as untrusted input. In a shared directory any user may have put anything
 * under any name (a symlink, a FIFO, a huge file, hostile JSON), so a reader never follows a
 * link, never blocks on an open, reads a bounded number of bytes, and accepts only a record whose
 * fields have the right types and ranges.
 */

/** What a lock file says. `run` and `pool` are informational, except `run` on run claims. */
export interface LockRecord extends ProcessIdentity {
  readonly run?: string;
  readonly pool?: number;
}

/** A record is ~100 bytes; anything much longer is not one of ours. */
export const MAX_RECORD_BYTES = 4096;
/** Linux's PID_MAX_LIMIT: no pid is larger, and pids <= 0 would address process groups. */
export const MAX_PID = 4_194_304;
const MAX_BOOT_ID = 64;
const MAX_RUN_ID = 200;

const { O_WRONLY, O_RDONLY, O_CREAT, O_EXCL } = constants;
// Absent on Windows, where the directory is private to the user anyway.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
/** Create only: a name that exists, even as a dangling symlink, is EEXIST. */
const CREATE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
/** Never follow a symlink, never block on a FIFO. */
const READ = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
/** Readable by everyone (other users identify the owner), writable by its owner only. */
const FILE_MODE = 0o644;

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** A record with a pid that is a positive integer (pid 0 or -1 would address process groups). */
export function parseRecord(text: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { pid, start, boot, run, pool } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid > MAX_PID) return undefined;
  // An optional field of the wrong shape is dropped: less to identify the owner by, which only
  // makes the lease look alive for longer (never reclaimed by mistake).
  return {
    pid,
    ...(typeof start === 'number' && Number.isSafeInteger(start) && start >= 0 ? { start } : {}),
    ...(typeof boot === 'string' && boot.length <= MAX_BOOT_ID ? { boot } : {}),
    ...(typeof run === 'string' && run.length <= MAX_RUN_ID ? { run } : {}),
    ...(typeof pool === 'number' && Number.isSafeInteger(pool) && pool >= 0 ? { pool } : {}),
  };
}

export type ReadResult =
  | { kind: 'missing' }
  /** `owner`: the uid owning the file (who may delete it in a sticky directory). */
  | { kind: 'record'; record: LockRecord; owner: number }
  /** Something that is not a record (yet): empty, malformed, too large, not a regular file, unreadable. */
  | { kind: 'unreadable'; ageMs: number; owner: number };

const MISSING: ReadResult = { kind: 'missing' };
/** One buffer for every read: reads are synchronous, so they never overlap. */
const readBuffer = Buffer.allocUnsafe(MAX_RECORD_BYTES + 1);

/** Read the lock file at `path` as untrusted input. Throws only for this process's own trouble (EMFILE, ENFILE). */
export function readRecord(path: string): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, READ);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return MISSING;
    if (code === 'EMFILE' || code === 'ENFILE') throw error;
    // ELOOP (a symlink), ENXIO (a socket), EACCES (another user's unreadable file), ...
    return notARecord(path);
  }
  try {
    const stat = fstatSync(fd);
    let record: LockRecord | undefined;
    if (stat.isFile() && stat.size <= MAX_RECORD_BYTES) {
      const length = readSync(fd, readBuffer, 0, readBuffer.length, 0);
      if (length <= MAX_RECORD_BYTES) record = parseRecord(readBuffer.toString('utf8', 0, length));
    }
    return record ? { kind: 'record', record, owner: stat.uid } : { kind: 'unreadable', ageMs: Date.now() - stat.mtimeMs, owner: stat.uid };
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EMFILE' || code === 'ENFILE') throw error;
    return notARecord(path);
  } finally {
    closeSync(fd);
  }
}

function notARecord(path: string): ReadResult {
  try {
    const stat = lstatSync(path);
    return { kind: 'unreadable', ageMs: Date.now() - stat.mtimeMs, owner: stat.uid };
  } catch {
    return MISSING;
  }
}

/**
 * Create `path` exclusively with `record` as its content. False when the name exists (whatever it
 * is). Synchronous on purpose: three syscalls of a few microseconds each, where the async
 * versions cost a thread-pool round trip apiece; and no other code of this process runs between
 * the create and the write.
 */
export function createExclusive(path: string, record: LockRecord): boolean {
  let fd: number;
  try {
    fd = openSync(path, CREATE, FILE_MODE);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(path);
    throw error;
  }
  closeSync(fd);
  return true;
}

/** Names tried for the temporary file before giving up (another user may squat a name). */
const TMP_TRIES = 8;

/**
 * Like createExclusive, but the file appears with its content already in place (written to a
 * temporary name, then hard-linked): a reader never sees it empty. Used for run claims, where a
 * sibling worker of the same run must be able to read whose claim it is at once.
 */
export function createExclusiveComplete(path: string, record: LockRecord): boolean {
  const tmp = createTemporary(path, record);
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkQuietly(tmp);
  }
}

/** `<path>.<random>.tmp` holding `record`. Random, not pid-based: no other user can take the name in advance. */
function createTemporary(path: string, record: LockRecord): string {
  for (let i = 0; i < TMP_TRIES; i++) {
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    if (createExclusive(tmp, record)) return tmp;
  }
  throw Object.assign(new Error(`EEXIST: ${TMP_TRIES} temporary names next to ${path} were all taken`), { code: 'EEXIST', syscall: 'open', path });
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
