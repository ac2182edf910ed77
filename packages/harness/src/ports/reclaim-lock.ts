import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { createExclusive, readRecord } from './lock-file.js';
import { ownerGone, ownIdentity } from './proc-start-time.js';

/**
 * A mutex around reclaiming one stale file (a lease or a run claim).
 *
 * Reclaiming is "check the file is stale, delete it, create ours". Two reclaimers that both saw
 * the stale file must not both delete: the second would delete the first one's fresh lease and
 * two processes would hold one port. So the check-and-delete runs under this lock, and the check
 * is repeated inside it.
 *
 * On Linux the lock is an abstract-namespace Unix socket: binding it is exclusive and the kernel
 * releases it when the holder dies, so a crashed reclaimer can never leave it held. Elsewhere it is
 * a `<file>.reclaim` lock file created exclusively; a lock file left by a dead process is removed
 * on sight (best effort: that removal itself is not atomic with a third reclaimer).
 *
 * Any user can hold any lock name: that only makes others skip the stale number for a while,
 * never take a live one.
 */
export async function withReclaimLock<T>(dir: string, name: string, fn: () => Promise<T>): Promise<{ held: true; value: T } | { held: false }> {
  const release = process.platform === 'linux' ? await lockAbstract(dir, name) : await lockFile(`${dir}/${name}.reclaim`);
  if (!release) return { held: false };
  try {
    return { held: true, value: await fn() };
  } finally {
    await release();
  }
}

type Release = () => Promise<void>;

async function lockAbstract(dir: string, name: string): Promise<Release | undefined> {
  // Abstract names are limited to 107 bytes: name the directory by a hash.
  const key = `\0quiesce-ports:${createHash('sha1').update(dir).digest('hex').slice(0, 16)}:${name}`;
  const server: Server = createServer();
  const bound = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen(key, () => resolve(true));
  });
  if (!bound) return undefined;
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

async function lockFile(path: string): Promise<Release | undefined> {
  if (!createExclusive(path, ownIdentity())) {
    removeDeadLockFile(path);
    return undefined;
  }
  return () => unlink(path).catch(() => undefined);
}

/** Remove a lock file left by a dead process, when it is this user's to remove (read as untrusted input). */
function removeDeadLockFile(path: string): void {
  const read = readRecord(path);
  const self = process.geteuid?.();
  if (read.kind !== 'record' || (self !== undefined && read.owner !== self) || !ownerGone(read.record)) return;
  try {
    unlinkSync(path);
  } catch {
    // Gone already, or not ours after all.
  }
}
