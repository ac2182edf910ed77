import { closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { QuiesceError } from '@quiesce/runtime';

/**
 * The lease directory is shared the way /tmp is: mode 1777 (anyone may create files, the sticky
 * bit lets only a file's owner delete or rename it), each lease file created exclusively and
 * writable by its owner only. Before the allocator writes anything there it opens the directory
 * without following a symlink and checks who owns it and who can write it: a directory that
 * would let another user delete, replace or redirect this user's leases is refused.
 */

const S_ISVTX = 0o1000;
/** rwx for everyone plus the sticky bit, like /tmp. */
export const SHARED_DIR_MODE = 0o1777;
const OPEN_DIR = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;
const octal = (mode: number): string => `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;

/** This process's effective uid; undefined where there are no uids (Windows: nothing to check). */
function euid(): number | undefined {
  return process.geteuid?.();
}

/**
 * What makes a directory with this owner and mode unsafe to keep leases in for user `self`, or
 * undefined when it is safe. Sticky: every user's files are their own (the directory's owner
 * and root excepted, as in /tmp). Not sticky: whoever can write the directory can delete any
 * file in it, so it must be ours and writable by nobody else.
 */
export function dirProblem(stat: { readonly mode: number; readonly uid: number }, self: number): string | undefined {
  if ((stat.mode & S_ISVTX) !== 0) return undefined;
  const others = [(stat.mode & 0o020) !== 0 ? 'its group' : '', (stat.mode & 0o002) !== 0 ? 'every user' : ''].filter(Boolean).join(' and ');
  if (stat.uid !== self) {
    const who = `its owner${others ? ` and ${others}` : ''}`;
    const owner = `is owned by uid ${stat.uid}, not by this user (uid ${self}),`;
    return `${owner} and has no sticky bit (mode ${octal(stat.mode)}): ${who} could delete or replace this user's leases`;
  }
  if (others) return `is writable by ${others} and has no sticky bit (mode ${octal(stat.mode)}): they could delete or replace this user's leases`;
  return undefined;
}

function refuse(dir: string, problem: string, details: Record<string, unknown> = {}): QuiesceError {
  return new QuiesceError(
    'PORT_DIR_UNSAFE',
    `port lease directory ${dir} ${problem}. Nothing was written there. Remove it (or, as its owner, make it shared like /tmp: chmod 1777 ${dir}), ` +
      `or set QUIESCE_PORT_DIR (or the \`dir\` option) to a directory of your own.`,
    { dir, problem, ...details },
  );
}

/** Why `dir`, which could not be opened as a directory without following links, is not one. */
function notADirectory(dir: string): QuiesceError {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(dir);
  } catch {
    return refuse(dir, 'has a path component that is not a directory');
  }
  if (stat.isSymbolicLink()) {
    let target = '?';
    try {
      target = readlinkSync(dir);
    } catch {
      // Gone meanwhile: the message still says what it was.
    }
    return refuse(dir, `is a symbolic link (to ${target}); it is never followed`, { kind: 'symlink', target });
  }
  const kind = stat.isFile() ? 'a regular file' : stat.isSocket() ? 'a socket' : stat.isFIFO() ? 'a FIFO' : 'not a directory';
  return refuse(dir, `is ${kind}, not a directory`, { kind });
}

/** Open `dir` itself (never what a symlink there points to); undefined when it does not exist. */
function openDir(dir: string): number | undefined {
  try {
    return openSync(dir, OPEN_DIR);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'ENOTDIR' || code === 'EMLINK') throw notADirectory(dir);
    throw error;
  }
}

/**
 * Create `dir` as a shared directory: private (0700) until it is verified to be the one we
 * made, then 1777 (set with fchmod, not mkdir's mode, which the umask would cut). A directory
 * another process creates first is checked like any existing one.
 */
function createDir(dir: string): number | undefined {
  mkdirSync(dirname(dir), { recursive: true });
  try {
    mkdirSync(dir, 0o700);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return undefined;
    throw error;
  }
  const fd = openDir(dir);
  if (fd === undefined) throw refuse(dir, 'disappeared right after this process created it');
  try {
    const self = euid();
    if (self !== undefined && fstatSync(fd).uid !== self) throw refuse(dir, 'was replaced by another user right after this process created it');
    fchmodSync(fd, SHARED_DIR_MODE);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Make sure `dir` is a directory leases can safely be shared in, creating it (mode 1777) if it is
 * missing. Throws PORT_DIR_UNSAFE (a QuiesceError) for a symlink, a non-directory, or a directory
 * another user could tamper with; file-system errors (EACCES, EROFS, ...) are thrown as they are.
 * `hostWide` (the default directory, which every user of the host leases from): a private one of
 * ours, as versions before the sharing model created it (0755), is opened up to 1777.
 */
export function ensureSharedDir(dir: string, hostWide = false): void {
  const fd = openDir(dir) ?? createDir(dir) ?? openDir(dir);
  if (fd === undefined) throw refuse(dir, 'disappeared while this process was opening it');
  try {
    const self = euid();
    if (self === undefined) return;
    const stat = fstatSync(fd);
    const problem = dirProblem(stat, self);
    if (problem) throw refuse(dir, problem, { uid: stat.uid, mode: octal(stat.mode) });
    if (self === 0 && stat.uid !== 0) adopt(dir, fd, stat);
    else if (hostWide && stat.uid === self && (stat.mode & 0o7777) !== SHARED_DIR_MODE) fchmodSync(fd, SHARED_DIR_MODE);
  } finally {
    closeSync(fd);
  }
}

/**
 * Root takes over a shared directory another user created: in a sticky directory its owner may
 * still delete everyone's files, and may swap the directory for a symlink, under which root
 * would then create and delete files. Owned by root, it is exactly like /tmp.
 */
function adopt(dir: string, fd: number, stat: { readonly uid: number; readonly ino: number; readonly dev: number }): void {
  try {
    fchownSync(fd, 0, 0);
  } catch (error) {
    throw refuse(dir, `is owned by uid ${stat.uid} and root could not take it over (${errnoOf(error) ?? String(error)})`, { uid: stat.uid });
  }
  // The fd is the directory we checked; the path must still lead to it.
  let now: ReturnType<typeof lstatSync>;
  try {
    now = lstatSync(dir);
  } catch {
    now = undefined;
  }
  if (now?.ino !== stat.ino || now.dev !== stat.dev) throw refuse(dir, 'was replaced while root was taking it over');
}
