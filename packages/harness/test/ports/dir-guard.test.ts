import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuiesceError } from '@quiesce/runtime';
import { createPortAllocator } from '@quiesce/harness';
import { describe, expect, test } from 'vitest';
import { privateDir } from './support.js';
import { isRoot } from './worker-support.js';
// Internal: the ownership and mode rule, checked for users and modes a test cannot take on.
import { dirProblem, ensureSharedDir } from '../../src/ports/dir-guard.js';

const NOBODY = 65_534;
const mode = (path: string): string => (lstatSync(path).mode & 0o7777).toString(8);

/** lease() fails with PORT_DIR_UNSAFE naming `dir`, what is wrong (`problem`) and QUIESCE_PORT_DIR. */
async function expectRefused(dir: string, problem: RegExp): Promise<QuiesceError> {
  const error = await createPortAllocator({ dir })
    .lease()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(QuiesceError);
  const e = error as QuiesceError;
  expect(e.code).toBe('PORT_DIR_UNSAFE');
  expect(e.message).toContain(`port lease directory ${dir} `);
  expect(e.message).toMatch(problem);
  expect(e.message).toContain('QUIESCE_PORT_DIR');
  expect(e.details).toMatchObject({ dir });
  return e;
}

describe('the lease directory is created and opened safely', () => {
  test('a missing directory is created shared like /tmp (1777), and its lease and claim files are writable by their owner only', async () => {
    const dir = join(privateDir(), 'a', 'ports');
    const lease = await createPortAllocator({ dir }).lease();
    expect(mode(dir)).toBe('1777'); // whatever the umask
    const files = readdirSync(dir).map((f) => join(dir, f));
    expect(files.map((f) => f.replace(/.*\//, '').replace(/\d+$/, 'N')).sort()).toEqual(['port-N', 'run-N']);
    // 0644 less the umask: never writable by group or others.
    for (const file of files) expect({ file, mode: lstatSync(file).mode & 0o622 }).toEqual({ file, mode: 0o600 });
    await lease.release();
  });

  test('the host-wide default directory, left 0755 by an older version, is opened up to 1777 by its owner; an explicit one is left as it is', async () => {
    const hostWide = privateDir();
    chmodSync(hostWide, 0o755);
    ensureSharedDir(hostWide, true); // what the allocator does for the default directory
    expect(mode(hostWide)).toBe('1777');
    const explicit = privateDir();
    chmodSync(explicit, 0o755);
    await createPortAllocator({ dir: explicit }).layout();
    expect(mode(explicit)).toBe('755');
  });

  test('a symlink is refused and never followed, dangling or not', async () => {
    const parent = privateDir();
    const target = join(parent, 'target');
    mkdirSync(target);
    symlinkSync(target, join(parent, 'link'));
    await expectRefused(join(parent, 'link'), /is a symbolic link \(to .*target\); it is never followed/);
    expect(readdirSync(target)).toEqual([]); // nothing written through it
    symlinkSync(join(parent, 'nowhere'), join(parent, 'dangling'));
    await expectRefused(join(parent, 'dangling'), /is a symbolic link/);
    expect(readdirSync(parent).sort()).toEqual(['dangling', 'link', 'target']); // its target was not created
  });

  test('a regular file and a FIFO are refused, untouched', async () => {
    const parent = privateDir();
    const file = join(parent, 'file');
    writeFileSync(file, 'precious');
    await expectRefused(file, /is a regular file, not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    await expectRefused(join(file, 'ports'), /has a path component that is not a directory/);
    const fifo = join(parent, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expectRefused(fifo, /is a FIFO, not a directory/);
  });

  test('a directory of ours that others can write without the sticky bit is refused; once fixed, the same allocator works', async () => {
    const dir = privateDir();
    chmodSync(dir, 0o777);
    await expectRefused(dir, /is writable by its group and every user and has no sticky bit \(mode 0777\)/);
    chmodSync(dir, 0o775);
    const allocator = createPortAllocator({ dir });
    await expect(allocator.lease()).rejects.toThrow(/is writable by its group and has no sticky bit \(mode 0775\)/);
    expect(readdirSync(dir)).toEqual([]);
    chmodSync(dir, 0o1777);
    const lease = await allocator.lease();
    await lease.release();
  });

  test.for(['0755', '0777'])('a directory owned by another user without the sticky bit (mode %s) is refused', async (octal, { skip }) => {
    skip(!isRoot, 'needs root (to give a directory to another user; .ci/run runs as root)');
    const dir = join(privateDir(), 'ports');
    mkdirSync(dir);
    chmodSync(dir, parseInt(octal, 8));
    chownSync(dir, NOBODY, NOBODY);
    await expectRefused(dir, new RegExp(`is owned by uid ${NOBODY}, not by this user \\(uid 0\\), and has no sticky bit \\(mode ${octal}\\)`));
    expect(readdirSync(dir)).toEqual([]);
    expect(lstatSync(dir).uid).toBe(NOBODY);
  });

  test('the rule: sticky is safe for anyone; otherwise only a directory of our own that nobody else can write', () => {
    const self = 1000;
    const cases: Array<[number, number, boolean]> = [
      [0o1777, 0, true], // /tmp
      [0o1777, 2000, true], // shared, created by another user
      [0o1755, 2000, true], // sticky: safe, if not writable (that is an EACCES later)
      [0o755, self, true],
      [0o700, self, true],
      [0o777, self, false],
      [0o770, self, false],
      [0o757, self, false],
      [0o755, 0, false],
      [0o755, 2000, false],
      [0o777, 2000, false],
    ];
    for (const [m, uid, safe] of cases) {
      const judged = dirProblem({ mode: 0o040000 | m, uid }, self) === undefined;
      expect({ mode: m.toString(8), uid, safe: judged }).toEqual({ mode: m.toString(8), uid, safe });
    }
  });
});
