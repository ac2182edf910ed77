import { createHash } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
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
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(JSON.stringify(ownIdentity()));
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await removeDeadLockFile(path);
    return undefined;
  }
  return () => unlink(path).catch(() => undefined);
}

async function removeDeadLockFile(path: string): Promise<void> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; start?: unknown };
    if (typeof owner.pid === 'number' && Number.isInteger(owner.pid) && owner.pid > 0) {
      const identity = { pid: owner.pid, ...(typeof owner.start === 'number' ? { start: owner.start } : {}) };
      if (ownerGone(identity)) await unlink(path);
    }
  } catch {
    // Unreadable, half written or already gone: leave it to its writer.
  }
}
