import { QuiesceError } from '@quiesce/runtime';

/**
 * A file-system (or descriptor) error the port broker met, as a QuiesceError with code
 * PORT_FS_ERROR: what failed on which path, and what to do about it. `details.errno` keeps the
 * system's code (EACCES, EROFS, ENOSPC, EMFILE, ...). Anything that is not an errno error (a
 * QuiesceError above all) is returned as it is.
 */
export function portFsError(error: unknown, dir: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof QuiesceError || !(error instanceof Error) || typeof e.code !== 'string' || !/^E[A-Z0-9]+$/.test(e.code)) return error;
  const path = e.path ?? dir;
  const what = `${e.syscall ?? 'access'} ${path}`;
  const elsewhere =
    'or set QUIESCE_PORT_DIR (or the `dir` option) to a writable directory that every test process on this host shares (a tmpfs such as /dev/shm is best)';
  let advice: string;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      advice =
        `this user (uid ${process.geteuid?.() ?? '?'}) may not do that in the port lease directory ${dir}. ` +
        `Its owner can make it shared like /tmp (chmod 1777 ${dir}), ${elsewhere}`;
      break;
    case 'EROFS':
      advice = `the port lease directory ${dir} is on a read-only file system. Remount it read-write, ${elsewhere}`;
      break;
    case 'ENOSPC':
    case 'EDQUOT':
      advice = `the file system of the port lease directory ${dir} is full (no space, no inodes left, or over quota). Free some, ${elsewhere}`;
      break;
    case 'EMFILE':
    case 'ENFILE':
      advice =
        e.code === 'EMFILE'
          ? 'this process has no file descriptors left (`ulimit -n`): close the sockets, files and child pipes that leak, or raise the limit'
          : 'the system has no file descriptors left (fs.file-max): close the sockets, files and child pipes that leak, or raise the limit';
      break;
    default:
      advice = `${e.message}. Check the port lease directory ${dir}, ${elsewhere}`;
  }
  return new QuiesceError('PORT_FS_ERROR', `port lease: ${what} failed with ${e.code}: ${advice}.`, { dir, path, errno: e.code, syscall: e.syscall });
}
